"""Alarm direction from the metric's meaning: low-is-bad metrics must fire below the threshold."""

from __future__ import annotations

import re

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_cloudwatch_metric_alarm",)
_HIGH_IS_BAD = re.compile(
    r"unhealthy|cpu|memoryutil|memory_util|error|fault|5xx|4xx|latency|throttl|duration|"
    r"queue|backlog|utilization|used|responsetime|swap|deadletter|rejected|timeout", re.I)
_LOW_IS_BAD = re.compile(
    r"healthy|running|available|free|cachehit|success", re.I)


def direction(metric: str) -> str | None:
    """"high" when a rise is trouble, "low" when a drop is trouble, None when unclear."""
    if _HIGH_IS_BAD.search(metric):
        return "high"
    if _LOW_IS_BAD.search(metric):
        return "low"
    return None


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Compare the operator with the metric's bad direction (metric-math alarms skipped).

    An operator known only after apply is unknown, not skipped: it may turn out inverted.
    """
    metric = resource.values.get("metric_name")
    operator = str(resource.values.get("comparison_operator") or "")
    if not metric:
        if unknown(resource, "metric_name"):
            return Verdict.unknown("metric_name is known only after apply")
        return None
    bad = direction(str(metric))
    if bad is None:
        return None
    if not operator and unknown(resource, "comparison_operator"):
        return Verdict.unknown(f"{metric} is bad when {bad}, but the comparison_operator is "
                               "known only after apply")
    if not operator.startswith(("Greater", "Less")):
        return None
    fires_on = "high" if operator.startswith("Greater") else "low"
    if fires_on == bad:
        return Verdict.ok(f"{metric} alarm fires when it goes {bad}")
    return Verdict.fail(
        f"inverted alarm: {metric} is bad when {bad} but {operator} fires when it is {fires_on}"
    )


export_check(globals())
