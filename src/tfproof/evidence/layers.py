"""What an audit is asked to do, and its policy layer: plan each target, scan the plan.

The pytest layers (tests/unit = plan assertions, tests/compliance = policies)
run once, as a subprocess (`evidence.pytest_run`). While that runs, this
process plans each environment (cached) and runs the policy scan on it
(`tfproof.engine.scan.scan`, the one the CLI uses), and the live layer
(`evidence.live`) applies the sandbox env once, runs every live check and
tears it down. So the two cores are both busy and the sandbox is applied once.
Nothing here writes into the bundle; `bundle` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfproof import plan_reader, progress
from tfproof.engine.scan import scan
from tfproof.evidence.model import EnvScan
from tfproof.findings import ScanReport
from tfproof.terraform.planner import PlanRequest, plan_json

# The pytest folders of the layers. The live layer's checks run through
# `tfproof.sandbox.live.run_live_checks()` instead of tests/integration: the same
# checks (tests/integration wraps them), one apply of the sandbox, and every
# result arrives as a LiveCheck that names its control.
LAYER_TEST_DIRS = {"plan": "tests/unit", "policy": "tests/compliance"}
# The module examples' live tests (pytest-terraform fixtures on a sandbox of their own) join
# that pytest run when the live layer applies the sandbox, so their control markers are
# evidence too; they run while this process applies the env.
LIVE_MODULE_TESTS = "tests/integration/test_modules_live.py"


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


def scan_target(target: Target, plan_file: Path, request: AuditRequest) -> ScanReport:
    """checkov and the custom policies on one target's plan (as written to the bundle), with
    the waivers applied."""
    progress.say(f"policy scan: {target.name}")
    report = scan(target=target.path, plan=plan_file, waivers_path=request.waivers)
    counts = report.summary
    progress.say(
        f"policy scan: {target.name}: {counts['failed']} failed, {counts['passed']} passed, "
        f"{counts['waived']} waived, {counts['advisory']} advisory"
    )
    return report


def plan_resources(raw_plan: dict[str, Any]) -> int:
    """How many managed resources the plan holds (for the report)."""
    return plan_reader.managed_count(raw_plan)  # already validated when it was planned


def env_scan(target: Target, plan_file: str, resources: int, report: ScanReport) -> EnvScan:
    """Bundle one target's scan for the roll-up."""
    return EnvScan(
        env=target.name,
        target=str(target.path),
        plan_file=plan_file,
        resources=resources,
        report=report,
    )
