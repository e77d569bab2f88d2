"""Run one command as its own child process and record wall time and peak memory.

Wall time comes from perf_counter around the child's whole life (start-up
included: that is what an engineer waits for). Peak memory is the largest of
three views: the kernel's max RSS of the command as GNU `time` reports it
(when /usr/bin/time exists: a tiny parent, so the number is not inflated by
the big benchmark process that forks it, which `wait4` from here would be),
each process's own high-water mark (VmHWM), and the peak of the summed RSS of
the whole process tree, both sampled from /proc every 50 ms (the sum catches
parallel workers alive at once). `extra["sum_of_peaks_mib"]` adds every process's
own high-water mark as if all had peaked at the same moment: an upper bound that no
sampling interval can miss.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_GNU_TIME = "/usr/bin/time"


def _gnu_time() -> str | None:
    """/usr/bin/time if it is GNU time (it understands -f and -o)."""
    if not os.access(_GNU_TIME, os.X_OK):
        return None
    proc = subprocess.run([_GNU_TIME, "-f", "%M", "true"], capture_output=True, text=True,
                          check=False)
    return _GNU_TIME if proc.returncode == 0 and proc.stderr.strip().isdigit() else None


@dataclass
class Sample:
    """One run of one command."""

    wall: float
    peak_rss_mib: float
    returncode: int
    stdout: str = ""
    stderr: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Raw data for results.json (output trimmed)."""
        data = asdict(self)
        data["stdout"] = self.stdout[-2000:]
        data["stderr"] = self.stderr[-2000:]
        return data


def _children(pid: int) -> list[int]:
    """Direct children of `pid`, from every thread's /proc children list (cheap, no scan)."""
    found: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found.extend(int(x) for x in handle.read().split())
        except (OSError, ValueError):
            continue
    return found


def _status_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of one process in KiB; zeros once it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss, hwm


def tree_memory(pid: int) -> tuple[int, dict[int, int]]:
    """Summed VmRSS (KiB) of `pid` and its descendants now, and each one's VmHWM."""
    total, hwms, stack = 0, {}, [pid]
    while stack:
        current = stack.pop()
        if current in hwms:
            continue
        rss, hwm = _status_kib(current)
        hwms[current] = hwm
        total += rss
        stack.extend(_children(current))
    return total, hwms


class _Sampler(threading.Thread):
    """Polls the process tree: peak of the summed RSS, and each process's own high-water mark.

    VmHWM belongs to the process's address space after exec, so unlike the
    kernel's ru_maxrss it is not inflated by the (large) benchmark process
    that forked it.
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_sum_kib = 0
        self.hwm_kib: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total, hwms = tree_memory(self.pid)
            self.peak_sum_kib = max(self.peak_sum_kib, total)
            for pid, hwm in hwms.items():
                self.hwm_kib[pid] = max(self.hwm_kib.get(pid, 0), hwm)
            self.done.wait(self.interval)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def run(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 3600,
) -> Sample:
    """Run `argv` to completion and measure it; output is captured in temp files."""
    timer = _gnu_time()
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(mode="r", suffix=".maxrss") as rss_file,
    ):
        command = list(argv)
        if timer:
            command = [timer, "-f", "%M", "-o", rss_file.name, *command]
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None, cwd=cwd, start_new_session=True,
        )
        sampler = _Sampler(proc.pid)
        sampler.start()
        killer = threading.Timer(timeout, _kill_group, (proc.pid,))
        killer.start()
        try:
            _pid, status, _usage = os.wait4(proc.pid, 0)
        except BaseException:
            _kill_group(proc.pid)  # interrupted bench: leave no checkov running behind
            raise
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        reported = [int(x) for x in rss_file.read().split() if x.isdigit()] if timer else []
        own = {pid: kib for pid, kib in sampler.hwm_kib.items() if not timer or pid != proc.pid}
        peak_kib = max([sampler.peak_sum_kib, *own.values(), *reported[-1:]])
        # an upper bound: every process's own peak, added as if they all came at once
        sum_of_peaks = sum(own.values())
        return Sample(
            wall=wall,
            peak_rss_mib=peak_kib / 1024,
            returncode=proc.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            extra={"maxrss_source": "gnu-time" if reported else "proc-sampler",
                   "sum_of_peaks_mib": max(sum_of_peaks, peak_kib) / 1024},
        )


def median(values: Sequence[float]) -> float:
    """Median (mean of the middle two for an even count)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
