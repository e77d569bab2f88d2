"""ElastiCache Redis is encrypted at rest."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_elasticache_replication_group", "aws_elasticache_cluster")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Replication groups must enable it; a standalone Redis cluster cannot have it."""
    values = resource.values
    if resource.type == "aws_elasticache_cluster":
        if values.get("replication_group_id") or values.get("engine") == "memcached":
            return None
        return Verdict.fail(
            "standalone Redis cluster cannot encrypt at rest: use a replication group "
            "with at_rest_encryption_enabled"
        )
    if truthy(values.get("at_rest_encryption_enabled")):
        return Verdict.ok("at-rest encryption is on")
    attr = "at_rest_encryption_enabled"
    if unknown(resource, attr) and not unset_on_create(resource, attr):
        return Verdict.unknown("at_rest_encryption_enabled is known only after apply")
    return Verdict.fail("replication group does not encrypt at rest")


export_check(globals())
