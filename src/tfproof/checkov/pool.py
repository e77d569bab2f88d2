"""Worker processes that run checkov on the parts of a plan (at most one per core), failing closed.

Each worker (`tfproof.checkov.worker`) imports checkov once and then judges one
plan file per job; the pool hands the next job to whichever worker is free and
yields each result file as soon as it is written, so verdicts are read and
cached while the other workers go on. Every worker runs in its own process
group registered with `tfproof.lifecycle` (a signal to tfproof stops them all,
no worker outlives it), with its stderr in the scratch folder.

Fail closed: a worker that exits, stops answering within the time limit, or
answers anything but the protocol ends the scan with `ToolchainError` (exit 2,
one paragraph): the pool stops every worker, and no verdict of that run is
used, since a partial set of verdicts would read as a pass for what was not judged.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfproof import lifecycle
from tfproof.errors import ToolchainError

WORKER_TIMEOUT = 3600  # seconds for a whole run of the pool
_WAYS_OUT = ("Run the scan again; if it repeats, scan a smaller plan (split the root module) "
             "or run with --no-checkov to judge with tfproof's own policies only.")


def offline_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment checkov runs in (from `base`, else ours): no API key, no update
    check, no telemetry."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.startswith(("BC_", "PRISMA_"))}
    env.update({
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
        "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
    })
    return env


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    stderr: Path
    buffer: bytes = b""
    ready: bool = False
    profile: dict[str, Any] | None = None
    job: tuple[Path, Path] | None = None


class WorkerPool:
    """Up to `size` checkov workers for one check list; use as a context manager."""

    def __init__(self, checks: list[str], external: Path | None, size: int,
                 scratch: Path, timeout: float = WORKER_TIMEOUT,
                 command: list[str] | None = None) -> None:
        self.checks = checks
        self.external = external
        # the worker's command line; tests start hostile workers through it
        self.command = command or [sys.executable, "-m", "tfproof.checkov.worker"]
        self.size = max(1, size)
        self.scratch = scratch
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        self.workers: list[_Worker] = []
        self.selector = selectors.DefaultSelector()
        # (check modules, "ID module" of their checks) from a profile: what workers started
        # from now on import instead of all of checkov's checks (`tfproof.checkov.lazy`)
        self.only: tuple[list[str], list[str]] | None = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(graceful=exc[0] is None)

    def start(self, count: int, profile: bool = False) -> None:
        """Start workers until `count` (at most the pool's size) are running; with `profile`,
        the first started says what the checks read (`profile()`)."""
        while len(self.workers) < min(count, self.size):
            index = len(self.workers)
            err_path = self.scratch / f"worker-{index}.err"
            argv = [*self.command, "--checks", ",".join(self.checks)]
            if self.external is not None:
                argv += ["--external-checks-dir", str(self.external)]
            if profile and index == 0:
                argv.append("--profile")
            elif self.only is not None:
                argv += ["--modules", ",".join(self.only[0]), "--plain", ",".join(self.only[1])]
            with open(err_path, "wb") as err:
                proc = lifecycle.popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=err, cwd=self.scratch, env=offline_env())
            assert proc.stdout is not None
            os.set_blocking(proc.stdout.fileno(), False)
            worker = _Worker(proc, err_path)
            self.selector.register(proc.stdout, selectors.EVENT_READ, worker)
            self.workers.append(worker)

    def profile(self) -> dict[str, Any]:
        """The profile the first worker printed (starting it if none runs)."""
        self.start(1, profile=True)
        while True:
            ready = next((w.profile for w in self.workers if w.profile is not None), None)
            if ready is not None:
                return ready
            self._wait()

    def run(self, jobs: list[tuple[Path, Path]]) -> Iterator[Path]:
        """Judge each (plan, out) job on a free worker; yield each `out` once it is written."""
        self.start(len(jobs))
        todo = list(jobs)
        pending = len(todo)
        while pending:
            for worker in self.workers:
                if todo and worker.ready and worker.job is None:
                    worker.job = todo.pop(0)
                    self._send(worker, {"plan": str(worker.job[0]), "out": str(worker.job[1])})
            done = self._wait()
            for out in done:
                pending -= 1
                yield out

    def _send(self, worker: _Worker, job: dict[str, str]) -> None:
        assert worker.proc.stdin is not None
        try:
            worker.proc.stdin.write(json.dumps(job).encode() + b"\n")
            worker.proc.stdin.flush()
        except OSError as exc:  # the worker is gone: its exit says why
            self._failed(worker, "stopped before it took its work", exc, ended=True)

    def _wait(self) -> list[Path]:
        """Read what the workers said (waiting at most until the deadline); finished jobs."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ToolchainError(
                f"checkov ran longer than {self.timeout:.0f} s and was stopped; no verdict of "
                f"this run is used. {_WAYS_OUT}"
            )
        done: list[Path] = []
        for key, _mask in self.selector.select(timeout=min(left, 5.0)):
            worker: _Worker = key.data
            chunk = os.read(worker.proc.stdout.fileno(), 65536)  # type: ignore[union-attr]
            if not chunk:
                self.selector.unregister(key.fileobj)
                self._failed(worker, "ended before it finished its work", ended=True)
            worker.buffer += chunk
            *lines, worker.buffer = worker.buffer.split(b"\n")
            for line in lines:
                out = self._answer(worker, line)
                if out is not None:
                    done.append(out)
        return done

    def _answer(self, worker: _Worker, line: bytes) -> Path | None:
        """One protocol line: the profile, or a finished job (anything else is garbage)."""
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            self._failed(worker, "answered something that is not its protocol")
        if not worker.ready and isinstance(message.get("profile"), dict):
            worker.ready, worker.profile = True, message["profile"]
            return None
        if not worker.ready and message.get("ready") is True:
            worker.ready = True
            return None
        if worker.job is not None and message.get("done") == str(worker.job[1]):
            out = worker.job[1]
            worker.job = None
            return out
        self._failed(worker, "answered something that is not its protocol")
        return None  # pragma: no cover - _failed raises

    def _failed(self, worker: _Worker, what: str, cause: BaseException | None = None,
                ended: bool = False) -> None:
        """Stop every worker and raise the one-paragraph error (with the worker's own words)."""
        if ended:  # it closed its output: its exit status is a moment away
            with contextlib.suppress(Exception):
                worker.proc.wait(timeout=2)
        code = worker.proc.poll()
        self.close(graceful=False)
        try:
            said = worker.stderr.read_text(errors="replace").strip()[-600:]
        except OSError:
            said = ""
        status = f"exit {code}" if code is not None else "still running"
        raise ToolchainError(
            f"a checkov worker {what} ({status}); no verdict of this run is used. {_WAYS_OUT}"
            + (f" The worker said: {said}" if said else "")
        ) from cause

    def close(self, graceful: bool = True) -> None:
        """End the workers: on success by closing their input (they exit 0), else stop them."""
        for worker in self.workers:
            if graceful and worker.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    worker.proc.stdin.close()
        for worker in self.workers:
            if graceful:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.proc.wait(timeout=5)
            lifecycle.stop_group(worker.proc, grace=1.0)
            for stream in (worker.proc.stdin, worker.proc.stdout):
                with contextlib.suppress(Exception):
                    if stream is not None:
                        stream.close()
        with contextlib.suppress(Exception):
            self.selector.close()
        self.workers = []
