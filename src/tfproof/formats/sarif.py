"""SARIF 2.1.0 for GitHub code scanning: one rule per check, one result per non-passing finding.

Code scanning tracks an alert across commits by the result's `partialFingerprints`,
so each result carries one derived from what the finding *is* (control, check,
resource address; its root module when findings carry one), never from where it
is written: moving a block or editing an unrelated line keeps the alert, fixing
it closes it. `upload-sarif` adds its own line-content hash beside ours.

Locations are the `.tf` line of the resource (`tfproof.engine.locate`), as URIs
relative to the repository root with `uriBaseId` %SRCROOT%, which is how code
scanning maps them onto the checkout. Code scanning rejects the whole upload if
any result lacks a physical location, so a finding with none (a --plan without
PATH, a remote module) points at the scanned target when it lies in the
repository, else at the target's file name; the resource address is always in
the message and in `logicalLocations`. Waived findings carry a suppression
("inSource" for an inline waiver comment, "external" for waivers.yaml) with the
waiver's reason, so they are visible but not alerts.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tfproof.findings import Finding, ScanReport, sorted_findings
from tfproof.secrets.scrub import scrub

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "tfproofFindingHash/v1"  # bump the version if what it hashes ever changes
SRCROOT = "%SRCROOT%"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def repository_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: the working directory) holding
    `.git`; the folder itself when there is none. URIs are made relative to it, so a scan
    run from a subfolder of the repository still yields paths code scanning can map."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def fingerprint(finding: Finding, occurrence: int = 0) -> str:
    """sha256 of what identifies the finding (not its line): stable across runs and edits.

    A JSON array is hashed, not a joined string, so no address can collide with
    another by containing the separator. `occurrence` tells apart the (unexpected)
    second finding with the same identity in one run, which code scanning would
    otherwise merge. Values are scrubbed first, as the report's text is: a hash of an
    address whose `for_each` key is a secret would let anyone who reads the alert test
    guesses of that secret offline.
    """
    parts: list[Any] = [scrub(finding.control), scrub(finding.check), scrub(finding.resource)]
    root = getattr(finding, "root", None)  # findings of a multi-root scan name their root
    if root:
        parts.append(scrub(str(root)))
    if occurrence:
        parts.append(occurrence)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _artifact(path: Path, root: Path) -> dict[str, str] | None:
    """artifactLocation of a file or folder: relative to `root` when inside it, else None."""
    absolute = Path(os.path.abspath(path)).resolve()
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return None
    if not relative.parts:
        return None
    return {"uri": quote(relative.as_posix(), safe="/"), "uriBaseId": SRCROOT}


def _location(finding: Finding, target: str, root: Path) -> dict[str, Any]:
    if finding.file:
        artifact = _artifact(Path(finding.file), root) or {
            "uri": Path(os.path.abspath(finding.file)).resolve().as_uri()}
        line = max(int(finding.line or 1), 1)
    else:
        artifact = (_artifact(Path(target), root) if target else None) or {
            "uri": quote(Path(target).name or "tfproof", safe=""), "uriBaseId": SRCROOT}
        line = 1
    return {
        "physicalLocation": {"artifactLocation": artifact, "region": {"startLine": line}},
        "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}],
    }


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


def _result(finding: Finding, target: str, root: Path, hash_: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.check,
        "level": "note" if finding.status == "advisory" else _LEVEL.get(finding.severity,
                                                                         "warning"),
        "message": {"text": f"{finding.resource}: {finding.message}"},
        "locations": [_location(finding, target, root)],
        "partialFingerprints": {FINGERPRINT: hash_},
        "properties": {"control": finding.control, "status": finding.status,
                       "source": finding.source},
    }
    if finding.baseline:  # against a baseline (--baseline/--since): SARIF's own notion
        result["baselineState"] = "unchanged" if finding.baseline == "known" else "new"
    if finding.status == "waived" and finding.waiver:
        # an inline `tfproof:waive` comment sits in the source: SARIF calls that "inSource"
        kind = "inSource" if finding.waiver.get("source") == "inline" else "external"
        result["suppressions"] = [{
            "kind": kind,
            "justification": f"{finding.waiver.get('reason')} (owner {finding.waiver.get('owner')},"
                             f" expires {finding.waiver.get('expires')})",
        }]
    return result


def render_sarif(report: ScanReport, source_root: Path | None = None) -> str:
    """A SARIF 2.1.0 log with one run; URIs relative to `source_root` (default: the
    repository holding the working directory, `repository_root()`)."""
    root = (source_root or repository_root()).resolve()
    shown = [f for f in sorted_findings(report.findings) if f.status != "passed"]
    rules: dict[str, dict[str, Any]] = {}
    results = []
    seen: dict[str, int] = {}
    for finding in shown:
        rules.setdefault(finding.check, _rule(finding))
        base = fingerprint(finding)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        results.append(_result(finding, report.target, root, fingerprint(finding, occurrence)))
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tfproof",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": list(rules.values()),
            }},
            "results": results,
            # a baseline's fixed entries stay here, not as "absent" results: code scanning
            # makes every result an alert (whatever its kind) and closes fixed ones itself
            "properties": {"summary": report.summary,
                           **({"baseline": report.baseline} if report.baseline else {})},
        }],
    }
    return json.dumps(log, indent=2) + "\n"
