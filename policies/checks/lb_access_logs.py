"""Application/network load balancer access logs."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import block, truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_lb", "aws_alb", "aws_elb")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """access_logs enabled (gateway load balancers have none)."""
    if resource.values.get("load_balancer_type") == "gateway":
        return None
    logs = block(resource.values, "access_logs")
    enabled = logs.get("enabled", True if resource.type == "aws_elb" else None)
    if logs and truthy(enabled) and (logs.get("bucket") or unknown(resource, "access_logs")):
        return Verdict.ok("access logs are on")
    if not logs and unknown(resource, "access_logs"):
        return Verdict.unknown("access_logs are known only after apply")
    pending = resource.unknown.get("access_logs")
    first = pending[0] if isinstance(pending, list) and pending else {}
    if logs and "enabled" not in logs and isinstance(first, dict) and first.get("enabled") is True:
        return Verdict.unknown("access_logs.enabled is known only after apply")
    return Verdict.fail("load balancer access logs are off")


export_check(globals())
