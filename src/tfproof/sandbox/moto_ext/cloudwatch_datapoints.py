"""What a CloudWatch alarm evaluates: one datapoint per period of its metric or metric math.

An alarm looks at its most recent periods (AWS, "Using Amazon CloudWatch alarms": each
datapoint is the metric's statistic over one Period). A period in which the metric has no
sample is *missing* (None here), which the alarm's TreatMissingData then interprets
(`tfproof.sandbox.moto_ext.cloudwatch_eval`). A metric-math alarm's returned query is
resolved here, its expression computed by `tfproof.sandbox.moto_ext.cloudwatch_math`.
moto is never imported here; the functions read moto's alarm, query and datum objects by
attribute.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from tfproof.sandbox.moto_ext.cloudwatch_math import Series, evaluate_expression

_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?|100)$")


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
