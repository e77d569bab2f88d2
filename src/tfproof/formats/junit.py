"""JUnit XML: one test suite per control, one test case per check and resource.

CI systems render JUnit natively; failures show the message and the fix,
waived and advisory findings are `skipped` with the reason, so nothing is
silently green. Against a baseline, a new failure is a `failure` ("new: ..."),
a known one is `skipped` as "known failure (in the baseline ...)": visible, not
passed, and not failing the job that the exit status lets through.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from tfproof.findings import Finding, ScanReport, sorted_findings


def render_junit(report: ScanReport) -> str:
    """A <testsuites> document."""
    by_control: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted_findings(report.findings):
        by_control[finding.control].append(finding)
    root = ET.Element("testsuites", name=f"tfproof {report.target}",
                      tests=str(len(report.findings)), failures=str(len(report.new_failed)))
    for control in sorted(by_control):
        cases = by_control[control]
        suite = ET.SubElement(
            root, "testsuite", name=control, tests=str(len(cases)),
            failures=str(sum(_new(f) for f in cases)),
            skipped=str(sum(f.status in ("waived", "advisory") or f.baseline == "known"
                            for f in cases)),
        )
        for finding in cases:
            # two roots of one scan may hold the same address: the root keeps the names apart
            name = f"{finding.root}: {finding.resource}" if finding.root else finding.resource
            case = ET.SubElement(suite, "testcase", classname=f"{control}.{finding.check}",
                                 name=name)
            if finding.file:
                case.set("file", finding.file)
                case.set("line", str(finding.line or 1))
            if finding.status == "failed" and finding.baseline == "known":
                ET.SubElement(case, "skipped", message="known failure (in the baseline "
                              f"{(report.baseline or {}).get('against')}): {finding.message}")
            elif finding.status == "failed":
                new = "new: " if finding.baseline == "new" else ""
                failure = ET.SubElement(case, "failure", message=new + finding.message,
                                        type=finding.severity)
                failure.text = finding.remediation or finding.message
            elif finding.status == "waived":
                reason = (finding.waiver or {}).get("reason")
                ET.SubElement(case, "skipped", message=f"waived: {reason}")
            elif finding.status == "advisory":
                ET.SubElement(case, "skipped", message=f"advisory: {finding.message}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _new(finding: Finding) -> bool:
    """A failure that makes the exit status 1 (every failure, without a baseline)."""
    return finding.status == "failed" and finding.baseline != "known"
