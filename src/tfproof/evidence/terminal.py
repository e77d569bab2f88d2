"""What `tfproof audit` shows on the terminal at the end of a run."""

from __future__ import annotations

from collections import Counter

from tfproof.evidence import compare as compare_mod
from tfproof.evidence.audit import AuditResult
from tfproof.evidence.document import FILES


def terminal_lines(result: AuditResult) -> list[str]:
    """What the terminal shows at the end: every control, the delta, where, failures last."""
    evidence = result.evidence
    lines = ["", f"{'control':<16} {'status':<12} {'proved by':<18} reason"]
    failing = []
    for control in evidence["controls"]:
        proved = ",".join(control["proved_by"]) or "-"
        line = f"{control['id']:<16} {control['status']:<12} {proved:<18} {control['reason']}"
        lines.append(line[:160])
        if control["status"] == "failed":
            failing.append(control)
    summary = evidence["summary"]
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary["controls"].items())
    lines.append("")
    lines.append(f"controls: {counts}")
    if "comparison" in evidence:
        lines.extend(compare_mod.describe(evidence["comparison"]))
    lines.append(f"evidence bundle: {result.bundle}")
    lines.append(f"report: {result.bundle / FILES['report']}")
    if failing or summary["failing_unattributed"]:
        lines.append("")
        lines.append("FAILED controls:")
        for control in failing:
            lines.append(f"  {control['id']}: {control['reason']}")
            bad = [f for f in control["findings"] if f["status"] == "failed"][:5]
            lines.extend(f"    {f['env']}: {f['check']} {f['resource']}" for f in bad)
            bad_tests = [t for t in control["tests"] if t["outcome"] in ("failed", "error")][:5]
            lines.extend(f"    test {t['nodeid']}" for t in bad_tests)
            failed_live = Counter(
                c["name"] for c in control["live_checks"] if c["status"] == "failed"
            )
            lines.extend(f"    live {name} ({n}x)" if n > 1 else f"    live {name}"
                         for name, n in failed_live.most_common(5))
        for item in summary["failing_unattributed"]:
            lines.append(f"  (fits no control) {item}")
    return lines
