"""A terminal table: failures first with the fix, then a per-control roll-up, then the summary.

Readable at 100 columns without colour codes (CI logs strip them badly); long
addresses wrap into their own line rather than being cut. Against a baseline,
failures are NEW (they make the exit status 1, listed first) or KNOWN (in the
baseline: still failed, still shown), and the baseline's fixed entries are listed.
"""

from __future__ import annotations

from collections import defaultdict

from tfproof.findings import ScanReport, sorted_findings


def render_table(report: ScanReport) -> str:
    """The default `tfproof scan` output."""
    lines = [f"tfproof {report.tool_version} scan of {report.target}", ""]
    shown = [f for f in sorted_findings(report.findings) if f.status in ("failed", "waived")]
    shown.sort(key=lambda f: f.baseline == "known")  # stable: new failures, known, waived
    lines += _baseline_head(report)
    # a scan of many roots: which root a finding is in (two can hold the same address)
    width = max((len(f.root) for f in shown if f.root), default=0)
    if shown:
        lines.append(f"{'STATUS':<8} {'CONTROL':<15} {'CHECK':<26} "
                     f"{_cell('ROOT', width)}RESOURCE")
        for finding in shown:
            lines.append(
                f"{(finding.baseline or finding.status).upper():<8} {finding.control:<15} "
                f"{finding.check:<26} "
                f"{_cell(finding.root or '', width)}{finding.resource}"
            )
            where = f" ({finding.file}:{finding.line})" if finding.file else ""
            lines.append(f"{'':<9}{finding.message}{where}")
            if finding.waiver:
                lines.append(f"{'':<9}waived by {finding.waiver.get('owner')} until "
                             f"{finding.waiver.get('expires')}: {finding.waiver.get('reason')}")
        lines.append("")
    per_control: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for finding in report.findings:
        per_control[finding.control][finding.status] += 1
    lines.append(f"{'CONTROL':<16}{'FAILED':>7}{'WAIVED':>7}{'PASSED':>7}{'ADVISORY':>9}")
    for control in sorted(per_control):
        counts = per_control[control]
        lines.append(f"{control:<16}{counts['failed']:>7}{counts['waived']:>7}"
                     f"{counts['passed']:>7}{counts['advisory']:>9}")
    lines.append("")
    lines += _root_lines(report)
    lines += _fixed_lines(report)
    for note in report.notes:
        lines.append(f"note: {note}")
    summary = report.summary
    verdict = "FAIL" if summary["failed"] else "PASS"
    if report.baseline is not None and summary["failed"] and not report.new_failed:
        verdict = "NO NEW FAILURE"  # not PASS: the known failures are still failures
    known = (f" ({report.baseline['new']} new, {report.baseline['known']} known)"
             if report.baseline is not None else "")
    lines.append(
        f"{verdict}: {summary['failed']} failed{known}, {summary['waived']} waived, "
        f"{summary['passed']} passed, {summary['advisory']} advisory"
        + _incomplete(report)
    )
    return "\n".join(lines) + "\n"


def _cell(text: str, width: int) -> str:
    """The root column's cell: only when some finding has a root (width > 0)."""
    return f"{text:<{width}} " if width else ""


def _root_lines(report: ScanReport) -> list[str]:
    """A scan of many roots: each root with its resources and failures, or why it was not
    scanned (nothing left out without a line saying so)."""
    if not report.roots:
        return []
    width = max([4, *(len(str(r["path"])) for r in report.roots)])
    lines = [f"{'ROOT':<{width}} {'RESOURCES':>9} {'FAILED':>7}"]
    for root in report.roots:
        if "skipped" in root:
            lines.append(f"{root['path']:<{width}} NOT SCANNED (could not be planned here)")
        else:
            lines.append(f"{root['path']:<{width}} {root['resources']:>9} "
                         f"{root['summary']['failed']:>7}")
    return [*lines, ""]


def _incomplete(report: ScanReport) -> str:
    """Said on the verdict line itself when a root was left out (--skip-unplannable)."""
    skipped = [r for r in report.roots or [] if "skipped" in r]
    if not skipped:
        return ""
    return f" (INCOMPLETE: {len(skipped)} of {len(report.roots or [])} root modules not scanned)"


def _baseline_head(report: ScanReport) -> list[str]:
    """Against what the failures were compared, and the legend of NEW and KNOWN."""
    info = report.baseline
    if info is None:
        return []
    return [f"baseline {info['against']}: {info['new']} new failure(s) (exit 1 when any), "
            f"{info['known']} known (in the baseline, still failed), {len(info['fixed'])} fixed",
            ""]


def _fixed_lines(report: ScanReport) -> list[str]:
    """The baseline's entries that no longer fail, and what they are now."""
    fixed = (report.baseline or {}).get("fixed") or []
    if not fixed:
        return []
    lines = ["FIXED since the baseline (`--write-baseline` drops them from the file):"]
    for entry in fixed:
        root = f"{entry['root']} " if entry.get("root") else ""
        lines.append(f"  {entry['control']:<15} {entry['check']:<26} {root}{entry['resource']} "
                     f"(now {entry['now']})")
    return [*lines, ""]
