"""Every alarm has an enabled action (an SNS topic or a scaling policy)."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_cloudwatch_metric_alarm",)
_TARGETS = ("aws_sns_topic", "aws_appautoscaling_policy", "aws_autoscaling_policy")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Actions enabled and alarm_actions naming a known ARN or a referenced topic/policy."""
    values = resource.values
    if values.get("actions_enabled") is not None and not truthy(values.get("actions_enabled")):
        return Verdict.fail("alarm actions are disabled (actions_enabled = false)")
    targets = [t for t in index.references(resource, "alarm_actions") if t.type in _TARGETS]
    literal = [a for a in values.get("alarm_actions") or [] if isinstance(a, str) and a]
    if targets or literal:
        # actions set, but whether they run is known only after apply: unknown, not passed
        if values.get("actions_enabled") is None and unknown(resource, "actions_enabled") and (
                not unset_on_create(resource, "actions_enabled")):
            return Verdict.unknown("actions_enabled is known only after apply")
        return Verdict.ok("alarm notifies " + ", ".join([t.address for t in targets] + literal))
    if unknown(resource, "alarm_actions") and resource.references("alarm_actions"):
        return Verdict.unknown("alarm_actions are known only after apply")
    return Verdict.fail("alarm has no alarm_actions: nobody is notified")


export_check(globals())
