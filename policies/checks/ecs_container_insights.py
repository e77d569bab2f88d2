"""ECS container insights."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import blocks, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_ecs_cluster",)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """setting containerInsights = enabled (or enhanced)."""
    for setting in blocks(resource.values, "setting"):
        if setting.get("name") == "containerInsights" and setting.get("value") in (
            "enabled", "enhanced"
        ):
            return Verdict.ok("container insights are on")
    if unknown(resource, "setting"):
        return Verdict.unknown("cluster settings are known only after apply")
    return Verdict.fail("ECS cluster does not enable containerInsights")


export_check(globals())
