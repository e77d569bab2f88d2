"""Redis snapshots, on node-based clusters, replication groups and serverless caches.

Valkey is Redis-compatible and judged the same; Memcached has no snapshots (BACKUP promises
them for Redis only). A serverless cache that does not set `snapshot_retention_limit` gets
AWS's default, no automatic snapshots: where the plan shows the limit null (and not in
`after_unknown`) the promise is not made, so it fails. Only a limit in `after_unknown` (set
from a value known at apply, or left to the provider to fill in) is "known only after apply".
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
            return Verdict.unknown("snapshot_retention_limit is not set and the plan leaves it "
                                   "to apply (AWS's default keeps no automatic snapshots: set "
                                   "it to 1 or more days)")
        return Verdict.unknown("snapshot_retention_limit is known only after apply")
    if int(limit or 0) > 0:
        return Verdict.ok(f"snapshots kept {int(limit)} days")
    if limit is None and resource.type == SERVERLESS:
        return Verdict.fail("serverless cache sets no snapshot_retention_limit: AWS's default "
                            "keeps no automatic snapshots (set it to 1 or more days)")
    return Verdict.fail("Redis keeps no automatic snapshots (snapshot_retention_limit is 0)")


export_check(globals())
