"""Running the layers an audit proves controls with: plans, policies, one pytest run, live checks.

The pytest layers (tests/unit = plan assertions, tests/compliance = policies)
run once, as a subprocess, with junit XML and the control-attribution plugin
pointed into a scratch folder. While that runs, this process plans each
environment (cached), runs the policy scan on it, and runs the live layer:
`tfproof.sandbox.live.run_live_checks()` applies the sandbox env once, runs every
live check (the ones tests/integration wraps), and tears it down. So the two
cores are both busy and the sandbox is applied once. A test run that writes
live-check records itself (to $TFPROOF_LIVE_CHECKS_OUT) is used instead.
Nothing here writes into the bundle; `bundle` does.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tfproof import plan_reader, progress, settings
from tfproof.errors import InputError, TfproofError
from tfproof.evidence.model import LIVE_CHECKS_ENV, RESULTS_ENV, EnvScan, TestResult
from tfproof.findings import ScanReport
from tfproof.sandbox.livecheck import LiveCheck
from tfproof.terraform.planner import PlanRequest, plan_json

# The pytest folders of the layers. The live layer's checks run through
# `tfproof.sandbox.live.run_live_checks()` instead of tests/integration: the same
# checks (tests/integration wraps them), one apply of the sandbox, and every
# result arrives as a record that names its control.
LAYER_TEST_DIRS = {"plan": "tests/unit", "policy": "tests/compliance"}


@dataclass
class Target:
    """One root module the audit plans and scans (an env of infra/, or a folder given)."""

    name: str
    path: Path


@dataclass
class AuditRequest:
    """What `tfproof audit` was asked to do."""

    root: Path
    targets: list[Target]
    layers: list[str]
    sandbox: str
    waivers: Path | None = None
    variables: dict[str, str] = field(default_factory=dict)
    var_files: list[Path] = field(default_factory=list)
    test_paths: list[str] | None = None
    pytest_args: list[str] = field(default_factory=list)
    apply_sandbox: bool = True  # run the live layer (infra/envs/sandbox) via run_live_checks


def plan_target(target: Target, request: AuditRequest) -> dict[str, Any]:
    """The redacted plan JSON of one target (from the plan cache when unchanged)."""
    progress.say(f"plan: {target.name} ({target.path})")
    return plan_json(
        PlanRequest(
            path=target.path,
            variables=request.variables,
            var_files=tuple(request.var_files),
            label=target.name,
        )
    )


def _scan_function() -> Callable[..., ScanReport]:
    for module_name in ("tfproof.engine.scan", "tfproof.engine", "tfproof.scan"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        scan = getattr(module, "scan", None)
        if callable(scan):
            return scan  # type: ignore[no-any-return]
    raise InputError(
        "The policy layer is not available in this installation (no tfproof.engine scan()); "
        "run the audit without it (--layer plan --layer live) or install tfproof completely."
    )


def scan_target(
    target: Target, raw_plan: dict[str, Any], plan_file: Path, request: AuditRequest
) -> ScanReport:
    """checkov and the custom policies on one target's plan, with the waivers applied."""
    scan = _scan_function()
    params = inspect.signature(scan).parameters
    offered: dict[str, Any] = {
        "target": target.path,
        "path": target.path,
        "plan": plan_file,
        "plan_path": plan_file,
        "variables": dict(request.variables),
        "var_files": list(request.var_files),
        "waivers_path": request.waivers,
        "waivers": request.waivers,
    }
    kwargs = {k: v for k, v in offered.items() if k in params}
    progress.say(f"policy scan: {target.name}")
    report = scan(**kwargs)
    if not isinstance(report, ScanReport):
        raise TfproofError(f"scan() returned {type(report).__name__}, not a ScanReport")
    counts = report.summary
    progress.say(
        f"policy scan: {target.name}: {counts['failed']} failed, {counts['passed']} passed, "
        f"{counts['waived']} waived, {counts['advisory']} advisory"
    )
    return report


def plan_resources(raw_plan: dict[str, Any]) -> int:
    """How many managed resources the plan holds (for the report)."""
    return plan_reader.managed_count(raw_plan)  # already validated when it was planned


def test_paths(request: AuditRequest) -> list[str]:
    """The pytest paths for the layers asked for (only folders that exist)."""
    if request.test_paths is not None:
        return list(request.test_paths)
    return [
        LAYER_TEST_DIRS[layer]
        for layer in request.layers
        if layer in LAYER_TEST_DIRS and (request.root / LAYER_TEST_DIRS[layer]).is_dir()
    ]


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


def sandbox_account(kind: str) -> str | None:
    """The account the live layer ran in: moto's fixed one, or the one the guard allowed."""
    if kind == "embedded":
        from tfproof.sandbox.kinds import EMBEDDED_ACCOUNT_ID

        return EMBEDDED_ACCOUNT_ID
    return settings.current().sandbox_account_id


def run_live_layer(kind: str) -> list[LiveCheck]:
    """Apply the sandbox env, run every live check, tear down (tfproof.sandbox)."""
    from tfproof.sandbox.live import run_live_checks

    progress.say(f"live checks: applying infra/envs/sandbox to the {kind} sandbox")
    checks = run_live_checks(kind)
    counts = {s: sum(c.status == s for c in checks) for s in ("passed", "failed", "skipped")}
    progress.say(
        f"live checks: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped"
    )
    return checks


def read_live_checks(path: Path) -> tuple[list[LiveCheck], dict[str, Any]]:
    """The live-check records the integration layer wrote, and what it says about the sandbox."""
    if not path.is_file():
        return [], {}
    try:
        payload = json.loads(path.read_text())
    except ValueError as exc:
        raise TfproofError(f"The live-check file {path} is not JSON: {exc}") from exc
    records = payload if isinstance(payload, list) else payload.get("checks", [])
    sandbox = {} if isinstance(payload, list) else dict(payload.get("sandbox", {}))
    if not all(isinstance(r, dict) for r in records):
        raise TfproofError(f"The live-check file {path} holds an entry that is not an object.")
    return [LiveCheck.from_json(r) for r in records], sandbox


def env_scan(target: Target, plan_file: str, resources: int, report: ScanReport) -> EnvScan:
    """Bundle one target's scan for the roll-up."""
    return EnvScan(
        env=target.name,
        target=str(target.path),
        plan_file=plan_file,
        resources=resources,
        report=report,
    )
