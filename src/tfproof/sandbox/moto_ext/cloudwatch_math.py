"""What a CloudWatch alarm evaluates and decides: one datapoint per period, then a state.

An alarm looks at its most recent periods (AWS, "Using Amazon CloudWatch alarms": each
datapoint is the metric's statistic over one Period). A period in which the metric has no
sample is *missing* (None here), which the alarm's TreatMissingData then interprets.

Metric-math alarms (AWS, "Using metric math"; "Create a CloudWatch alarm based on a metric
math expression") evaluate the one query with ReturnData over per-period series. The
expressions served are the arithmetic the platform's alarms use: query ids, numbers,
`+ - * /`, unary minus, parentheses and `FILL(series, number)`. As on AWS, arithmetic
between series matches periods: a period missing in an operand is missing in the result
(that is what FILL is for), and a division by zero gives no value for that period.

`decide` turns the datapoints into a state with AWS's reason text and reason data (the
rules are in `tfproof.sandbox.moto_ext.cloudwatch`'s docstring). moto is never imported
here; the functions read moto's alarm, query and datum objects by attribute.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

Series = list[float | None]
Value = float | Series
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?|100)$")
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")
_OPS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
Decision = tuple[str, str, dict[str, Any]]


def period_starts(now: datetime, period: int, count: int) -> list[datetime]:
    """Start of each of the `count` periods that end at `now`, oldest first."""
    return [now - timedelta(seconds=period * (count - i)) for i in range(count)]


def same_dimensions(left: Iterable[Any], right: Iterable[Any]) -> bool:
    """A metric is its name, namespace and *exact* dimension set (AWS: a different set of
    dimensions is a different metric), so an alarm only sees data with the same pairs."""
    return {(d.name, d.value) for d in left} == {(d.name, d.value) for d in right}


def statistic(data: Sequence[Any], stat: str) -> tuple[float | None, float]:
    """(value, sample count) of one period's data: Average, Sum, Minimum, Maximum,
    SampleCount, or a percentile pNN over single values; (None, 0) when nothing was put."""
    singles = [float(d.value) for d in data if hasattr(d, "value")]
    sets = [d for d in data if hasattr(d, "sample_count")]
    count = len(singles) + sum(float(s.sample_count) for s in sets)
    if not count:
        return None, 0.0
    total = sum(singles) + sum(float(s.sum) for s in sets)
    low = singles + [float(s.min) for s in sets]
    high = singles + [float(s.max) for s in sets]
    simple = {
        "SampleCount": count,
        "Sum": total,
        "Average": total / count,
        "Minimum": min(low),
        "Maximum": max(high),
    }
    if stat in simple:
        return simple[stat], count
    match = _PERCENTILE.match(stat or "")
    if match and singles:
        ordered = sorted(singles)
        rank = math.ceil(float(match.group(1)) / 100 * len(ordered))
        return ordered[max(rank, 1) - 1], count
    return None, count


def metric_points(
    data: Iterable[Any],
    namespace: str,
    name: str,
    dimensions: Iterable[Any],
    stat: str,
    unit: str | None,
    starts: Sequence[datetime],
    period: int,
) -> list[tuple[float | None, float]]:
    """(value, sample count) per period for one metric; data with another unit is not counted
    when the alarm names a unit (AWS: the alarm then only evaluates data of that unit)."""
    dims = list(dimensions)
    mine = [
        d
        for d in data
        if d.namespace == namespace
        and d.name == name
        and (not unit or d.unit == unit)
        and same_dimensions(d.dimensions, dims)
    ]
    step = timedelta(seconds=period)
    return [statistic([d for d in mine if s <= d.timestamp < s + step], stat) for s in starts]


def _binary(op: str, left: Value, right: Value) -> Value:
    """One arithmetic operator over numbers and/or per-period series (None: no value)."""

    def one(a: float | None, b: float | None) -> float | None:
        if a is None or b is None or (op == "/" and b == 0):
            return None
        return float(_ARITHMETIC[op](a, b))

    if not isinstance(left, list) and not isinstance(right, list):
        result = one(left, right)
        return math.nan if result is None else result
    size = len(left) if isinstance(left, list) else len(right)  # type: ignore[arg-type]
    lefts = left if isinstance(left, list) else [left] * size
    rights = right if isinstance(right, list) else [right] * size
    return [one(a, b) for a, b in zip(lefts, rights, strict=True)]


class _Parser:
    """Recursive descent over the expression; evaluates as it parses (one pass, no tree)."""

    def __init__(self, text: str, resolve: Callable[[str], Value]) -> None:
        self.tokens: list[tuple[str, str]] = []
        for number, name, other in _TOKEN.findall(text):
            if number:
                self.tokens.append(("num", number))
            elif name:
                self.tokens.append(("name", name))
            elif other.strip():
                self.tokens.append(("op", other))
        self.pos = 0
        self.resolve = resolve

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ValueError("unexpected end of expression")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise ValueError(f"expected {expected!r}, got {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Value:
        value = self.sum()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.pos][1]!r}")
        return value

    def sum(self) -> Value:
        value = self.product()
        while self.peek() in ("+", "-"):
            value = _binary(self.take()[1], value, self.product())
        return value

    def product(self) -> Value:
        value = self.unary()
        while self.peek() in ("*", "/"):
            value = _binary(self.take()[1], value, self.unary())
        return value

    def unary(self) -> Value:
        if self.peek() == "-":
            self.take()
            return _binary("*", -1.0, self.unary())
        return self.primary()

    def primary(self) -> Value:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "op" and text == "(":
            value = self.sum()
            self.take(")")
            return value
        if kind == "name" and self.peek() == "(":
            if text.upper() != "FILL":
                raise ValueError(f"function {text} is not supported")
            self.take("(")
            series = self.sum()
            self.take(",")
            fill = self.sum()
            self.take(")")
            if not isinstance(series, list) or isinstance(fill, list):
                raise ValueError("FILL takes a time series and a number")
            return [fill if v is None else v for v in series]
        if kind == "name":
            return self.resolve(text)
        raise ValueError(f"unexpected {text!r}")


def evaluate_expression(text: str, resolve: Callable[[str], Value], size: int) -> Series:
    """The expression's value per period (`size` periods); raises ValueError when it uses
    syntax or functions this module does not serve. A plain number applies to every period."""
    value = _Parser(text, resolve).parse()
    if isinstance(value, list):
        return value
    return [None if math.isnan(value) else value] * size


def _returned(queries: Sequence[Any]) -> Any:
    """The query an alarm evaluates: the one with ReturnData true (AWS requires exactly one;
    ReturnData defaults to true, so a lone unmarked expression is the one)."""
    marked = [q for q in queries if q.return_data in (True, "true", "True")]
    unmarked = [q for q in queries if q.return_data is None and q.expression]
    chosen = marked or unmarked or [q for q in queries if q.return_data is None]
    if not chosen:
        raise ValueError("no query returns data")
    return chosen[0]


def math_points(
    queries: Sequence[Any], data: Sequence[Any], starts: Sequence[datetime], period: int
) -> Series:
    """Per-period values of a metric-math alarm's returned query (moto MetricDataQuery
    objects: MetricStat queries aggregate their metric, expressions combine ids). Every
    query uses the alarm's period: AWS requires one period across an alarm's metrics."""
    by_id = {q.id: q for q in queries}
    done: dict[str, Series] = {}

    def resolve(query_id: str, busy: tuple[str, ...] = ()) -> Series:
        if query_id in done:
            return done[query_id]
        query = by_id.get(query_id)
        if query is None or query_id in busy:
            raise ValueError(f"unknown or circular query id {query_id}")
        if query.metric_stat is not None:
            stat = query.metric_stat
            metric = stat.metric
            points = metric_points(
                data, metric.namespace, metric.metric_name, metric.dimensions, stat.stat,
                stat.unit, starts, period,
            )  # fmt: skip
            done[query_id] = [value for value, _count in points]
        else:
            done[query_id] = evaluate_expression(
                query.expression or "", lambda name: resolve(name, (*busy, query_id)), len(starts)
            )
        return done[query_id]

    return resolve(_returned(queries).id)


def iso(moment: datetime) -> str:
    """CloudWatch's timestamp form, e.g. 2026-03-12T12:00:00.000+0000."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def alarm_period(alarm: Any) -> int:
    """The alarm's Period, or for a metric-math alarm the period of its metric queries."""
    queries = alarm.metric_data_queries
    periods = [alarm.period, *(q.metric_stat.period for q in queries if q.metric_stat)]
    return int(next((p for p in [*periods, *(q.period for q in queries)] if p), 60))


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
