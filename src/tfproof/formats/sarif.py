"""SARIF 2.1.0 for GitHub code scanning: one rule per check, one result per non-passing finding.

Code scanning needs a physical location on each result: a finding located in
a .tf file points there; otherwise it points at the scanned target so the
upload is still accepted. Waived findings carry an external suppression with
the waiver's reason, so they are visible but not alerts.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tfproof.findings import Finding, ScanReport, sorted_findings

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def _rule(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.check,
        "name": finding.check.replace("-", "_"),
        "shortDescription": {"text": finding.message.split(" (advisory")[0][:200]},
        "fullDescription": {"text": f"{finding.control}: {finding.message}"[:1000]},
        "help": {"text": finding.remediation or f"See control {finding.control}."},
        "properties": {
            "tags": ["security", "terraform", finding.control],
            "security-severity": _SCORE.get(finding.severity, "5.5"),
        },
    }


def _result(finding: Finding, target: str) -> dict[str, Any]:
    uri = finding.file or target
    result: dict[str, Any] = {
        "ruleId": finding.check,
        "level": "note" if finding.status == "advisory" else _LEVEL.get(finding.severity,
                                                                         "warning"),
        "message": {"text": f"{finding.resource}: {finding.message}"},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri.lstrip("./") if uri.startswith("./") else uri},
                "region": {"startLine": max(int(finding.line or 1), 1)},
            },
            "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}],
        }],
        "partialFingerprints": {
            "tfproof/v1": hashlib.sha256("|".join(finding.key).encode()).hexdigest()
        },
        "properties": {"control": finding.control, "status": finding.status,
                       "source": finding.source},
    }
    if finding.status == "waived" and finding.waiver:
        result["suppressions"] = [{
            "kind": "external",
            "justification": f"{finding.waiver.get('reason')} (owner {finding.waiver.get('owner')},"
                             f" expires {finding.waiver.get('expires')})",
        }]
    return result


def render_sarif(report: ScanReport) -> str:
    """A SARIF 2.1.0 log with one run."""
    shown = [f for f in sorted_findings(report.findings) if f.status != "passed"]
    rules: dict[str, dict[str, Any]] = {}
    for finding in shown:
        rules.setdefault(finding.check, _rule(finding))
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tfproof",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": "https://example.invalid/tfproof",
                "rules": list(rules.values()),
            }},
            "results": [_result(f, report.target) for f in shown],
            "properties": {"summary": report.summary},
        }],
    }
    return json.dumps(log, indent=2) + "\n"
