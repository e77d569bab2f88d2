"""lifecycle: a child's whole process group goes, and only folders tfproof owns are swept."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tfproof import lifecycle

# a child that starts a grandchild (ignoring SIGTERM, as a busy provider may, when argv[2] is
# "ignore"), prints the grandchild's pid and sleeps; "exit_first" makes the child leave at once,
# orphaning the grandchild
_FAMILY = textwrap.dedent("""
    import signal, subprocess, sys, time
    code = "import signal, time; time.sleep(300)"
    if sys.argv[2] == "ignore":
        code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"
    grandchild = subprocess.Popen([sys.executable, "-c", code],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(grandchild.pid, flush=True)
    if sys.argv[1] == "exit_first":
        sys.exit(0)
    time.sleep(300)
""")


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie nobody reaps counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return not _alive(pid)


def _start_family(mode: str, sigterm: str) -> tuple[subprocess.Popen[str], int]:
    proc = lifecycle.popen([sys.executable, "-c", _FAMILY, mode, sigterm],
                           stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    grandchild = int(proc.stdout.readline())
    return proc, grandchild


def test_stop_group_kills_a_grandchild_that_ignores_sigterm() -> None:
    proc, grandchild = _start_family("stay", "ignore")
    try:
        started = time.monotonic()
        lifecycle.stop_group(proc, grace=0.5)
        assert proc.poll() is not None
        assert _wait_gone(grandchild, 5), "the grandchild outlived its group's stop"
        assert time.monotonic() - started < 5
        assert proc.pid not in lifecycle._children
    finally:
        _kill(grandchild)


# run in a subreaper that never reaps: the orphaned grandchild dies as its zombie, as it
# does under a PID 1 that does not reap (a container started without an init)
_ORPHAN = textwrap.dedent("""
    import ctypes, subprocess, sys, time
    from tfproof import lifecycle
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    proc = lifecycle.popen([sys.executable, "-c", sys.argv[1], "exit_first", "default"],
                           stdout=subprocess.PIPE, text=True)
    grandchild = int(proc.stdout.readline())
    proc.wait()
    started = time.monotonic()
    lifecycle.stop_group(proc, grace=2.0)
    state = open(f"/proc/{grandchild}/stat").read().rsplit(")", 1)[1].split()[0]
    print(grandchild, state, round(time.monotonic() - started, 2))
""")


def test_stop_group_does_not_wait_for_a_zombie_nobody_reaps() -> None:
    """The child is gone and its orphaned grandchild dies on SIGTERM, but stays a zombie
    until its new parent reaps it; kill(2) still finds a zombie in the group, which must
    not make tfproof wait out both grace periods (10 s) on every stop."""
    done = subprocess.run([sys.executable, "-c", _ORPHAN, _FAMILY], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    _pid, state, seconds = done.stdout.split()
    assert state == "Z", "the grandchild should have died (and not been reaped)"
    assert float(seconds) < 1.5, f"stop_group waited {seconds}s for a zombie"


def test_run_stops_what_the_child_left_running() -> None:
    code = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', "
            "'import time; time.sleep(300)'], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL); print(p.pid)")
    done = lifecycle.run([sys.executable, "-c", code], timeout=60)
    grandchild = int(done.stdout)
    try:
        assert done.returncode == 0
        assert _wait_gone(grandchild, 5)
    finally:
        _kill(grandchild)


def test_run_timeout_stops_the_group_and_reraises() -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        lifecycle.run([sys.executable, "-c", "import time; time.sleep(300)"], timeout=0.5)
    assert not lifecycle._children


def test_children_do_not_inherit_a_blocked_signal_mask() -> None:
    """popen blocks the stop signals around fork + registration; the child must not keep that."""
    done = lifecycle.run(["sh", "-c", "grep SigBlk /proc/self/status"], timeout=30)
    blocked = int(done.stdout.split()[1], 16)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        assert not blocked & (1 << (sig - 1)), done.stdout


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# --- scratch folders ---------------------------------------------------------------------


def _owned(base: Path, name: str) -> tuple[Path, int]:
    """A folder with an owner marker whose lock this test holds (a live owner)."""
    folder = base / name
    folder.mkdir()
    fd = os.open(folder / lifecycle.OWNER_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return folder, fd


def test_sweep_removes_dead_owners_only_and_never_unmarked_folders(tmp_path: Path) -> None:
    dead, fd = _owned(tmp_path, "tfproof-ws-dead")
    (dead / "tfproof.tfplan").write_text("secret")
    os.close(fd)  # the owner died: its lock is free
    live, live_fd = _owned(tmp_path, "tfproof-ws-live")
    unmarked = tmp_path / "tfproof-test-unmarked"
    unmarked.mkdir()
    (unmarked / "data").write_text("keep")
    linked = tmp_path / "tfproof-linked"
    linked.mkdir()
    (tmp_path / "elsewhere").write_text("")
    (linked / lifecycle.OWNER_FILE).symlink_to(tmp_path / "elsewhere")
    other, other_fd = _owned(tmp_path, "not-ours")
    os.close(other_fd)
    plain_file = tmp_path / "tfproof-a-file"
    plain_file.write_text("")
    try:
        removed = lifecycle.sweep_stale(tmp_path)
    finally:
        os.close(live_fd)
    assert removed == [dead]
    assert not dead.exists()
    for kept in (live, unmarked / "data", linked, other, plain_file):
        assert kept.exists(), kept


def test_scratch_dir_is_owned_until_released(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    folder = lifecycle.scratch_dir("unit")
    try:
        assert folder.parent == tmp_path and folder.name.startswith("tfproof-unit-")
        assert lifecycle.sweep_stale(tmp_path) == []  # our own folder: never swept
        probe = os.open(folder / lifecycle.OWNER_FILE, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(probe)
    finally:
        lifecycle.release(folder)
    assert not folder.exists()
    lifecycle.release(folder)  # idempotent


def test_a_command_removes_only_the_scratch_it_made(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """An in-process command (a test calling the CLI) leaves its host's scratch alone.

    The audit runs the compliance tests (which call `tfproof.cli.main` in-process) and the
    live module examples (whose pytest-terraform copies live in the worker's scratch folder)
    in the same xdist worker; a command that removed every scratch folder of the process
    pulled the examples out from under pytest-terraform.
    """
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    host = lifecycle.scratch_dir("host")
    try:
        with lifecycle.command():
            made = lifecycle.scratch_dir("cmd")
            assert made.is_dir()
        assert not made.exists(), "the command's own scratch outlived it"
        assert host.is_dir(), "the command removed scratch its host owns"
    finally:
        lifecycle.release(host)
