"""What data should move an alarm, read from the alarm itself and from the applied resources.

An alarm is only as good as the metric it watches: the check must put the data the
platform's resources would really publish, not the data the alarm happens to expect.
So the *side* of a value (healthy or unhealthy) comes from what the AWS metric means
(fewer healthy hosts is worse, more CPU is worse), not from the alarm's comparison,
and the dimension values come from the applied resources (the cluster's name, the
target group's ARN suffix), not from the alarm's dimensions. An alarm with the wrong
direction then fires on healthy data, and an alarm on a dimension that names nothing
applied never sees the data at all: both show up as behaviour, with the cause named.
Only for a metric this table does not know does the alarm's own comparison decide.

Data is put as statistic sets whose sample count outweighs everything put before on
the same metric (x100), so each phase's value dominates an Average even while older
phases' data is still inside the evaluation periods; an alarm on Sum, Minimum or
Maximum of one metric cannot be outweighed and must wait for the older data to age out.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tfproof.sandbox.checks.base import LiveContext

# AWS metrics by meaning (CloudWatch metric references of ELB, ECS, Container Insights, RDS,
# ElastiCache): higher is healthier; lower is healthier (with an upper bound for percentages);
# neutral (load, neither healthy nor not).
HIGHER = frozenset({
    "HealthyHostCount", "TaskCount", "RunningTaskCount", "ServiceCount", "FreeStorageSpace",
    "FreeableMemory", "FreeLocalStorage", "ContainerInstanceCount",
})  # fmt: skip
LOWER: dict[str, float | None] = {
    "CPUUtilization": 100.0, "MemoryUtilization": 100.0, "EngineCPUUtilization": 100.0,
    "DatabaseMemoryUsagePercentage": 100.0, "UnHealthyHostCount": None,
    "HTTPCode_Target_5XX_Count": None, "HTTPCode_ELB_5XX_Count": None,
    "HTTPCode_Target_4XX_Count": None, "HTTPCode_ELB_4XX_Count": None,
    "TargetResponseTime": None, "ReadLatency": None, "WriteLatency": None, "Evictions": None,
}  # fmt: skip
NEUTRAL = frozenset({"RequestCount", "ActiveConnectionCount", "NewConnectionCount"})
# CloudWatch dimension -> the applied resources (type, attribute) whose values it may name
DIMENSION_SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "ClusterName": (("aws_ecs_cluster", "name"),),
    "ServiceName": (("aws_ecs_service", "name"),),
    "LoadBalancer": (("aws_lb", "arn_suffix"), ("aws_alb", "arn_suffix")),
    "TargetGroup": (("aws_lb_target_group", "arn_suffix"), ("aws_alb_target_group", "arn_suffix")),
    "DBInstanceIdentifier": (("aws_db_instance", "identifier"),),
    "DBClusterIdentifier": (("aws_rds_cluster", "cluster_identifier"),),
    "CacheClusterId": (("aws_elasticache_cluster", "cluster_id"),
                       ("aws_elasticache_replication_group", "member_clusters")),
    "ReplicationGroupId": (("aws_elasticache_replication_group", "replication_group_id"),),
    "QueueName": (("aws_sqs_queue", "name"),),
    "FunctionName": (("aws_lambda_function", "function_name"),),
}  # fmt: skip
_OPS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanThreshold": (operator.gt, "rises above"),
    "GreaterThanOrEqualToThreshold": (operator.ge, "rises to"),
    "LessThanThreshold": (operator.lt, "drops below"),
    "LessThanOrEqualToThreshold": (operator.le, "drops to"),
}
_DOMINATED = ("Average",)  # statistics a heavier statistic set outweighs
_LADDER_UP = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
_LADDER_DOWN = (50.0, 20.0, 10.0, 5.0, 2.0, 1.0, 0.0)
BASE = 100.0  # a math input's healthy level (requests, hosts)


def breaches(alarm: dict[str, Any], value: float | None) -> bool:
    """Whether the alarm's own comparison counts `value` as breaching."""
    test = _OPS.get(alarm.get("ComparisonOperator", ""))
    return bool(test and value is not None and test[0](value, float(alarm["Threshold"])))


@dataclass
class Series:
    """One metric the check puts data to, and the two values it puts."""

    namespace: str
    metric: str
    dims: dict[str, str]
    unit: str | None
    stat: str
    healthy: float
    unhealthy: float

    def key(self) -> tuple[str, str, frozenset[tuple[str, str]]]:
        return self.namespace, self.metric, frozenset(self.dims.items())


@dataclass
class Target:
    """One applied alarm as the check drives it."""

    address: str
    alarm: dict[str, Any]
    watch: str  # the alarm whose state and notifications count (a probe copy, on AWS/ data)
    series: list[Series] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # dimensions naming nothing applied
    watched: list[str] = field(default_factory=list)  # resolved dimensions, for the detail
    notes: dict[str, str] = field(default_factory=dict)  # side -> what the alarm should see
    direction: str = ""  # the cause when the alarm fires on the healthy side
    skip: str = ""
    gap: str = ""

    @property
    def period(self) -> int:
        periods = [self.alarm.get("Period")] + [
            (q.get("MetricStat") or {}).get("Period") for q in self.alarm.get("Metrics") or []
        ]
        return int(next((p for p in periods if p), 60))

    @property
    def monotone(self) -> bool:
        """True when later data cannot outweigh earlier data (Sum, Minimum, Maximum)."""
        return not self.alarm.get("Metrics") and self.alarm.get("Statistic") not in _DOMINATED


def _levels(metric: str, alarm: dict[str, Any]) -> tuple[float, float, str]:
    """(healthy, unhealthy, how the side was chosen) for a one-metric alarm."""
    t = float(alarm["Threshold"])
    op = alarm.get("ComparisonOperator", "")
    if metric in HIGHER or (metric not in LOWER and op.startswith("Less")):
        why = "higher is healthier" if metric in HIGHER else f"the alarm's {op}"
        return (2 * t if t > 0 else t + 1), (0.0 if t > 0 else t - 1), why
    bound = LOWER.get(metric)
    why = "lower is healthier" if metric in LOWER else f"the alarm's {op}"
    unhealthy = bound if bound is not None else (2 * t if t > 0 else t + 1)
    healthy = (t / 2 if bound is not None else 0.0) if t > 0 else t - 1
    return healthy, unhealthy, why


def direction_problem(metric: str, alarm: dict[str, Any]) -> str:
    """The cause when the alarm fires on the healthy side of a metric whose meaning is known."""
    op = alarm.get("ComparisonOperator", "")
    if op not in _OPS or (metric not in HIGHER and metric not in LOWER):
        return ""
    fires_high = op.startswith("Greater")
    if fires_high == (metric in HIGHER):
        worse = "fewer" if metric in HIGHER else "more"
        return (f"the alarm fires when {metric} {_OPS[op][1]} {float(alarm['Threshold']):g} "
                f"({op}), but {worse} is the unhealthy side of {metric}")  # fmt: skip
    return ""


def resolve_dims(ctx: LiveContext, dims: list[dict[str, str]], target: Target) -> dict[str, str]:
    """The dimensions to put data with: each value the alarm names, checked against the applied
    resources of its kind; one naming nothing applied is a problem, and the data goes to the
    first applied resource of that kind (where AWS would publish it)."""
    out = {}
    for dim in dims:
        name, value = dim["Name"], dim["Value"]
        sources = DIMENSION_SOURCES.get(name, ())
        applied: list[str] = []
        for rtype, attr in sources:
            gap = ctx.gap_for(rtype)
            if gap is not None:
                target.gap = gap.skip_reason()
            for res in ctx.resources(rtype):
                found = res.values.get(attr)
                applied += found if isinstance(found, list) else [found] if found else []
        if sources and value not in applied:
            kinds = "/".join(t for t, _ in sources)
            target.problems.append(
                f"its dimension {name}={value} names no applied {kinds} "
                f"(applied: {', '.join(sorted(applied)) or 'none'})")  # fmt: skip
            value = sorted(applied)[0] if applied else value
        out[name] = value
        target.watched.append(f"{name}={value}")
    return out


def _math_value(alarm: dict[str, Any], values: dict[str, float]) -> float | None:
    """The alarm's returned expression over one period whose inputs have `values` (by id)."""
    from tfproof.sandbox.moto_ext.cloudwatch_math import evaluate_expression

    queries = {q["Id"]: q for q in alarm.get("Metrics") or []}

    def resolve(query_id: str) -> list[float | None]:
        query = queries.get(query_id)
        if query is None:
            raise ValueError(f"unknown query id {query_id}")
        if "MetricStat" in query:
            return [values[query_id]]
        return evaluate_expression(query.get("Expression", ""), resolve, 1)

    returned = [q for q in queries.values() if q.get("ReturnData")] or [
        q for q in queries.values() if q.get("Expression")]  # fmt: skip
    return resolve(returned[0]["Id"])[0] if returned else None


def plan_math(ctx: LiveContext, target: Target, namespace_prefix: str) -> None:
    """A metric-math alarm: healthy inputs (load at BASE, error counts 0), then the smallest
    error count (or largest drop of a higher-is-healthier input) that the alarm fires on."""
    alarm = target.alarm
    inputs = [q for q in alarm.get("Metrics") or [] if "MetricStat" in q]
    healthy: dict[str, float] = {}
    for q in inputs:
        healthy[q["Id"]] = 0.0 if q["MetricStat"]["Metric"]["MetricName"] in LOWER else BASE
    bad = [q for q in inputs if q["MetricStat"]["Metric"]["MetricName"] in LOWER] or [
        q for q in inputs if q["MetricStat"]["Metric"]["MetricName"] in HIGHER]  # fmt: skip
    if not bad:
        target.skip = "no input of its metric math has a known healthy side (e.g. a 5xx count)"
        return
    moved = bad[0]["Id"]
    ladder = _LADDER_UP if healthy[moved] == 0.0 else _LADDER_DOWN
    unhealthy = dict(healthy)
    try:
        for level in ladder:
            unhealthy[moved] = level
            if breaches(alarm, _math_value(alarm, unhealthy)):
                break
        shown = {
            side: _math_value(alarm, v)
            for side, v in (("healthy", healthy), ("unhealthy", unhealthy))
        }
    except (ValueError, KeyError, TypeError) as error:
        target.skip = f"its metric math cannot be computed here ({error})"
        return
    for q in inputs:
        stat = q["MetricStat"]
        metric = stat["Metric"]
        dims = resolve_dims(ctx, metric.get("Dimensions", []), target)
        target.series.append(Series(namespace_prefix + metric["Namespace"], metric["MetricName"],
                                    dims, stat.get("Unit"), stat.get("Stat", "Sum"),
                                    healthy[q["Id"]], unhealthy[q["Id"]]))  # fmt: skip
    returned = next((q for q in alarm["Metrics"] if q.get("ReturnData")), {"Id": "the value"})
    for side, value in shown.items():
        target.notes[side] = f"{returned['Id']}={'no value' if value is None else f'{value:g}'}"


def plan_single(ctx: LiveContext, target: Target, namespace_prefix: str) -> None:
    """A one-metric alarm: its metric, statistic and unit, at levels either side of it."""
    alarm = target.alarm
    stat = alarm.get("Statistic")
    if not stat or stat == "SampleCount":
        target.skip = f"its statistic {stat or alarm.get('ExtendedStatistic')} is not driven"
        return
    metric = alarm["MetricName"]
    healthy, unhealthy, why = _levels(metric, alarm)
    dims = resolve_dims(ctx, alarm.get("Dimensions", []), target)
    target.series.append(Series(namespace_prefix + alarm["Namespace"], metric, dims,
                                alarm.get("Unit"), stat, healthy, unhealthy))  # fmt: skip
    target.notes = {"healthy": why, "unhealthy": why}
    target.direction = direction_problem(metric, alarm)


class Ledger:
    """Weights put so far per metric, so each phase outweighs every earlier one (a phase's
    repeated puts, the live feed while it waits, keep the weight the phase started with)."""

    def __init__(self) -> None:
        self.total: dict[tuple[str, str, frozenset[tuple[str, str]]], float] = {}
        self.weights: dict[tuple[Any, int], float] = {}

    def datums(self, target: Target, side: str, now: datetime,
               phase: int) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
        """MetricData by namespace: each series' value for `side` every min(60 s, period/2)
        over the alarm's evaluation periods, ending at `now`."""
        period, count = target.period, int(target.alarm.get("EvaluationPeriods") or 1)
        step = max(1, min(60, period // 2))
        stamps = [now - timedelta(seconds=i * step + 1) for i in range(period * count // step)]
        out: dict[str, list[dict[str, Any]]] = {}
        for series in target.series:
            value = series.healthy if side == "healthy" else series.unhealthy
            weight = self.weights.setdefault(
                (series.key(), phase),
                1.0 if target.monotone else max(100.0, 100.0 * self.total.get(series.key(), 0)),
            )
            self.total[series.key()] = self.total.get(series.key(), 0) + weight * len(stamps)
            base: dict[str, Any] = {
                "MetricName": series.metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in series.dims.items()],
            }
            if series.unit:
                base["Unit"] = series.unit
            if target.monotone:
                base["Value"] = value
            else:
                base["StatisticValues"] = {"SampleCount": weight, "Sum": value * weight,
                                           "Minimum": value, "Maximum": value}  # fmt: skip
            out.setdefault(series.namespace, []).extend({**base, "Timestamp": s} for s in stamps)
        return out
