"""The seed's "CPU > 80%" infrastructure alert exists for each ECS cluster."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import alarms
from tfproof.plan import Resource

RESOURCE_TYPES = (alarms.CLUSTER,)
RELATIONAL = True
METRIC = "CPUUtilization"
LIMIT = 80


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """AWS/ECS CPUUtilization above at most 80 %, cluster-wide or on each of its services."""
    return alarms.ecs_utilization(resource, index, METRIC, LIMIT, "CPU")


export_check(globals())
