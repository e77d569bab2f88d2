"""ALARMS, live, by behaviour: data moves each alarm, and its topic delivers the notification.

For one alarm of each kind (its namespace and metric, or its metric math), read back from
the applied alarm: healthy data brings it to OK (whatever state it starts in: a breaching
alarm with no data is in ALARM right after apply), unhealthy data then moves it to ALARM and
CloudWatch's notification (AlarmName, NewStateValue ALARM) reaches a probe queue subscribed
to its topic, and healthy data brings it back to OK with the OK notification. Which values
are healthy and which dimensions to put them on is `alarm_data`'s business; each step is
one LiveCheck per alarm whose detail says what was put and what arrived.

Every wait is bounded: about a minute on the embedded server (it evaluates on
PutMetricData), ten minutes on a real account (CloudWatch evaluates once a minute); a
recovery that must wait for a Sum/Minimum/Maximum datapoint to age out gets the alarm's
evaluation range on top. While it waits the check keeps feeding the phase's value, as the
real resource would publish every minute.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tfproof.sandbox.checks.alarm_data import Ledger, Target, plan_math, plan_single
from tfproof.sandbox.checks.alarm_inbox import (
    Inbox,
    probe_copy,
    probe_prefix,
    sns_topics,
    topic_name,
)
from tfproof.sandbox.checks.alarms import _describe
from tfproof.sandbox.checks.base import LiveContext, StateResource
from tfproof.sandbox.livecheck import FAILED, SKIPPED, LiveCheck, outcome

CONTROL = "ALARMS"
PHASES = (
    ("OK", "healthy", "alarm settles in OK on healthy data"),
    ("ALARM", "unhealthy", "alarm fires and notifies on unhealthy data"),
    ("OK", "healthy", "alarm recovers and notifies on healthy data"),
)
FEED_SECONDS = 60.0


def _budget(ctx: LiveContext) -> tuple[float, float]:
    """(seconds to wait for a state and its notification, seconds between polls)."""
    return (60.0, 1.0) if ctx.sandbox.kind == "embedded" else (600.0, 15.0)


def _kind(values: dict[str, Any]) -> tuple[str, ...]:
    queries = values.get("metric_query") or []
    if queries:
        names = [m["metric_name"] for q in queries for m in q.get("metric") or []]
        return ("metric math", *sorted(names))
    return (str(values.get("namespace")), str(values.get("metric_name")))


def representatives(resources: list[StateResource]) -> list[StateResource]:
    """The first alarm (by address) of each kind: namespace and metric, or metric math."""
    chosen: dict[tuple[str, ...], StateResource] = {}
    for res in resources:
        chosen.setdefault(_kind(res.values), res)
    return list(chosen.values())


def alarm_behaviour(ctx: LiveContext) -> list[LiveCheck]:
    """One alarm of each kind, driven OK -> ALARM -> OK by data (see the module docstring)."""
    chosen = representatives(ctx.resources("aws_cloudwatch_metric_alarm"))
    if not chosen:
        return [outcome("alarm behaviour", CONTROL, False, "the applied env has no alarm")]
    return drive_alarms(ctx, chosen)


def _plan(ctx: LiveContext, res: StateResource, alarm: dict[str, Any]) -> Target:
    prefix = probe_prefix(ctx, alarm)
    target = Target(res.address, alarm, alarm["AlarmName"])
    (plan_math if alarm.get("Metrics") else plan_single)(ctx, target, prefix)
    if target.gap and target.problems:
        target.skip = target.gap
    if prefix and not target.skip:
        target.watch = probe_copy(ctx, alarm, prefix)
    return target


def _waves(targets: list[Target]) -> list[list[Target]]:
    """Alarms whose data goes to the same metric are driven one after the other."""
    waves: list[list[Target]] = []
    for target in targets:
        keys = {s.key() for s in target.series}
        for wave in waves:
            if not keys & {s.key() for other in wave for s in other.series}:
                wave.append(target)
                break
        else:
            waves.append([target])
    return waves


def drive_alarms(ctx: LiveContext, resources: list[StateResource],
                 timeout: float | None = None) -> list[LiveCheck]:  # fmt: skip
    """Drive each alarm of `resources` OK -> ALARM -> OK; four LiveChecks per alarm (what it
    watches, then each step). `timeout` overrides the sandbox's wait per step."""
    wait, interval = _budget(ctx)
    wait = wait if timeout is None else timeout
    out: dict[str, list[LiveCheck]] = {}
    targets: list[Target] = []
    inbox, ledger = Inbox(ctx), Ledger()
    try:
        for res in resources:
            alarm = _describe(ctx, res.values["alarm_name"])
            if alarm is None:
                detail = f"{res.values['alarm_name']} not found"
                out[res.address] = [outcome("alarm exists", CONTROL, False, detail, res.address)]
                continue
            target = _plan(ctx, res, alarm)
            out[target.address] = [_watch_check(target)]
            if target.skip:
                out[target.address].append(
                    LiveCheck("alarm behaviour", CONTROL, SKIPPED, target.skip, target.address)
                )
                continue
            targets.append(target)
            inbox.subscribe(sns_topics(alarm.get("AlarmActions", []) + alarm.get("OKActions", [])))
        phase = 0
        for wave in _waves(targets):
            alive = wave
            for index in range(len(PHASES)):
                phase += 1
                results, reached = _phase(ctx, alive, inbox, ledger, index, phase, wait,
                                          interval)  # fmt: skip
                for target in wave:
                    out[target.address].append(results.get(target.address) or LiveCheck(
                        PHASES[index][2], CONTROL, FAILED,
                        "not attempted: the alarm did not reach the previous step's state",
                        target.address))  # fmt: skip
                alive = [t for t in alive if t.address in reached]
    finally:
        try:
            inbox.close()
        finally:
            copies = [t.watch for t in targets if t.watch != t.alarm["AlarmName"]]
            if copies:
                ctx.client("cloudwatch").delete_alarms(AlarmNames=copies)
    return [check for checks in out.values() for check in checks]


def _watch_check(target: Target) -> LiveCheck:
    name = "alarm watches applied resources"
    if target.skip and not target.series:
        return LiveCheck(name, CONTROL, SKIPPED, target.skip, target.address)
    ok = not target.problems
    detail = (
        "; ".join(target.problems)
        if not ok
        else f"{', '.join(dict.fromkeys(target.watched)) or 'no dimension'}: "
        "each names an applied resource"
    )
    return outcome(name, CONTROL, ok, detail, target.address)


def _states(ctx: LiveContext, names: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for first in range(0, len(names), 100):
        page = ctx.client("cloudwatch").describe_alarms(AlarmNames=names[first : first + 100])
        found.update({a["AlarmName"]: a for a in page["MetricAlarms"]})
    return found


def _put(ctx: LiveContext, ledger: Ledger, targets: list[Target], side: str, phase: int) -> None:
    cw, now = ctx.client("cloudwatch"), datetime.now(UTC)
    for target in targets:
        for namespace, data in ledger.datums(target, side, now, phase).items():
            for first in range(0, len(data), 20):  # PutMetricData's long-standing 20 per call
                cw.put_metric_data(Namespace=namespace, MetricData=data[first : first + 20])


def _topics(target: Target, index: int) -> list[str]:
    if index == 0:
        return []
    return sns_topics(target.alarm.get("AlarmActions" if index == 1 else "OKActions") or [])


def _change(index: int) -> tuple[str, str]:
    """The transition a step's notification reports: from the previous step's state."""
    return PHASES[index - 1][0], PHASES[index][0]


def _phase(ctx: LiveContext, wave: list[Target], inbox: Inbox, ledger: Ledger, index: int,
           phase: int, wait: float,
           interval: float) -> tuple[dict[str, LiveCheck], set[str]]:  # fmt: skip
    """One step for the wave's alarms: put the side's data, wait for the state and the
    notifications (or the deadline); one LiveCheck per alarm, and the alarms in the state."""
    want, side, _name = PHASES[index]
    before = _states(ctx, [t.watch for t in wave])
    since, started = datetime.now(UTC), time.monotonic()
    _put(ctx, ledger, wave, side, phase)
    fed = time.monotonic()
    deadlines = {
        t.address: started + wait + (
            t.period * int(t.alarm.get("EvaluationPeriods") or 1)
            if index == 2 and t.monotone else 0)
        for t in wave
    }  # fmt: skip
    reached: dict[str, float] = {}
    while True:
        inbox.poll()
        states = _states(ctx, [t.watch for t in wave])
        pending = []
        for t in wave:
            state = states.get(t.watch, {}).get("StateValue")
            if state == want:
                reached.setdefault(t.address, time.monotonic() - started)
            else:
                reached.pop(t.address, None)
            done = state == want and all(
                inbox.found(topic, t.watch, _change(index), since) or topic in inbox.errors
                for topic in _topics(t, index))  # fmt: skip
            if not done and time.monotonic() < deadlines[t.address]:
                pending.append(t)
        if not pending:
            break
        if time.monotonic() - fed >= FEED_SECONDS:
            _put(ctx, ledger, pending, side, phase)
            fed = time.monotonic()
        time.sleep(interval)
    seconds = time.monotonic() - started
    checks = {t.address: _verdict(t, index, before, states, reached, inbox, since, seconds)
              for t in wave}  # fmt: skip
    return checks, set(reached)


def _values(t: Target, side: str) -> str:
    """The values put, grouped by dimensions: `A=1, B=2 for Dim=x`."""
    groups: dict[str, list[str]] = {}
    for s in t.series:
        value = s.healthy if side == "healthy" else s.unhealthy
        where = ", ".join(f"{k}={v}" for k, v in sorted(s.dims.items()))
        groups.setdefault(where, []).append(f"{s.metric}={value:g}")
    return "; ".join(", ".join(v) + (f" for {w}" if w else "") for w, v in groups.items())


def _verdict(t: Target, index: int, before: dict[str, dict[str, Any]],
             states: dict[str, dict[str, Any]], reached: dict[str, float], inbox: Inbox,
             since: datetime, seconds: float) -> LiveCheck:  # fmt: skip
    want, side, name = PHASES[index]
    was = before.get(t.watch, {}).get("StateValue", "?")
    now = states.get(t.watch, {})
    ok = t.address in reached
    if ok:
        parts = [f"reached {want} after {reached[t.address]:.0f}s (was {was})"]
    else:
        parts = [
            f"did not reach {want} in {seconds:.0f}s: {now.get('StateValue', 'not found')} "
            f"({now.get('StateReason', '')})"
        ]
    parts.append(
        f"put {_values(t, side)} ({side} side: {t.notes.get(side) or 'as the alarm says'})"
        + (f" to the probe copy {t.watch}" if t.watch != t.alarm["AlarmName"] else "")
    )
    topics = _topics(t, index)
    if index and not topics:
        ok = False
        parts.append(f"no SNS {'alarm' if want == 'ALARM' else 'OK'} action: nobody is notified")
    for topic in topics:
        old, new = _change(index)
        if inbox.found(topic, t.watch, (old, new), since) is not None:
            parts.append(f"{old} -> {new} notification from {topic_name(topic)}")
        else:
            ok = False
            parts.append(inbox.errors.get(topic) or f"no {old} -> {new} notification of the "
                         f"alarm reached the queue subscribed to {topic_name(topic)}")  # fmt: skip
    causes = [c for c in [t.direction, *t.problems] if c]
    if not ok and causes:
        parts.append("cause: " + "; ".join(causes))
    detail = "; ".join(parts)
    return outcome(name, CONTROL, ok, detail, t.address)
