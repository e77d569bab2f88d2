"""Redis snapshots, on node-based clusters, replication groups and serverless caches.

Valkey is Redis-compatible and judged the same; Memcached has no snapshots (BACKUP promises
them for Redis only). A serverless cache's `snapshot_retention_limit` is optional and computed:
left unset, the plan cannot say what AWS keeps (its default is not documented), so it is
unknown, never passed.
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

SERVERLESS = "aws_elasticache_serverless_cache"
RESOURCE_TYPES = ("aws_elasticache_cluster", "aws_elasticache_replication_group", SERVERLESS)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """snapshot_retention_limit > 0 on Redis and Valkey (memcached has no snapshots)."""
    values = resource.values
    if values.get("engine") == "memcached" or (
        resource.type == "aws_elasticache_cluster" and values.get("replication_group_id")
    ):
        return None
    limit = values.get("snapshot_retention_limit")
    if limit is None and unknown(resource, "snapshot_retention_limit"):
        if resource.type == SERVERLESS and "snapshot_retention_limit" not in resource.expressions:
            return Verdict.unknown("snapshot_retention_limit is not set: what AWS keeps is known "
                                   "only after apply")
        return Verdict.unknown("snapshot_retention_limit is known only after apply")
    if int(limit or 0) > 0:
        return Verdict.ok(f"snapshots kept {int(limit)} days")
    return Verdict.fail("Redis keeps no automatic snapshots (snapshot_retention_limit is 0)")


export_check(globals())
