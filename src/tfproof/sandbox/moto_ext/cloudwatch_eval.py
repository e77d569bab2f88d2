"""The state a CloudWatch alarm's datapoints call for, with AWS's reason text and data.

`decide` applies the comparison, DatapointsToAlarm and TreatMissingData rules listed in
`tfproof.sandbox.moto_ext.cloudwatch`'s docstring to the per-period datapoints of
`tfproof.sandbox.moto_ext.cloudwatch_datapoints`, and writes StateReason ("Threshold
Crossed: ...", "Insufficient Data: ...") and StateReasonData as CloudWatch does. Pure
functions: moto is never imported here; the alarm is read by attribute.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from tfproof.sandbox.moto_ext.cloudwatch_datapoints import alarm_period, iso
from tfproof.sandbox.moto_ext.cloudwatch_math import Series

_OPS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}
Decision = tuple[str, str, dict[str, Any]]


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def _listed(points: list[tuple[datetime, float]]) -> str:
    """AWS lists datapoints newest first as `value (dd/mm/yy HH:MM:SS)` of the period start."""
    return ", ".join(f"{v!r} ({s.strftime('%d/%m/%y %H:%M:%S')})" for s, v in reversed(points))


def _premature(values: Series, breaches: Callable[[float], bool], m: int) -> bool:
    """AWS: ALARM when the oldest breaching datapoint is at least M periods old and every more
    recent datapoint breaches or is missing, even with fewer than M datapoints present."""
    oldest = 0
    for age, value in enumerate(reversed(values), 1):
        if value is None:
            continue
        if not breaches(value):
            break
        oldest = age
    return oldest >= m


def _reason_data(
    alarm: Any, starts: Sequence[datetime], values: Series, now: datetime, counts: Sequence[float]
) -> dict[str, Any]:
    """StateReasonData as CloudWatch writes it: the query, the threshold and each datapoint."""
    evaluated = []
    for start, value, count in reversed(list(zip(starts, values, counts, strict=True))):
        point: dict[str, Any] = {"timestamp": iso(start)}
        if value is not None:
            point.update({"sampleCount": count, "value": value} if count else {"value": value})
        evaluated.append(point)
    data: dict[str, Any] = {"version": "1.0", "queryDate": iso(now), "startDate": iso(starts[0])}
    if alarm.statistic or alarm.extended_statistic:
        data["statistic"] = alarm.statistic or alarm.extended_statistic
    return {
        **data,
        "period": alarm_period(alarm),
        "recentDatapoints": [v for v in values if v is not None],
        "threshold": float(alarm.threshold),
        "evaluatedDatapoints": evaluated,
    }


def _without_data(n: int, treat: str) -> tuple[str, str] | None:
    """No datapoint at all: TreatMissingData alone decides (ignore keeps the state)."""
    if treat == "missing":
        return "INSUFFICIENT_DATA", f"Insufficient Data: {_n(n, 'datapoint')} {_was(n)} unknown."
    if treat not in ("breaching", "notBreaching"):
        return None
    state, label = ("ALARM", "Breaching") if treat == "breaching" else ("OK", "NonBreaching")
    return state, (
        f"Threshold Crossed: no datapoints were received for {_n(n, 'period')} and "
        f"{_n(n, 'missing datapoint')} {_was(n)} treated as [{label}]."
    )


def decide(
    alarm: Any,
    starts: Sequence[datetime],
    values: Series,
    now: datetime,
    counts: Sequence[float] | None = None,
) -> Decision | None:
    """The state the datapoints call for, with AWS's reason text and data; None: keep it.
    Anomaly-detection comparisons are not evaluated (None)."""
    if alarm.comparison_operator not in _OPS:
        return None
    test, words = _OPS[alarm.comparison_operator]
    n, threshold = len(values), float(alarm.threshold)
    m, treat = int(alarm.datapoints_to_alarm or n), alarm.treat_missing_data or "missing"
    data = _reason_data(alarm, starts, values, now, counts or [0.0] * n)
    present = [(s, v) for s, v in zip(starts, values, strict=True) if v is not None]
    if not present:
        outcome = _without_data(n, treat)
        return None if outcome is None else (*outcome, data)
    breaching = [(s, v) for s, v in present if test(v, threshold)]
    within = [(s, v) for s, v in present if not test(v, threshold)]
    missing, old = n - len(present), alarm.state_value
    filled = {"breaching": missing, "notBreaching": -missing}.get(treat, 0)
    premature = treat in ("missing", "ignore") and _premature(
        values, lambda v: test(v, threshold), m
    )
    if len(breaching) + max(filled, 0) >= m or premature:
        state, shown, negation, label, least = "ALARM", breaching, "", "Breaching", m
    elif within or filled < 0:
        state, shown, negation, label, least = "OK", within, "not ", "NonBreaching", n - m + 1
    else:  # a few breaching datapoints, the rest missing: no evidence for OK either
        return None
    fills = abs(filled) if (filled > 0) == (state == "ALARM") else 0
    parts = [
        f"{len(shown)} out of the last {n} datapoints [{_listed(shown)}] {_was(len(shown))} "
        f"{negation}{words} the threshold ({threshold!r})"
    ] if shown else []  # fmt: skip
    if fills:
        parts.append(f"{_n(fills, 'missing datapoint')} {_was(fills)} treated as [{label}]")
    reason = (
        f"Threshold Crossed: {' and '.join(parts)} "
        f"(minimum {_n(least, 'datapoint')} for {old} -> {state} transition)."
    )
    return state, reason, data
