"""The test layers' one pytest run: started in a subprocess, read back when it ends.

pytest runs with junit XML and the control-attribution plugin
(`tfproof.evidence.pytest_plugin`) pointed into a scratch folder; its exit
status and results file say whether its evidence can be trusted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tfproof import progress
from tfproof.errors import TfproofError
from tfproof.evidence.layers import LAYER_TEST_DIRS, LIVE_MODULE_TESTS, AuditRequest
from tfproof.evidence.model import LIVE_CHECKS_ENV, RESULTS_ENV, TestResult


def test_paths(request: AuditRequest) -> list[str]:
    """The pytest paths for the layers asked for (only folders that exist)."""
    if request.test_paths is not None:
        return list(request.test_paths)
    paths = [
        LAYER_TEST_DIRS[layer]
        for layer in request.layers
        if layer in LAYER_TEST_DIRS and (request.root / LAYER_TEST_DIRS[layer]).is_dir()
    ]
    if "live" in request.layers and request.apply_sandbox \
            and (request.root / LIVE_MODULE_TESTS).is_file():
        paths.append(LIVE_MODULE_TESTS)
    return paths


@dataclass
class TestRun:
    """A running pytest subprocess and where it writes."""

    process: subprocess.Popen[str] | None
    scratch: Path
    paths: list[str]
    log: Path
    reader: threading.Thread | None = None

    @property
    def junit(self) -> Path:
        """pytest's own junit XML."""
        return self.scratch / "pytest-junit.xml"

    @property
    def results(self) -> Path:
        """The plugin's JSON of outcomes and controls."""
        return self.scratch / "pytest-results.json"

    @property
    def live_checks(self) -> Path:
        """The integration layer's live-check records."""
        return self.scratch / "live-checks.json"


def _pump(stream: TextIO, log: Path) -> None:
    with open(log, "w") as handle:
        for line in stream:
            handle.write(line)


def _rootdir(root: Path, paths: list[str]) -> Path:
    """The rootdir that test node ids are relative to, fixed rather than left to pytest's
    search (a stray pytest.ini or pyproject.toml above a test folder would otherwise move it,
    and with it every node id the evidence links to)."""
    resolved = [(root / p).resolve() for p in paths]
    base = root.resolve()
    if all(p == base or base in p.parents for p in resolved):
        return base
    common = Path(os.path.commonpath([str(p) for p in resolved]))
    return common if common.is_dir() else common.parent


def parallel_args(paths: list[str], user_args: list[str]) -> list[str]:
    """pytest-xdist workers for the audit's run, unless the caller chose (or xdist is absent).

    Two cores: the plan and policy layers are bound by `terraform plan` and checkov
    subprocesses, the live module examples mostly wait on the provider's fixed delays; a
    third worker keeps the cores busy while the examples wait. `loadgroup` keeps each
    example's pytest-terraform fixture on one worker (tests/integration/conftest.py).
    """
    import importlib.util

    chosen = any(a in ("-n", "--numprocesses", "--dist") or a.startswith(("-n", "--dist="))
                 for a in user_args) or "no:xdist" in user_args  # fmt: skip
    if chosen or importlib.util.find_spec("xdist") is None:
        return []
    workers = "3" if LIVE_MODULE_TESTS in paths else "2"
    return ["-n", workers, "--dist", "loadgroup"]


def start_tests(request: AuditRequest, scratch: Path) -> TestRun:
    """Start the one pytest run of every test layer asked for (returns at once)."""
    paths = test_paths(request)
    run = TestRun(process=None, scratch=scratch, paths=paths, log=scratch / "pytest-output.txt")
    if not paths:
        return run
    env = dict(os.environ)
    env[RESULTS_ENV] = str(run.results)
    env[LIVE_CHECKS_ENV] = str(run.live_checks)
    env["TFPROOF_SANDBOX"] = request.sandbox
    env.setdefault("TFPROOF_CACHE_DIR", str(request.root / ".cache" / "tfproof"))
    argv = [
        sys.executable, "-m", "pytest", *paths,
        f"--rootdir={_rootdir(request.root, paths)}",
        "-p", "no:cacheprovider",
        "-p", "tfproof.evidence.pytest_plugin",
        f"--junitxml={run.junit}",
        "-o", "junit_suite_name=tfproof",
        "-o", "junit_logging=no",
        "--continue-on-collection-errors",
        "-q", "-rfE",
        *parallel_args(paths, request.pytest_args),
        *request.pytest_args,
    ]  # fmt: skip
    progress.say(f"tests: starting pytest on {' '.join(paths)}")
    run.process = subprocess.Popen(
        argv,
        cwd=request.root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=None,  # the plugin's progress lines go straight to the terminal
        text=True,
    )
    assert run.process.stdout is not None
    run.reader = threading.Thread(target=_pump, args=(run.process.stdout, run.log), daemon=True)
    run.reader.start()
    return run


def finish_tests(run: TestRun) -> tuple[list[TestResult], int | None, list[str]]:
    """Wait for pytest; its outcomes, its exit status and notes on anything odd."""
    if run.process is None:
        return [], None, [
            "no pytest layer ran (none asked for, no test folder, or a --target audit "
            "without --tests)"
        ]
    code = run.process.wait()
    if run.reader is not None:
        run.reader.join(timeout=30)
    notes = []
    if code in (3, 4):
        tail = run.log.read_text(errors="replace")[-1500:] if run.log.exists() else ""
        raise TfproofError(
            f"pytest could not run the test layers (exit {code}: "
            f"{'internal error' if code == 3 else 'usage error'}); the audit has no test "
            f"evidence. pytest said: {tail.strip()}"
        )
    if not run.results.is_file():
        raise TfproofError(
            f"pytest exited {code} without writing its results ({run.results}); the test "
            "layers' evidence is missing, so the audit cannot vouch for them."
        )
    payload = json.loads(run.results.read_text())
    tests = [
        TestResult(
            nodeid=t["nodeid"],
            outcome=t["outcome"],
            layer=t["layer"],
            controls=list(t.get("controls", [])),
            duration=float(t.get("duration", 0.0)),
            message=t.get("message", ""),
            attribution=t.get("attribution", "none"),
        )
        for t in payload.get("tests", [])
    ]
    if code == 5:
        notes.append(f"pytest collected no test in {' '.join(run.paths)}")
    return tests, code, notes
