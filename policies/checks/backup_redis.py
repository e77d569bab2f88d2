"""Redis snapshots."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_elasticache_cluster", "aws_elasticache_replication_group")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """snapshot_retention_limit > 0 on Redis (memcached has no snapshots)."""
    values = resource.values
    if values.get("engine") == "memcached" or (
        resource.type == "aws_elasticache_cluster" and values.get("replication_group_id")
    ):
        return None
    limit = values.get("snapshot_retention_limit")
    if limit is None and unknown(resource, "snapshot_retention_limit"):
        return Verdict.unknown("snapshot_retention_limit is known only after apply")
    if int(limit or 0) > 0:
        return Verdict.ok(f"snapshots kept {int(limit)} days")
    return Verdict.fail("Redis keeps no automatic snapshots (snapshot_retention_limit is 0)")


export_check(globals())
