"""ElastiCache Redis is encrypted at rest.

A serverless cache (`aws_elasticache_serverless_cache`, any engine) is always encrypted at
rest: AWS offers no way to turn it off (`kms_key_id` only picks the key), so it passes.
Provider 6 plans `at_rest_encryption_enabled` as a string ("true"/"false"), provider 5 as a
bool; both read the same.
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

SERVERLESS = "aws_elasticache_serverless_cache"
RESOURCE_TYPES = ("aws_elasticache_replication_group", "aws_elasticache_cluster", SERVERLESS)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Replication groups must enable it; a standalone Redis cluster cannot have it."""
    values = resource.values
    if resource.type == SERVERLESS:
        return Verdict.ok("serverless cache: always encrypted at rest")
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
