"""`tfproof verify` against links, special files, unreadable files, and through the CLI.

A symlink, FIFO, socket or symlinked folder inside a bundle is tampering: it is
named as a PROBLEM and never followed or opened (opening a FIFO would hang, so
those tests run the real CLI in a subprocess with a timeout). The CLI tests
check the exit contract where CI reads it: 0 intact, 1 altered, 2 not a bundle
or an unreadable folder, never a traceback.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tfproof.errors import InputError
from tfproof.evidence.manifest import MANIFEST, SUMS, bundle_files, verify

from .tamper_support import (
    RUN,
    TFPROOF,
    cli,
    forge_sums_line,
    opened_paths,
    problems_naming,
)

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# --- defect 2: links and special files are tampering, never followed or opened ------------------

def test_symlink_to_a_file_inside_the_bundle_is_a_problem(bundle: Path):
    os.symlink("controls.csv", bundle / "alias.csv")
    result = verify(bundle)
    assert not result.ok
    assert problems_naming(result, "alias.csv")
    assert "alias.csv" in result.unexpected


def test_recorded_file_replaced_by_a_symlink_to_an_identical_copy_is_a_problem(bundle: Path):
    copy = bundle.parent / "elsewhere.csv"
    shutil.copy(bundle / "controls.csv", copy)
    (bundle / "controls.csv").unlink()
    os.symlink(copy, bundle / "controls.csv")
    with opened_paths() as seen:
        result = verify(bundle)
    assert not result.ok and problems_naming(result, "controls.csv")
    assert not [p for p in seen if "elsewhere" in p]


def test_symlinked_subfolder_is_a_problem_and_not_entered(bundle: Path):
    real = bundle.parent / "elsewhere"
    shutil.move(bundle / "plans", real)
    os.symlink(real, bundle / "plans")
    result = verify(bundle)
    assert not result.ok
    assert problems_naming(result, "plans")
    assert result.missing == ["plans/sandbox.plan.json"]


def test_socket_in_the_bundle_is_a_problem(bundle: Path):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(bundle / "logs" / "sock"))
        result = verify(bundle)
    assert not result.ok and problems_naming(result, "logs/sock")


@pytest.mark.parametrize("where", ["added.fifo", "controls.csv", MANIFEST, SUMS])
def test_fifo_in_the_bundle_fails_promptly_through_the_cli(bundle: Path, where: str):
    (bundle / where).unlink(missing_ok=True)
    os.mkfifo(bundle / where)
    proc = cli("verify", str(bundle), timeout=60)  # opening the FIFO would block forever
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert any(ln.startswith("PROBLEM") and where in ln for ln in proc.stdout.splitlines())
    assert "Traceback" not in proc.stderr


def test_bundle_files_lists_regular_files_only(bundle: Path):
    os.symlink("controls.csv", bundle / "alias.csv")
    os.mkfifo(bundle / "pipe")
    assert "alias.csv" not in bundle_files(bundle) and "pipe" not in bundle_files(bundle)


# --- defect 3: the exit contract and unreadable files --------------------------------------------

def test_cli_exit_contract_and_lines(bundle: Path, tmp_path: Path):
    ok = cli("verify", str(bundle))
    assert ok.returncode == 0 and ok.stdout.startswith("OK:"), ok.stdout + ok.stderr
    forge_sums_line(bundle, "controls.csv", b"forged\n")
    (bundle / "logs/pytest-output.txt").unlink()
    (bundle / "added.txt").write_text("x\n")
    bad = cli("verify", str(bundle))
    assert bad.returncode == 1
    lines = bad.stdout.splitlines()
    for expected in ("CHANGED    controls.csv", "CHANGED    SHA256SUMS",
                     "MISSING    logs/pytest-output.txt", "UNEXPECTED added.txt"):
        assert expected in lines, bad.stdout
    assert any(ln.startswith("PROBLEM") and "controls.csv" in ln for ln in lines)
    assert "CHANGED    manifest.json" not in lines
    assert "Traceback" not in bad.stderr
    for not_bundle in (tmp_path / "nowhere", tmp_path / "empty", bundle / "controls.csv"):
        if not_bundle.name == "empty":
            not_bundle.mkdir()
        proc = cli("verify", str(not_bundle))
        assert proc.returncode == 2, (not_bundle, proc.stdout, proc.stderr)
        assert proc.stderr.startswith("tfproof: error:") and "Traceback" not in proc.stderr


def test_deleted_sums_is_an_altered_bundle_not_a_missing_one(bundle: Path):
    (bundle / SUMS).unlink()
    (bundle / "evidence.json").write_text("{}\n")
    result = verify(bundle)
    assert result.missing == [SUMS] and "evidence.json" in result.changed


def test_hostile_file_names_cannot_forge_an_ok_line(bundle: Path):
    (bundle / "x\nOK: 9 files match\n\x1b[2J").write_text("x")
    proc = cli("verify", str(bundle))
    assert proc.returncode == 1
    assert not [ln for ln in proc.stdout.splitlines() if ln.startswith("OK")], proc.stdout
    assert "\x1b" not in proc.stdout


def _deny(name: str) -> Any:
    real = os.open

    def fake(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fsdecode(path) == name or os.fsdecode(path).endswith(f"/{name}"):
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path, flags, *args, **kwargs)
    return fake


def test_unreadable_file_is_a_problem_not_a_crash(bundle: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "open", _deny("controls.csv"))
    result = verify(bundle)
    assert not result.ok and problems_naming(result, "controls.csv")
    assert "controls.csv" not in result.missing + result.changed


def test_unreadable_subfolder_is_a_problem(bundle: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "open", _deny("logs"))
    result = verify(bundle)
    assert not result.ok and problems_naming(result, "logs")


def test_unreadable_bundle_folder_is_an_input_error(bundle: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "open", _deny(RUN))
    with pytest.raises(InputError):
        verify(bundle)


def _unprivileged() -> list[str]:
    """A command prefix under which a file of mode 000 really is unreadable."""
    if not IS_ROOT:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root reads files whatever their mode, and there is no setpriv to drop it")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_really_unreadable_file_and_folder_through_the_cli(pristine: Path):
    prefix = _unprivileged()
    with tempfile.TemporaryDirectory(prefix="tfproof-test-") as name:
        os.chmod(name, 0o755)  # the unprivileged user must reach the bundle
        bundle = Path(shutil.copytree(pristine, Path(name) / RUN))
        for path in [bundle, *bundle.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        env = {**os.environ, "TFPROOF_CACHE_DIR": name}
        (bundle / "controls.csv").chmod(0)
        (bundle / "logs").chmod(0)
        proc = subprocess.run([*prefix, str(TFPROOF), "verify", str(bundle)], env=env,
                              capture_output=True, text=True, check=False, timeout=60)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "PROBLEM    controls.csv could not be read (Permission denied)" in proc.stdout
        assert "PROBLEM    logs could not be read" in proc.stdout
        assert "Traceback" not in proc.stderr
        bundle.chmod(0)
        proc = subprocess.run([*prefix, str(TFPROOF), "verify", str(bundle)], env=env,
                              capture_output=True, text=True, check=False, timeout=60)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "cannot read the folder" in proc.stderr and "Traceback" not in proc.stderr
        bundle.chmod(0o755)
        (bundle / "logs").chmod(0o755)
