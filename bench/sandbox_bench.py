"""`bench/run.py --sandbox`: the embedded sandbox's apply, live checks and destroy, timed.

One full run of `infra/envs/sandbox` on the embedded moto server, as the integration
layer and the audit make it: start and prepare, apply, every live check (each timed),
the idempotence plan, teardown. The result is kept in bench/results/sandbox.json as
"after"; "before" is the first run recorded there, from before the moto extensions
(X-Ray, budget, Redis and replication left out, alarms not driven by data), so the
file shows what serving the whole env costs. Measurements, never assertions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# recorded on this machine at commit ff5f0b8 (before the moto extensions), from the
# integration session's own summary line; kept because that state cannot be re-run here
BEFORE = {
    "commit": "ff5f0b8", "recorded": "integration session summary, 2026-12-03",
    "applied": 191, "apply_s": 79.0, "destroy_s": 37.0, "session_s": 144.0,
    "live_checks": {"passed": 217, "failed": 0, "skipped": 3},
    "left_out": ["X-Ray sampling rule", "budget", "Redis (3 resources)", "replication"],
}


def bench_sandbox(log: Callable[[str], None]) -> dict[str, Any]:
    """Apply, check and destroy the sandbox env once; seconds per phase and per check."""
    from tfproof.sandbox.checks import CHECKS
    from tfproof.sandbox.kinds import EmbeddedSandbox
    from tfproof.sandbox.live import LiveRun, default_root

    started = time.perf_counter()
    live = LiveRun(EmbeddedSandbox(), default_root())
    checks: dict[str, float] = {}
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    with live:
        ready = time.perf_counter()
        log(f"sandbox: applied {live.run.applied} resources in {live.run.apply_seconds:.0f} s")
        for name in CHECKS:
            begin = time.perf_counter()
            for result in live.check(name):
                counts[result.status] += 1
            checks[name] = round(time.perf_counter() - begin, 2)
        begin = time.perf_counter()
        for result in live.idempotence():
            counts[result.status] += 1
        idempotence = time.perf_counter() - begin
        checked = time.perf_counter()
    report = live.teardown_report
    return {
        "applied": live.run.applied,
        "start_s": round(ready - started - live.run.apply_seconds, 1),
        "apply_s": round(live.run.apply_seconds, 1),
        "checks_s": round(sum(checks.values()), 1),
        "idempotence_s": round(idempotence, 1),
        "checks_and_plan_s": round(checked - ready, 1),
        "destroy_s": round(report.seconds if report else 0.0, 1),
        "session_s": round(time.perf_counter() - started, 1),
        "clean": bool(report and report.clean),
        "live_checks": counts,
        "per_check_s": checks,
    }


def record(path: Path, measured: dict[str, Any]) -> dict[str, Any]:
    """sandbox.json with this run as "after" and the recorded "before" kept."""
    data = json.loads(path.read_text()) if path.exists() else {}
    data.setdefault("before", BEFORE)
    data["after"] = measured
    path.write_text(json.dumps(data, indent=1) + "\n")
    return data


def markdown(data: dict[str, Any]) -> list[str]:
    """The results.md section: phases before and after, with ratios."""
    before, after = data.get("before", {}), data.get("after", {})
    if not after:
        return []
    lines = [
        "", "## Embedded sandbox: apply, live checks, destroy of `infra/envs/sandbox`", "",
        f"before: commit {before.get('commit')} ({before.get('recorded')}; left out: "
        f"{', '.join(before.get('left_out', []))}); after: commit {after.get('commit', '?')}, "
        "this machine, nothing left out.", "",
        "| phase | before s | after s | after / before |", "|---|---:|---:|---:|",
    ]
    def rest(run: dict[str, Any]) -> float | None:
        """Start, live checks and the idempotence plan: what is not apply or destroy (the
        before side was recorded as totals only, so both sides are derived the same way)."""
        parts = [run.get(k) for k in ("session_s", "apply_s", "destroy_s")]
        if any(v is None for v in parts):
            return None
        return round(parts[0] - parts[1] - parts[2], 1)  # type: ignore[operator]

    for key, label in (("apply_s", "apply"), ("rest", "start, live checks, idempotence plan"),
                       ("destroy_s", "destroy"), ("session_s", "whole session")):
        b, a = ((rest(before), rest(after)) if key == "rest"
                else (before.get(key), after.get(key)))
        ratio = f"{a / b:.2f}" if a and b else "-"
        lines.append(f"| {label} | {b if b is not None else '-'} | {a} | {ratio} |")
    lines += [
        "", f"resources applied: {before.get('applied')} -> {after.get('applied')}; live checks "
        f"{before.get('live_checks')} -> {after.get('live_checks')}; teardown clean: "
        f"{after.get('clean')}.", "",
        "Slowest checks (s): " + ", ".join(
            f"{name} {secs}" for name, secs in sorted(
                after.get("per_check_s", {}).items(), key=lambda kv: -kv[1])[:5]),
    ]  # fmt: skip
    return lines
