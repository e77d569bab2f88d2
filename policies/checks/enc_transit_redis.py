"""Redis TLS: transit_encryption_enabled on the replication group."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_elasticache_replication_group", "aws_elasticache_cluster")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Replication groups and standalone Redis clusters must have transit encryption."""
    values = resource.values
    if resource.type == "aws_elasticache_cluster" and (
        values.get("replication_group_id") or values.get("engine") == "memcached"
    ):
        return None
    if truthy(values.get("transit_encryption_enabled")):
        return Verdict.ok("transit encryption is on")
    attr = "transit_encryption_enabled"
    if unknown(resource, attr) and not unset_on_create(resource, attr):
        return Verdict.unknown("transit_encryption_enabled is known only after apply")
    return Verdict.fail("Redis does not encrypt in transit (no TLS)")


export_check(globals())
