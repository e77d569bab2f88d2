"""What changed since an earlier bundle: regressions, recoveries, waivers added or expired.

An auditor reviewing the nightly bundle wants the delta, not the full table
again: which controls broke since last time, which were fixed, which failures
are newly waived (and by whom), which waivers ran out, and which controls lost
their evidence. The earlier bundle is verified first; comparing against a
bundle that was edited after its run would make the delta meaningless, so that
fails closed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tfproof.errors import InputError
from tfproof.evidence.manifest import verify

EVIDENCE = "evidence.json"


def load_previous(path: Path) -> dict[str, Any]:
    """The evidence.json of an earlier bundle (a bundle folder, or its evidence.json)."""
    path = Path(path)
    directory = path if path.is_dir() else path.parent
    if not (directory / EVIDENCE).is_file():
        raise InputError(
            f"--compare {path}: no {EVIDENCE} there. Give the folder of an earlier bundle, "
            "e.g. reports/20250101T000000Z-abc1234."
        )
    check = verify(directory)
    if not check.ok:
        names = ", ".join(check.changed + check.missing + check.unexpected + check.problems)
        raise InputError(
            f"--compare {path}: that bundle was modified after it was written ({names}); a "
            "comparison against it would not be evidence. Compare against an intact bundle."
        )
    try:
        doc = json.loads((directory / EVIDENCE).read_text())
    except ValueError as exc:
        raise InputError(f"--compare {path}: {EVIDENCE} is not JSON ({exc}).") from exc
    if not isinstance(doc, dict) or "controls" not in doc:
        raise InputError(f"--compare {path}: {EVIDENCE} is not a tfproof evidence document.")
    return doc


def _waiver_key(waiver: dict[str, Any]) -> str:
    subject = waiver.get("control") or waiver.get("check") or "?"
    return f"{subject} @ {waiver.get('resource', '*')}"


def _finding_failures(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for control in doc.get("controls", []):
        for finding in control.get("findings", []):
            if finding.get("status") == "failed":
                out[finding.get("key", finding.get("id", ""))] = finding
    return out


def compare(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The delta from `previous` to `current` (both evidence.json documents)."""
    before = {c["id"]: c for c in previous.get("controls", [])}
    after = {c["id"]: c for c in current.get("controls", [])}
    regressed, recovered, changed, lost = [], [], [], []
    for cid, control in after.items():
        old = before.get(cid)
        if old is None or old["status"] == control["status"]:
            continue
        entry = {"id": cid, "before": old["status"], "after": control["status"]}
        if control["status"] == "failed":
            regressed.append(entry)
        elif old["status"] == "failed":
            recovered.append(entry)
        elif control["status"] == "not_checked":
            lost.append(entry)
        else:
            changed.append(entry)
    old_fail, new_fail = _finding_failures(previous), _finding_failures(current)
    old_waivers = {_waiver_key(w): w for w in previous.get("waivers", [])}
    new_waivers = {_waiver_key(w): w for w in current.get("waivers", [])}
    expired = [
        w
        for key, w in new_waivers.items()
        if w.get("status") == "expired" and old_waivers.get(key, {}).get("status") != "expired"
    ]
    return {
        "previous": {
            "run_id": previous.get("run", {}).get("id"),
            "commit": previous.get("run", {}).get("git", {}).get("commit"),
            "finished": previous.get("run", {}).get("finished"),
        },
        "controls": {
            "regressed": regressed,
            "recovered": recovered,
            "lost_coverage": lost,
            "changed": changed,
            "added": sorted(set(after) - set(before)),
            "removed": sorted(set(before) - set(after)),
        },
        "findings": {
            "new_failures": sorted(set(new_fail) - set(old_fail)),
            "fixed": sorted(set(old_fail) - set(new_fail)),
        },
        "waivers": {
            "new": [new_waivers[k] for k in sorted(set(new_waivers) - set(old_waivers))],
            "removed": [old_waivers[k] for k in sorted(set(old_waivers) - set(new_waivers))],
            "expired": expired,
        },
    }


def describe(delta: dict[str, Any]) -> list[str]:
    """Terminal lines summarising a delta."""
    controls, waivers = delta["controls"], delta["waivers"]
    lines = [f"compared with {delta['previous']['run_id']}:"]
    for label, key in (("regressed", "regressed"), ("recovered", "recovered"),
                       ("lost coverage", "lost_coverage"), ("changed", "changed")):
        for entry in controls[key]:
            lines.append(f"  {label}: {entry['id']} ({entry['before']} -> {entry['after']})")
    for waiver in waivers["new"]:
        lines.append(f"  new waiver: {_waiver_key(waiver)} (owner {waiver.get('owner')})")
    for waiver in waivers["expired"]:
        lines.append(f"  expired waiver: {_waiver_key(waiver)} (expired {waiver.get('expires')})")
    findings = delta["findings"]
    lines.append(
        f"  findings: {len(findings['new_failures'])} new failure(s), "
        f"{len(findings['fixed'])} fixed"
    )
    return lines
