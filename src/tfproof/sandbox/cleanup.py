"""Finish the teardown of runs that crashed: `tfproof sandbox cleanup` and the start of every run.

A run that was killed (SIGKILL, a lost CI runner, a power cut) leaves its
record with a status other than `clean` and an owner process that no longer
exists. For each such record: an orphaned Terraform still applying is stopped
gracefully, the run's state is destroyed, whatever still carries the run's tag
is removed, and the result is written back to the record. An embedded run's
moto server is reused for that (it outlives the killed run on purpose, so its
leftovers are visible and removable) and stopped afterwards; if it is already
gone, so is everything that was applied to it.
"""

from __future__ import annotations

import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from tfproof import progress
from tfproof.sandbox.interface import Sandbox, account_digest
from tfproof.sandbox.kinds import AwsSandbox, EmbeddedSandbox
from tfproof.sandbox.records import RunRecord, all_records
from tfproof.sandbox.server import is_moto_process, pid_alive, stop_pid
from tfproof.sandbox.teardown import teardown_record

FINISHED = ("clean",)


@dataclass
class CleanupResult:
    """What cleaning one crashed run found and did."""

    run_id: str
    kind: str
    status: str
    destroyed: int = 0
    swept: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    note: str = ""


def is_stale(record: RunRecord) -> bool:
    """Unfinished, and its owner process is gone."""
    return record.status not in FINISHED and not pid_alive(record.owner_pid)


def _is_terraform(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return "terraform" in cmdline


def _stop_orphaned_terraform(record: RunRecord) -> None:
    pid = record.terraform_pid
    if pid and pid_alive(pid) and _is_terraform(pid):
        progress.say(f"cleanup {record.run_id}: stopping the orphaned terraform (pid {pid})")
        import os

        try:
            os.killpg(pid, signal.SIGINT)
        except OSError:
            pass
        deadline = time.monotonic() + 120
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        if pid_alive(pid):
            stop_pid(pid, timeout=5)


def _sandbox_for(record: RunRecord, current: Sandbox | None) -> Sandbox | None:
    """A sandbox that reaches the record's account, or None when nothing can be left there."""
    if record.kind == "embedded":
        if record.server_pid and is_moto_process(record.server_pid, record.server_port):
            return EmbeddedSandbox(region=record.region, url=record.endpoint)
        return None
    if not isinstance(current, AwsSandbox):
        raise RuntimeError(
            "this run was applied to a real account; run the cleanup with TFPROOF_SANDBOX=aws "
            "and that account's credentials"
        )
    if account_digest(current.allowed_account_id) != record.account_sha256:
        raise RuntimeError(
            f"this run was applied to account {record.account_hint}, not to the one named by "
            "TFPROOF_SANDBOX_ACCOUNT_ID"
        )
    current.verify()
    return current


def _scrub_run_log(record: RunRecord) -> None:
    """A killed run's log may hold its last command's output unscrubbed: scrub it now."""
    from tfproof.sandbox.terraform import scrub_log
    from tfproof.secrets.scrub import remember_inputs

    log = record.directory / "terraform.log"
    if log.is_file():
        remember_inputs({k: str(v) for k, v in (record.variables or {}).items()})
        scrub_log(log, 0)


def cleanup_record(record: RunRecord, current: Sandbox | None = None) -> CleanupResult:
    """Finish one crashed run's teardown (see the module docstring)."""
    result = CleanupResult(record.run_id, record.kind, record.status)
    _stop_orphaned_terraform(record)
    _scrub_run_log(record)
    try:
        sandbox = _sandbox_for(record, current)
    except RuntimeError as exc:
        result.note = str(exc)
        result.leftovers = ["(not checked)"]
        return result
    if sandbox is None:
        record.update(status="clean", finished=time.time(), leftovers=[])
        result.status = "clean"
        result.note = "its moto server is gone, and with it everything applied to it"
    else:
        report = teardown_record(record, sandbox)
        result.destroyed = report.destroyed
        result.swept = report.swept
        result.leftovers = sorted(report.leftovers) + report.errors
        result.status = record.status
        if record.kind == "embedded" and record.server_pid and report.clean:
            stop_pid(record.server_pid)
    if result.status == "clean":
        shutil.rmtree(record.work_dir, ignore_errors=True)
    return result


def cleanup_stale(current: Sandbox | None = None, run_id: str | None = None) -> list[CleanupResult]:
    """Clean every stale run (or the one named) that `current` can reach."""
    results = []
    for record in all_records():
        if run_id and record.run_id != run_id:
            continue
        if not run_id and not is_stale(record):
            continue
        if record.status in FINISHED:
            continue
        if current is not None and record.kind != current.kind and not run_id:
            continue
        progress.say(f"cleanup: run {record.run_id} ({record.kind}, status {record.status})")
        results.append(cleanup_record(record, current))
    return results


def prune(keep: int = 10) -> int:
    """Remove the folders of all but the newest `keep` clean runs; returns how many went."""
    clean = [r for r in all_records() if r.status in FINISHED]
    removed = 0
    for record in clean[:-keep] if keep else clean:
        shutil.rmtree(record.directory, ignore_errors=True)
        removed += 1
    return removed
