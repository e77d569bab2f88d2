"""A SIGTERM in the middle of a pytest-terraform apply leaves nothing behind.

pytest-terraform runs Terraform with `subprocess.check_call` in pytest's own process
group and has no signal handling. The module session turns SIGTERM into an exception
(as Ctrl-C is), so pytest's teardowns run: a child pytest applying the kms example is
stopped mid-apply, and afterwards its moto server, its Terraform and provider
processes, its scratch copies and pytest-terraform's state folder must all be gone,
and its run record clean.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tfproof.sandbox.records import all_records
from tfproof.sandbox.server import pid_alive

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _owned_scratch(pid: int) -> list[Path]:
    """tfproof scratch folders of the module session owned by `pid`."""
    out = []
    for folder in Path("/tmp").glob("tfproof-tfmods-*"):
        try:
            if (folder / ".tfproof-owner").read_text().strip() == str(pid):
                out.append(folder)
        except OSError:
            continue
    return out


def _processes_in(folders: list[Path]) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(f"/proc/{entry.name}/cwd"))
        except OSError:
            continue
        if any(cwd == f or f in cwd.parents for f in folders):
            found.append(int(entry.name))
    return found


def test_sigterm_mid_apply_tears_the_module_session_down(tmp_path):
    basetemp = tmp_path / "child"
    child = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={basetemp}",
         "tests/integration/test_modules_live.py", "-k", "test_kms_key_rotation_enabled"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    plan = basetemp / "kms0" / "work" / "tfplan"  # pytest-terraform's plan: the apply is next
    deadline = time.monotonic() + 120
    while not plan.exists():
        assert child.poll() is None, child.communicate()[0][-3000:]
        assert time.monotonic() < deadline, "the child never reached the kms apply"
        time.sleep(0.1)
    time.sleep(1.0)  # Terraform is applying
    scratch = _owned_scratch(child.pid)
    assert scratch, "the child's scratch folder was not found"
    running = _processes_in(scratch)
    assert running, "no Terraform was running in the scratch copy"
    records = [r for r in all_records() if r.owner_pid == child.pid]
    assert len(records) == 1 and records[0].server_pid
    child.send_signal(signal.SIGTERM)
    output = child.communicate(timeout=300)[0]
    assert child.returncode != 0, output[-3000:]
    after = next(r for r in all_records() if r.run_id == records[0].run_id)
    assert after.status == "clean", (after.leftovers, output[-3000:])
    assert not pid_alive(records[0].server_pid), "the moto server outlived the session"
    assert not [p for p in running if pid_alive(p)], "Terraform or its provider outlived pytest"
    assert not [f for f in scratch if f.exists()], "the scratch copies are still there"
    assert not (basetemp / "kms0").exists(), "pytest-terraform's state (secrets) is still there"
