"""One CloudWatch metric alarm as the policies read it: metrics, dimensions, direction, actions.

Read once per plan (`alarms(index)`), so each ALARMS policy is a few lines of
rule over `AlarmView`s (`tfproof.engine.readers.alarms` ties them to what they
watch) and a mutation can find the alarms a policy relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tfproof.engine.helpers import blocks, truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.plan import Resource

ALARM = "aws_cloudwatch_metric_alarm"


# (namespace, metric) pairs that count healthy/running tasks or hosts: a drop is an outage.
HEALTH_METRICS = frozenset({
    ("ECS/ContainerInsights", "TaskCount"),
    ("ECS/ContainerInsights", "RunningTaskCount"),
    ("AWS/ECS", "HealthyTaskCount"),
    ("AWS/ApplicationELB", "HealthyHostCount"),
})


ELB_5XX = ("HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count")


@dataclass(frozen=True)
class AlarmView:
    """One alarm as the existence policies read it."""

    resource: Resource
    metrics: tuple[tuple[str, str], ...]  # (namespace, metric) of the alarm or its metric_query
    math: bool  # metric_query with an expression (e.g. a rate)
    operator: str
    threshold: float | None
    targets: frozenset[str]  # addresses the dimensions refer to
    target_types: frozenset[str]  # their resource types
    dimensions: tuple[dict[str, Any], ...]  # known dimension maps (alarm's and metric_query's)
    notifies_sns: bool | None  # None: the actions are known only after apply

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def fires_on(self) -> str | None:
        """"high" when it fires above the threshold, "low" below, None otherwise."""
        if self.operator.startswith("Greater"):
            return "high"
        if self.operator.startswith("Less") and "LowerThreshold" not in self.operator:
            return "low"
        return None

    def has_metric(self, namespace: str, *names: str) -> bool:
        return any(ns == namespace and metric in names for ns, metric in self.metrics)

    def literal(self, key: str) -> set[str]:
        """Known string values of one dimension key."""
        return {d[key] for d in self.dimensions if isinstance(d.get(key), str) and d[key]}

    def describe(self) -> str:
        metric = "/".join(self.metrics[0]) if self.metrics else "?"
        if self.math:
            metric = "metric math over " + metric
        threshold = "?" if self.threshold is None else (
            f"{self.threshold:.0f}" if self.threshold.is_integer() else f"{self.threshold:g}")
        return f"{self.address} ({metric} {self.operator or '?'} {threshold})"


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _notifies_sns(alarm: Resource, index: PlanIndex) -> bool | None:
    """True when the alarm's actions reach an SNS topic (by reference or literal ARN)."""
    values = alarm.values
    if values.get("actions_enabled") is not None and not truthy(values.get("actions_enabled")):
        return False
    if any(t.type == "aws_sns_topic" for t in index.references(alarm, "alarm_actions")):
        return True
    literal = [a for a in values.get("alarm_actions") or [] if isinstance(a, str)]
    if any(":sns:" in arn for arn in literal):
        return True
    if unknown(alarm, "alarm_actions") and alarm.references("alarm_actions"):
        return None
    return False


def _view(alarm: Resource, index: PlanIndex) -> AlarmView:
    values = alarm.values
    metrics: list[tuple[str, str]] = []
    dimensions: list[dict[str, Any]] = []
    if values.get("metric_name"):
        metrics.append((str(values.get("namespace") or ""), str(values["metric_name"])))
    if isinstance(values.get("dimensions"), dict):
        dimensions.append(values["dimensions"])
    math = False
    for query in blocks(values, "metric_query"):
        if query.get("expression"):
            math = True
        for metric in blocks(query, "metric"):
            if metric.get("metric_name"):
                metrics.append((str(metric.get("namespace") or ""), str(metric["metric_name"])))
            if isinstance(metric.get("dimensions"), dict):
                dimensions.append(metric["dimensions"])
    referenced = index.references(alarm, "dimensions") + index.references(alarm, "metric_query")
    targets = {t.address for t in referenced}
    return AlarmView(
        resource=alarm, metrics=tuple(metrics), math=math,
        operator=str(values.get("comparison_operator") or ""),
        threshold=_number(values.get("threshold")), targets=frozenset(targets),
        target_types=frozenset(t.type for t in referenced),
        dimensions=tuple(dimensions), notifies_sns=_notifies_sns(alarm, index),
    )


def alarms(index: PlanIndex) -> list[AlarmView]:
    """Every metric alarm of the plan, read once per plan."""
    return index.memo("alarms", "views",  # type: ignore[no-any-return]
                      lambda: [_view(a, index) for a in index.of_type(ALARM)])
