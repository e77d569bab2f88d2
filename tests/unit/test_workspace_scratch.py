"""Workspace's scratch folder: made on first need, owned through lifecycle, and Terraform run
as a process group (a stand-in `terraform` script through TFPROOF_TERRAFORM: no plan needed)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tfproof import lifecycle
from tfproof.errors import PlanError
from tfproof.terraform.workspace import Workspace

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture()
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A short, empty TMPDIR for this test (short: see Workspace._SOCKET_DIR_MAX); made after
    pytest's tmp_path, which would otherwise be made inside it."""
    folder = Path(tempfile.mkdtemp(prefix="tfws-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _fake_terraform(folder: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    script = folder / "fake-terraform"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    monkeypatch.setenv("TFPROOF_TERRAFORM", str(script))


def test_hashing_creates_nothing(private_tmp: Path) -> None:
    workspace = Workspace(TINY / "root")
    assert workspace.digest()
    assert list(private_tmp.iterdir()) == []
    workspace.cleanup()


def test_own_folder_is_made_on_first_use_and_released(private_tmp: Path) -> None:
    with Workspace(TINY / "root") as workspace:
        folder = workspace.directory
        assert folder.parent == private_tmp and folder.name.startswith("tfproof-ws-")
        assert (folder / lifecycle.OWNER_FILE).exists()
        assert workspace.root == folder / "root"
    assert not folder.exists()
    assert folder not in lifecycle._scratch


def test_a_callers_directory_stays_the_callers(private_tmp: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    given = tmp_path / "given"
    _fake_terraform(tmp_path, 'echo "TMPDIR=$TMPDIR"', monkeypatch)
    with Workspace(TINY / "root", directory=given) as workspace:
        workspace.materialise({"access_key": '"x"'})
        done = workspace.run(["version"])
        assert done.stdout.strip() == f"TMPDIR={private_tmp}", "a caller's folder gets no tmp"
    assert (given / "root" / "main.tf").exists()
    assert not (given / lifecycle.OWNER_FILE).exists()
    assert list(private_tmp.iterdir()) == []


def test_terraform_gets_a_tmpdir_inside_the_owned_folder(private_tmp: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_terraform(tmp_path, 'echo "$TMPDIR"; touch "$TMPDIR/plugin123"', monkeypatch)
    with Workspace(TINY / "root") as workspace:
        workspace.materialise({"access_key": '"x"'})
        done = workspace.run(["plan"])
        assert Path(done.stdout.strip()).parent == workspace.directory
    assert list(private_tmp.iterdir()) == [], "the provider's socket goes with the folder"


def test_timeout_is_a_plan_error_and_stops_the_group(private_tmp: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pid_file = tmp_path / "grandchild.pid"
    _fake_terraform(tmp_path, f"sleep 300 & echo $! > {pid_file}; wait", monkeypatch)
    with Workspace(TINY / "root") as workspace:
        workspace.materialise({"access_key": '"x"'})
        with pytest.raises(PlanError, match=r"`terraform plan` timed out after 0.5 s .* during "
                                            r"plan and was stopped"):
            workspace.run(["plan", "-input=false"], what="plan", timeout=0.5)
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _running(grandchild):
        time.sleep(0.05)
    assert not _running(grandchild), "the provider stand-in outlived the timeout"
    assert list(private_tmp.iterdir()) == []


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    if state in ("Z", "X"):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
