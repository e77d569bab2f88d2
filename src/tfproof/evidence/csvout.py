"""controls.csv: one row per control and resource, with the columns auditors filter on.

Auditors live in spreadsheets: they filter by control, environment, status,
owner of a waiver, framework reference (each framework's references with the
framework's version beside them, `<framework>_version`). Each row is one control on one
resource (all the checks of that control on that resource folded together);
a control with no resource-level evidence still gets one row, so no control
disappears from the sheet. Cells that a spreadsheet would run as a formula are
neutralised.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from tfproof.errors import InputError

COLUMNS = (
    "control",
    "control_title",
    "control_status",
    "proved_by",
    "env",
    "resource",
    "resource_type",
    "resource_status",
    "failed_checks",
    "waived_checks",
    "passed_checks",
    "advisory_checks",
    "live_checks",
    "max_severity",
    "sources",
    "waiver_owner",
    "waiver_expires",
    "waiver_reason",
    "cis",
    "cis_version",
    "nist_800_53",
    "nist_800_53_version",
    "soc2",
    "soc2_version",
    "file",
    "line",
    "messages",
    "finding_ids",
)
_SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
# catalog.yaml's framework key -> the column of its references (and `<column>_version`)
FRAMEWORK_COLUMNS = {"cis": "cis", "nist": "nist_800_53", "soc2": "soc2"}


def _framework_cells(evidence: dict[str, Any], control: dict[str, Any]) -> dict[str, str]:
    cells = {}
    for framework in evidence["frameworks"]:
        column = FRAMEWORK_COLUMNS.get(framework["key"])
        if column is None:  # its references would silently miss from the sheet
            raise InputError(
                f"controls.csv has no column for the framework {framework['key']!r} "
                f"({framework['title']}) of policies/catalog.yaml: add it to "
                "tfproof.evidence.csvout.FRAMEWORK_COLUMNS and COLUMNS."
            )
        refs = control["frameworks"].get(framework["label"], [])
        cells[column] = ";".join(refs)
        cells[f"{column}_version"] = framework["version"] if refs else ""
    return cells


def _safe(value: Any) -> str:
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _resource_type(address: str) -> str:
    parts = [p for p in address.split(".") if p]
    while len(parts) >= 2 and parts[0] == "module":
        parts = parts[2:]
    return parts[0].split("[")[0] if parts else ""


def _worst(statuses: set[str]) -> str:
    for status in ("failed", "waived", "passed", "advisory", "skipped"):
        if status in statuses:
            return status
    return ""


def rows(evidence: dict[str, Any]) -> list[dict[str, str]]:
    """The CSV rows (as dicts keyed by COLUMNS)."""
    out: list[dict[str, str]] = []
    for control in evidence["controls"]:
        base = {
            "control": control["id"],
            "control_title": control["title"],
            "control_status": control["status"],
            "proved_by": ";".join(control["proved_by"]),
        }
        base.update(_framework_cells(evidence, control))
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for finding in control["findings"]:
            groups[(finding["env"], finding["resource"])].append(finding)
        live: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for check in control["live_checks"]:
            if check.get("resource"):
                live[("sandbox (live)", check["resource"])].append(check)
        for env, resource in sorted(set(groups) | set(live)):
            findings = groups.get((env, resource), [])
            checks = live.get((env, resource), [])
            by_status: dict[str, list[str]] = defaultdict(list)
            for finding in findings:
                by_status[finding["status"]].append(finding["check"])
            severities = [f.get("severity", "") for f in findings if f["status"] == "failed"]
            severity = next((s for s in _SEVERITY_ORDER if s in severities), "")
            waivers = [f["waiver"] for f in findings if f.get("waiver")]
            located = next((f for f in findings if f.get("file")), {})
            statuses = {f["status"] for f in findings} | {c["status"] for c in checks}
            out.append(
                {
                    **base,
                    "env": env,
                    "resource": resource,
                    "resource_type": _resource_type(resource),
                    "resource_status": _worst(statuses),
                    "failed_checks": ";".join(sorted(set(by_status["failed"]))),
                    "waived_checks": ";".join(sorted(set(by_status["waived"]))),
                    "passed_checks": ";".join(sorted(set(by_status["passed"]))),
                    "advisory_checks": ";".join(sorted(set(by_status["advisory"]))),
                    "live_checks": ";".join(f"{c['name']}={c['status']}" for c in checks),
                    "max_severity": severity,
                    "sources": ";".join(sorted({f["source"] for f in findings} | (
                        {"live"} if checks else set()))),
                    "waiver_owner": ";".join(sorted({str(w.get("owner", "")) for w in waivers})),
                    "waiver_expires": ";".join(
                        sorted({str(w.get("expires", "")) for w in waivers})
                    ),
                    "waiver_reason": " | ".join(
                        sorted({str(w.get("reason", "")) for w in waivers})
                    ),
                    "file": located.get("file") or "",
                    "line": str(located.get("line") or ""),
                    "messages": " | ".join(
                        sorted({f["message"] for f in findings if f["status"] == "failed"})
                    ),
                    "finding_ids": ";".join(f["id"] for f in findings),
                }
            )
        if not groups and not live:
            out.append({**base, "env": "", "resource": "", "resource_status": control["status"],
                        "messages": control["reason"]})
    return out


def to_csv(evidence: dict[str, Any]) -> str:
    """controls.csv as text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(evidence):
        writer.writerow({column: _safe(row.get(column, "")) for column in COLUMNS})
    return buffer.getvalue()
