"""`scan_roots()`: many root modules in one run, one report (`tfproof scan infra/`).

Each root goes through the same `scan()` as a single root (plan cache, checkov
cache, custom policies, waivers with the root as the waiver target), so a root
costs nothing more here than on its own. What a merge adds:

- every finding carries its root's folder (`Finding.root`, part of `Finding.key`):
  two roots can hold the same address, and a baseline or SARIF fingerprint must
  not mistake one for the other;
- a waiver is reported unmatched only when it matched in no root (each root's
  scan sees only its own findings), an expired one once, with its matches summed;
- a root that cannot be planned here fails the run closed (exit 2 naming the root
  and the cause; a report that left it out would pass what was never checked)
  unless the caller asked to skip such roots, which are then listed in the report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tfproof import __version__, progress
from tfproof.engine.scan import scan
from tfproof.errors import PlanError
from tfproof.findings import Finding, ScanReport
from tfproof.secrets.scrub import remember_module_inputs
from tfproof.terraform.roots import declared_variables, display

# how `scan()` starts the note of an expired or unmatched waiver (replaced by the run's own)
_WAIVER_NOTES = ("waiver expired:", "waiver unmatched:")


def _cause(exc: PlanError) -> str:
    """The first paragraph of a plan error: the cause and the ways out (Terraform's own
    output follows it after a blank line)."""
    return str(exc).partition("\n\n")[0]


def _identity(problem: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """A waiver problem's waiver, as `Finding.waiver` holds it (set fields only)."""
    return tuple(sorted((k, str(v)) for k, v in problem.items()
                        if k not in ("problem", "matched") and v is not None))


def merge_waiver_problems(
    problems: Sequence[Mapping[str, Any]], findings: Sequence[Finding]
) -> list[dict[str, Any]]:
    """The waiver problems of the whole run from each root's: unmatched only when the waiver
    waived nothing in any root, each problem once, an expired waiver's matches summed."""
    waiving = {_identity(f.waiver) for f in findings if f.waiver}
    merged: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, Any]] = {}
    for problem in problems:
        identity = _identity(problem)
        kind = str(problem.get("problem"))
        if kind == "unmatched" and identity in waiving:
            continue
        seen = merged.get((kind, identity))
        if seen is None:
            merged[(kind, identity)] = dict(problem)
        elif isinstance(seen.get("matched"), int):
            seen["matched"] += int(problem.get("matched") or 0)
    return list(merged.values())


def waiver_note(problem: Mapping[str, Any]) -> str:
    """The note of one waiver problem, worded as `scan()` words it for one root."""
    what = problem.get("check") or problem.get("control")
    at = f" at {problem['file']}:{problem['line']}" if problem.get("file") else ""
    return (f"waiver {problem['problem']}: {what} on {problem['resource']}{at} "
            f"(owner {problem['owner']}, expires {problem['expires']})")


def unplannable(failures: Sequence[tuple[str, PlanError]], total: int, target: str) -> PlanError:
    """One error for the roots that could not be planned: each named with its cause."""
    causes = " ".join(cause if (cause := _cause(exc)).startswith(name) else f"{name}: {cause}"
                      for name, exc in failures)
    details = "\n\n".join(f"{name}: {rest}" for name, exc in failures
                          if (rest := str(exc).partition("\n\n")[2]))
    message = (
        f"{len(failures)} of the {total} root modules below {target} cannot be planned here, so "
        "no report was written (one that left them out would pass what was never checked). "
        f"{causes} Rerun once they can be planned, scan a narrower folder, or pass "
        "--skip-unplannable to report on the other roots and list these as not scanned."
    )
    return PlanError(message + (f"\n\n{details}" if details else ""),
                     output=failures[0][1].output, stage=failures[0][1].stage)


def _root_variables(root: Path, variables: Mapping[str, str]) -> dict[str, str]:
    """The `--var` values the root declares: Terraform ignores the others (they reach it as
    TF_VAR_*), and leaving them out keeps each root's plan cache key its own."""
    declared = declared_variables(root)
    return {k: v for k, v in variables.items() if k in declared}


def scan_roots(
    roots: Sequence[Path],
    target: str,
    variables: Mapping[str, str] | None = None,
    var_files: Sequence[Path] = (),
    waivers_path: Path | None = None,
    *,
    checkov: bool = True,
    skip_unplannable: bool = False,
    notes: Sequence[str] = (),
    today: dt.date | None = None,
) -> ScanReport:
    """Scan every root and merge the reports (see the module docstring).

    `target` names the run (the folder searched); `notes` are the search's own.
    """
    names = [display(root) for root in roots]
    inputs = [_root_variables(root, variables or {}) for root in roots]
    for root, values in zip(roots, inputs, strict=True):  # before anything can print
        remember_module_inputs(root, values, var_files)
    reports: list[ScanReport] = []
    entries: list[dict[str, Any]] = []
    failures: list[tuple[str, PlanError]] = []
    for number, (name, values) in enumerate(zip(names, inputs, strict=True), 1):
        step = f"root {number}/{len(roots)} {name}"
        progress.say(f"{step}: planning…")
        try:
            report = scan(target=name, variables=values,
                          var_files=var_files, waivers_path=waivers_path, checkov=checkov,
                          today=today)
        except PlanError as exc:
            progress.say(f"{step}: cannot be planned here")
            failures.append((name, exc))
            entries.append({"path": name, "skipped": _cause(exc)})
            continue
        for finding in report.findings:
            finding.root = name
        reports.append(report)
        entries.append({"path": name, "resources": report.resources,
                        "summary": report.summary})
        progress.say(f"{step}: scanned, {len(report.failed)} failed")
    if failures and (not skip_unplannable or not reports):
        raise unplannable(failures, len(roots), target)
    return _merge(reports, entries, failures, target, notes)


def _merge(
    reports: Sequence[ScanReport], entries: list[dict[str, Any]],
    failures: Sequence[tuple[str, PlanError]], target: str, notes: Sequence[str],
) -> ScanReport:
    findings = [f for report in reports for f in report.findings]
    problems = merge_waiver_problems([p for r in reports for p in r.waivers], findings)
    merged_notes = list(notes)
    for name, exc in failures:
        merged_notes.append(f"NOT SCANNED: the root module {name} could not be planned here "
                            f"(--skip-unplannable): {_cause(exc)}")
    for report in reports:
        # the root's own notes under its name; its waiver notes are the whole run's (below)
        merged_notes += [f"{report.target}: {note}" for note in report.notes
                         if not note.startswith(_WAIVER_NOTES)]
    merged_notes += [waiver_note(p) for p in problems]
    base = reports[0] if reports else ScanReport(target=target, findings=[],
                                                tool_version=__version__)
    return dataclasses.replace(
        base, target=target, findings=findings, notes=merged_notes, waivers=problems,
        resources=sum(r.resources or 0 for r in reports), roots=entries,
    )


def empty_report(target: str, notes: Sequence[str]) -> ScanReport:
    """The report of a run that had no root to scan (no changed file feeds one)."""
    return ScanReport(target=target, findings=[], tool_version=__version__, notes=list(notes),
                      resources=0, roots=[])

