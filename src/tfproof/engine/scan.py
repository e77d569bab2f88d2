"""`scan()`: plan (or take) a plan, run the custom policies and checkov, map, waive, report.

This is the one entry point the CLI, the audit and the benches share: every
result becomes a `Finding` of exactly one control; checkov's stricter defaults
that the seed overrules become "advisory"; a verdict that depends on values
known only after apply is never a failure (it is counted in the notes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tfproof import __version__, settings
from tfproof.checkov.runner import CheckovResult, CheckovSession
from tfproof.engine.catalog import (
    CheckovMapping,
    checkov_resource_types,
    load_catalog,
    load_checkov_map,
)
from tfproof.engine.helpers import unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.locate import Locator, annotate
from tfproof.engine.policy import policies_dir
from tfproof.engine.run import evaluate
from tfproof.engine.waiving import waive
from tfproof.errors import InputError
from tfproof.findings import Finding, ScanReport
from tfproof.plan import Plan
from tfproof.terraform.planner import PlanRequest
from tfproof.terraform.planner import plan as plan_module

EMPTY_PLAN_NOTE = ("The plan holds no managed resource: nothing was judged (an empty plan, "
                   "not a checked one).")


# a plan file this big (~600 resources) starts a checkov worker before it is read: a
# changed part's verdicts then cost little more than a cached scan; an unchanged plan
# stops the worker as soon as its parts are found in the cache (~0.5 s of one core)
EARLY_WORKER_BYTES = 2 * 2**20


def _large(plan: Plan | Path | str | dict[str, Any] | None) -> bool:
    """Whether `plan` is a plan file of at least EARLY_WORKER_BYTES."""
    if not isinstance(plan, str | Path):
        return False
    try:
        return Path(plan).stat().st_size >= EARLY_WORKER_BYTES
    except OSError:
        return False  # the loader says what is wrong with it


def _as_plan(plan: Plan | Path | str | dict[str, Any]) -> Plan:
    if isinstance(plan, Plan):
        return plan
    if isinstance(plan, dict):
        return Plan(plan)
    return Plan.load(Path(plan))


def checkov_findings(
    plan: Plan, index: PlanIndex, results: list[CheckovResult],
    mapping: Mapping[str, CheckovMapping],
) -> tuple[list[Finding], list[tuple[str, str, str]]]:
    """checkov results as findings; failures on values unknown until apply are set aside."""
    findings, undecided = [], []
    for result in results:
        entry = mapping.get(result.check)
        if entry is None:
            raise InputError(
                f"checkov returned {result.check}, which policies/checkov_map.yaml does not map."
            )
        status = "passed"
        if not result.passed:
            resource = plan.resources.get(result.resource)
            keys = [k.split("/")[0].split("[")[0] for k in result.evaluated_keys]
            if resource is not None and keys and all(unknown(resource, k) for k in keys):
                undecided.append((result.check, result.resource, "known only after apply"))
                continue
            status = "advisory" if entry.advisory else "failed"
        message = result.name
        if status == "advisory":
            message = f"{result.name} (advisory: {entry.advisory})"
        findings.append(Finding(
            control=entry.control, check=result.check, source="checkov",
            resource=result.resource, status=status,  # type: ignore[arg-type]
            severity=entry.severity if status == "failed" else ("low" if entry.advisory
                                                                 else entry.severity),
            message=message,
        ))
    return findings, undecided


def default_waivers(scanned: Path | str | None = None) -> Path | None:
    """The waivers.yaml of the policies folder, when it exists and belongs to what is scanned.

    tfproof's own `policies/waivers.yaml` holds this platform's accepted risks: they
    must not waive findings in someone else's repository (a pre-commit hook or CI
    job running tfproof from its checkout), so without TFPROOF_POLICIES_DIR they
    apply only to a target inside the checkout. Other repositories pass --waivers.
    """
    try:
        path = policies_dir() / "waivers.yaml"
    except InputError:
        return None
    if not path.is_file():
        return None
    if settings.current().policies_dir is not None or scanned is None:
        return path  # chosen by the user
    project = path.parent.parent.resolve()
    return path if Path(scanned).resolve().is_relative_to(project) else None


def scan(
    target: Path | str | None = None,
    plan: Plan | Path | str | dict[str, Any] | None = None,
    variables: Mapping[str, str] | None = None,
    var_files: Sequence[Path] = (),
    waivers_path: Path | str | None = None,
    *,
    checkov: bool = True,
    today: dt.date | None = None,
) -> ScanReport:
    """Scan a root module (planned offline) or an existing plan; see the module docstring."""
    if plan is None and target is None:
        raise InputError("Nothing to scan: give a Terraform root module folder or --plan.")
    with contextlib.ExitStack() as stack:
        mapping = load_checkov_map() if checkov else {}
        session = stack.enter_context(CheckovSession(sorted(mapping))) if checkov else None
        if session is not None and _large(plan):
            session.warm_up()  # checkov's import overlaps reading the plan and the engine
        if plan is None:
            loaded = plan_module(PlanRequest(
                path=Path(str(target)), variables=dict(variables or {}),
                var_files=tuple(var_files),
            ))
        else:
            loaded = _as_plan(plan)
        index = PlanIndex(loaded)
        if session is not None:  # the parts not cached go to checkov before the engine runs
            session.prepare(loaded.raw, resource_types=set(checkov_resource_types()))
        engine = evaluate(loaded, index=index)
        findings = list(engine.findings)
        undecided = list(engine.undecided)
        if session is not None:
            extra, skipped = checkov_findings(loaded, index, session.results(), mapping)
            findings += extra
            undecided += skipped
    root = Path(target) if target is not None and Path(target).is_dir() else None
    locator = Locator(root, index)
    scanned = target if target is not None else (plan if isinstance(plan, str | Path) else None)
    waiver_file = Path(waivers_path) if waivers_path else default_waivers(scanned)
    # the waivers file, inline `tfproof:waive` comments (read only with a folder), checkov skips;
    # before annotate: the inline reader refuses a pipe named *.tf that locate would block on
    problems, waiver_notes = waive(findings, index, locator, waiver_file,
                                   str(target) if target is not None else loaded.name, today)
    annotate(findings, locator)
    notes = []
    if not loaded.resources:
        notes.append(EMPTY_PLAN_NOTE)
    if undecided:
        notes.append(
            f"{len(undecided)} check(s) depend on values known only after apply and were not "
            "judged (never reported as failures)."
        )
    for problem in problems:
        what = problem.get("check") or problem.get("control")
        at = f" at {problem['file']}:{problem['line']}" if problem.get("file") else ""
        notes.append(f"waiver {problem['problem']}: {what} on {problem['resource']}{at} "
                     f"(owner {problem['owner']}, expires {problem['expires']})")
    notes += waiver_notes
    return ScanReport(
        target=str(target) if target is not None else loaded.name,
        findings=findings,
        tool_version=__version__,
        notes=notes,
        waivers=problems,
        resources=len(loaded.resources),
        control_titles={control.id: control.title for control in load_catalog()},
    )
