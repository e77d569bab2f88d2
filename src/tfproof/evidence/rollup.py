"""Roll the results of every layer up into one verdict per control.

A control's verdict must be explainable to an auditor: which layers proved it
(plan assertions, policies, live checks on the sandbox), which findings, test
node ids and live checks stand behind it, and, when nothing could check it,
why. Controls never vanish: a control with no evidence is reported as
`not_checked` with the reason, not left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from tfproof.engine.catalog import Control
from tfproof.evidence.catalog import frameworks, requirement
from tfproof.evidence.model import (
    CONTROL_STATUSES,
    LAYERS,
    TEST_FAILURES,
    TEST_PASSES,
    LayerInputs,
)
from tfproof.findings import Finding


def finding_id(env: str, finding: Finding) -> str:
    """A stable identity for one finding across runs (env, check, resource, control)."""
    return f"{env}|{finding.check}|{finding.resource}|{finding.control}"


def _finding_entry(env: str, index: int, finding: Finding) -> dict[str, Any]:
    data = finding.to_json()
    data["env"] = env
    data["id"] = f"F{index:04d}"
    data["key"] = finding_id(env, finding)
    return data


def _layer_verdict(passes: int, failures: int, waived: int, skipped: int) -> str:
    if failures:
        return "failed"
    if waived:
        return "waived"
    if passes:
        return "passed"
    if skipped:
        return "skipped"
    return "none"


def _reason(status: str, counts: dict[str, Counter[str]], skips: list[str]) -> str:
    findings, tests, live = counts["findings"], counts["tests"], counts["live_checks"]
    if status == "failed":
        parts = []
        if findings["failed"]:
            parts.append(f"{findings['failed']} failing finding(s)")
        bad_tests = sum(tests[o] for o in TEST_FAILURES)
        if bad_tests:
            parts.append(f"{bad_tests} failing test(s)")
        if live["failed"]:
            parts.append(f"{live['failed']} failing live check(s)")
        return ", ".join(parts)
    if status == "waived":
        return f"{findings['waived']} failing finding(s) waived; no unwaived failure"
    if status == "passed":
        return "every check that ran on it held"
    if skips:
        return "not checked: " + "; ".join(sorted(set(skips)))[:600]
    if findings["advisory"]:
        return (
            "not checked: only advisory findings (checkov defaults stricter than the seed); "
            "no check of the requirement itself ran"
        )
    return (
        "not checked: no finding, test or live check covered it (no resource it governs "
        "in the plans, or no layer that checks it ran)"
    )


def rollup(controls: Sequence[Control], inputs: LayerInputs) -> dict[str, Any]:
    """The `controls`, `unattributed` and `summary` sections of evidence.json."""
    known = {c.id for c in controls}
    per_control: dict[str, dict[str, list[Any]]] = {
        c.id: {"findings": [], "tests": [], "live_checks": []} for c in controls
    }
    unattributed: dict[str, list[Any]] = {"findings": [], "tests": [], "live_checks": []}
    index = 0
    for scan in inputs.scans:
        for finding in scan.report.findings:
            index += 1
            entry = _finding_entry(scan.env, index, finding)
            target = per_control.get(finding.control)
            (target["findings"] if target else unattributed["findings"]).append(entry)
    for test in inputs.tests:
        entry = test.to_json()
        hits = [c for c in test.controls if c in known]
        for control in hits:
            per_control[control]["tests"].append(entry)
        if not hits:
            unattributed["tests"].append(entry)
    for check in inputs.live_checks:
        target = per_control.get(check.control)
        (target["live_checks"] if target else unattributed["live_checks"]).append(check.to_json())

    out_controls = []
    for control in controls:
        evidence = per_control[control.id]
        counts: dict[str, Counter[str]] = {
            "findings": Counter(f["status"] for f in evidence["findings"]),
            "tests": Counter(t["outcome"] for t in evidence["tests"]),
            "live_checks": Counter(c["status"] for c in evidence["live_checks"]),
        }
        layers = {}
        for layer in LAYERS:
            tests = [t for t in evidence["tests"] if t["layer"] == layer]
            passes = sum(t["outcome"] in TEST_PASSES for t in tests)
            failures = sum(t["outcome"] in TEST_FAILURES for t in tests)
            skipped = len(tests) - passes - failures
            waived = 0
            if layer == "policy":
                by_status = counts["findings"]
                passes += by_status["passed"]
                failures += by_status["failed"]
                waived = by_status["waived"]
            if layer == "live":
                passes += counts["live_checks"]["passed"]
                failures += counts["live_checks"]["failed"]
                skipped += counts["live_checks"]["skipped"]
            layers[layer] = {
                "status": _layer_verdict(passes, failures, waived, skipped),
                "passed": passes,
                "failed": failures,
                "waived": waived,
                "skipped": skipped,
            }
        verdicts = [v["status"] for v in layers.values()]
        if "failed" in verdicts:
            status = "failed"
        elif "waived" in verdicts:
            status = "waived"
        elif "passed" in verdicts:
            status = "passed"
        else:
            status = "not_checked"
        skips = [
            f"{c['name']}: {c['detail']}" if c["detail"] else c["name"]
            for c in evidence["live_checks"]
            if c["status"] == "skipped"
        ] + [
            f"{t['nodeid']} skipped" + (f" ({t['message']})" if t.get("message") else "")
            for t in evidence["tests"]
            if t["outcome"] not in TEST_FAILURES | TEST_PASSES
        ]
        by_env: dict[str, str] = {}
        for scan in inputs.scans:
            env_statuses = {f["status"] for f in evidence["findings"] if f["env"] == scan.env}
            for candidate in ("failed", "waived", "passed", "advisory"):
                if candidate in env_statuses:
                    by_env[scan.env] = candidate
                    break
            else:
                by_env[scan.env] = "none"
        out_controls.append(
            {
                "id": control.id,
                "title": control.title,
                "requirement": requirement(control),
                "holds_when": control.holds_when,
                "frameworks": frameworks(control),
                "checks": list(control.checks),
                "advisory_checks": list(control.advisory_checks),
                "status": status,
                "reason": _reason(status, counts, skips),
                "proved_by": [layer for layer in LAYERS if layers[layer]["status"] == "passed"],
                "layers": layers,
                "by_env": by_env,
                "counts": {k: dict(sorted(v.items())) for k, v in counts.items()},
                "findings": evidence["findings"],
                "tests": evidence["tests"],
                "live_checks": evidence["live_checks"],
            }
        )
    return {
        "controls": out_controls,
        "unattributed": unattributed,
        "summary": summarise(out_controls, inputs, unattributed),
    }


def summarise(
    controls: list[dict[str, Any]], inputs: LayerInputs, unattributed: dict[str, list[Any]]
) -> dict[str, Any]:
    """Counts an auditor (and the report's chart) starts from."""
    by_status = Counter(c["status"] for c in controls)
    findings = Counter(f.status for s in inputs.scans for f in s.report.findings)
    tests = Counter(t.outcome for t in inputs.tests)
    live = Counter(c.status for c in inputs.live_checks)
    failing_unattributed = [
        t["nodeid"] for t in unattributed["tests"] if t["outcome"] in TEST_FAILURES
    ] + [f["key"] for f in unattributed["findings"] if f["status"] == "failed"] + [
        c["name"] for c in unattributed["live_checks"] if c["status"] == "failed"
    ]
    return {
        "controls": {s: by_status.get(s, 0) for s in CONTROL_STATUSES},
        "controls_total": len(controls),
        "findings": {s: findings.get(s, 0) for s in ("failed", "waived", "passed", "advisory")},
        "tests": dict(sorted(tests.items())),
        "live_checks": {s: live.get(s, 0) for s in ("passed", "failed", "skipped")},
        "failing_controls": [c["id"] for c in controls if c["status"] == "failed"],
        "failing_unattributed": failing_unattributed,
    }


def audit_failed(evidence: dict[str, Any]) -> bool:
    """True when the run must exit non-zero: a control failed, or a failure fits no control."""
    summary = evidence["summary"]
    return bool(summary["failing_controls"] or summary["failing_unattributed"])
