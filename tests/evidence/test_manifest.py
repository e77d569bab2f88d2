"""Seals: a bundle verifies as written, and one changed byte in any file is named."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tfproof.evidence.manifest import (
    MANIFEST,
    SUMS,
    ManifestData,
    bundle_files,
    git_info,
    sha256_file,
    verify,
)
from tfproof.evidence.schema import MANIFEST as MANIFEST_SCHEMA

from .tamper_support import RUN, seal_bundle

ROOT = Path(__file__).resolve().parents[2]


def _manifest_data(run_id: str) -> ManifestData:
    return ManifestData(
        run_id=run_id,
        started="2025-01-01T00:00:00Z",
        finished="2025-01-01T00:01:00Z",
        git=git_info(ROOT),
        versions={"tfproof": "0.1.0", "terraform": "1", "provider_aws": "3.39.0",
                  "checkov": "3", "moto": "5", "python": "3.11"},
        sandbox={"kind": None, "account_id": None},
        envs=["sandbox"],
        layers_run=[],
        command=["tfproof", "audit"],
        inputs={},
    )


@pytest.fixture()
def sealed(scratch_dir: Path, make_evidence, planted_plan) -> Path:
    """A sealed bundle with nested folders, JSON, text and a plan (its real git info)."""
    return seal_bundle(scratch_dir / "reports", make_evidence, planted_plan, _manifest_data(RUN))


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0x01
    path.write_bytes(bytes(data))


def test_sealed_bundle_verifies_and_has_a_valid_manifest(sealed: Path):
    assert sealed.name == "20250101T000000Z-abc1234"
    assert not list(sealed.parent.glob(".*.partial"))
    result = verify(sealed)
    assert result.ok, result
    assert result.checked == len(bundle_files(sealed)) + 1
    manifest = json.loads((sealed / MANIFEST).read_text())
    jsonschema.validate(manifest, MANIFEST_SCHEMA)
    assert set(manifest["files"]) == set(bundle_files(sealed))
    assert manifest["files"]["evidence.json"] == sha256_file(sealed / "evidence.json")


def test_coreutils_sha256sum_agrees(sealed: Path):
    proc = subprocess.run(["sha256sum", "--check", "--strict", SUMS], cwd=sealed,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{MANIFEST}: OK" in proc.stdout


@pytest.mark.parametrize(
    "rel",
    ["evidence.json", "plans/sandbox.plan.json", "controls.csv", "logs/pytest-output.txt",
     MANIFEST, SUMS],
)
def test_one_changed_byte_in_any_file_is_named(sealed: Path, rel: str):
    _flip_one_byte(sealed / rel)
    result = verify(sealed)
    assert not result.ok
    assert rel in result.changed, result
    if rel not in (MANIFEST, SUMS):
        assert result.changed == [rel] and not result.problems, result
        return
    # A flipped hex digit in a seal makes it misrecord one file. That file is named too
    # (a forged file with a forged record looks the same), but only beside a PROBLEM
    # line saying the seals disagree on it.
    for other in set(result.changed) - {MANIFEST, SUMS}:
        assert any(other in p and "disagree" in p for p in result.problems), result


def test_removed_and_added_files_are_named(sealed: Path):
    (sealed / "controls.csv").unlink()
    (sealed / "plans" / "extra.json").write_text("{}")
    result = verify(sealed)
    assert result.missing == ["controls.csv"]
    assert result.unexpected == ["plans/extra.json"]
    assert not result.ok


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tfproof.cli", *args],
                          capture_output=True, text=True, check=False)


def test_verify_command_exit_statuses(sealed: Path, scratch_dir: Path):
    ok = _cli("verify", str(sealed))
    assert ok.returncode == 0, ok.stderr
    assert "OK:" in ok.stdout

    copy = scratch_dir / "copy"
    shutil.copytree(sealed, copy)
    _flip_one_byte(copy / "evidence.json")
    bad = _cli("verify", str(copy))
    assert bad.returncode == 1
    assert "CHANGED    evidence.json" in bad.stdout

    not_bundle = _cli("verify", str(scratch_dir))
    assert not_bundle.returncode == 2
    assert "is not an evidence bundle" in not_bundle.stderr
    assert "Traceback" not in not_bundle.stderr


def test_git_info_outside_a_checkout(scratch_dir: Path):
    info = git_info(scratch_dir)
    assert info["commit"] is None and info["dirty"] is None


def test_git_info_in_this_checkout():
    info = git_info(ROOT)
    if info["commit"] is None:
        pytest.skip("this tree is not a git checkout (exported source)")
    assert len(info["commit"]) == 40 and info["short"] == info["commit"][:7]
    assert isinstance(info["dirty"], bool)


def test_git_info_commit_and_dirty_flag(scratch_dir: Path):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(scratch_dir), *args], check=True, capture_output=True)

    git("init", "-q")
    (scratch_dir / "main.tf").write_text("# v1\n")
    git("add", "main.tf")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "v1")
    clean = git_info(scratch_dir)
    assert clean["dirty"] is False and len(clean["commit"]) == 40
    (scratch_dir / "main.tf").write_text("# v2\n")
    (scratch_dir / "new.tf").write_text("# new\n")
    dirty = git_info(scratch_dir)
    assert dirty["dirty"] is True
    assert dirty["changed"] == ["main.tf", "new.tf"]
    assert dirty["commit"] == clean["commit"]
