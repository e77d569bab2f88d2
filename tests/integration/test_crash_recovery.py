"""A run killed mid-apply leaves nothing behind once cleanup (or the next run) has run.

The small stand-in root is applied in a child process, which is killed while
Terraform is creating resources: with SIGKILL (no teardown at all; the
orphaned moto server and Terraform keep running) and with SIGTERM (the run's
own teardown must finish the job).
"""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tfproof.sandbox.records import RunRecord, new_run_id, runs_dir
from tfproof.sandbox.server import pid_alive

from .conftest import MINI_ROOT

# the crashed runs keep their run records in a cache folder of their own, so the env's
# start-of-run cleanup (on another xdist worker, at the same time) never sees them: each is
# cleaned by its own test, and they no longer queue behind the env's apply and destroy
pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.xdist_group("crash-recovery")]


@pytest.fixture(autouse=True)
def private_runs(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run records and state in a private TFPROOF_CACHE_DIR (the provider mirror shared)."""
    monkeypatch.setenv("TFPROOF_CACHE_DIR", str(private_cache))


PASSWORD = "crash-test-" + secrets.token_hex(12)  # a sensitive variable of the mini root
CHILD = """
import sys, time
from pathlib import Path
from tfproof.sandbox.kinds import EmbeddedSandbox
from tfproof.sandbox.live import LiveRun
variables = {"enable_database": "false", "enable_cache": "false", "db_password": sys.argv[3]}
with LiveRun(EmbeddedSandbox(), Path(sys.argv[1]), variables, run_id=sys.argv[2]):
    for _ in range(600):  # short sleeps: signals are handled between them
        time.sleep(1)
"""


def _start(run_id: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(MINI_ROOT), run_id, PASSWORD],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _wait_mid_apply(run_id: str, child: subprocess.Popen[bytes], timeout: float = 180) -> RunRecord:
    """Until Terraform has created some resources but not finished applying."""
    folder = runs_dir() / run_id
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, "the child run ended before it was interrupted"
        log = folder / "terraform.log"
        if (folder / "run.json").exists() and log.exists():
            record = RunRecord.load(folder)
            if record.status == "applying" and "Creation complete" in log.read_text():
                return record
        time.sleep(0.2)
    child.kill()
    pytest.fail("the child run never reached the middle of its apply")


def _files_holding(folder: Path, secret: str) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and secret.encode() in p.read_bytes()]


def test_sigkill_mid_apply_then_cleanup_leaves_nothing():
    run_id = new_run_id()
    child = _start(run_id)
    record = _wait_mid_apply(run_id, child)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    # the password given to the run: named in its record, in none of its files (the
    # cleanup below destroys with a stand-in, since the killed run took the value along)
    assert record.secret_names == ["db_password"]
    assert "db_password" not in record.variables
    assert _files_holding(runs_dir() / run_id, PASSWORD) == []
    assert record.server_pid and pid_alive(record.server_pid), "the orphaned sandbox is gone"
    proc = subprocess.run(
        [sys.executable, "-m", "tfproof.cli", "sandbox", "cleanup", "--run-id", run_id],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = RunRecord.load(runs_dir() / run_id)
    assert after.status == "clean", after.leftovers
    assert after.destroyed > 0, "cleanup destroyed nothing: the kill came too late or too early"
    assert after.leftovers == []
    assert not pid_alive(record.server_pid), "cleanup left the orphaned moto server running"


def test_sigterm_mid_apply_tears_down():
    run_id = new_run_id()
    child = _start(run_id)
    record = _wait_mid_apply(run_id, child)
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=400) != 0
    after = RunRecord.load(runs_dir() / run_id)
    assert after.status == "clean", after.leftovers
    assert after.leftovers == []
    assert record.server_pid and not pid_alive(record.server_pid)
    assert not Path(after.work_dir).exists()
