"""A terminal table: failures first with the fix, then a per-control roll-up, then the summary.

Readable at 100 columns without colour codes (CI logs strip them badly); long
addresses wrap into their own line rather than being cut.
"""

from __future__ import annotations

from collections import defaultdict

from tfproof.findings import ScanReport, sorted_findings


def render_table(report: ScanReport) -> str:
    """The default `tfproof scan` output."""
    lines = [f"tfproof {report.tool_version} scan of {report.target}", ""]
    shown = [f for f in sorted_findings(report.findings) if f.status in ("failed", "waived")]
    if shown:
        lines.append(f"{'STATUS':<8} {'CONTROL':<15} {'CHECK':<26} RESOURCE")
        for finding in shown:
            lines.append(
                f"{finding.status.upper():<8} {finding.control:<15} {finding.check:<26} "
                f"{finding.resource}"
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
    for note in report.notes:
        lines.append(f"note: {note}")
    summary = report.summary
    verdict = "FAIL" if summary["failed"] else "PASS"
    lines.append(
        f"{verdict}: {summary['failed']} failed, {summary['waived']} waived, "
        f"{summary['passed']} passed, {summary['advisory']} advisory"
    )
    return "\n".join(lines) + "\n"
