"""Redis TLS: transit_encryption_enabled on the replication group, and TLS required.

`transit_encryption_mode = "preferred"` (provider 5, for migrating to TLS) accepts clear-text
connections beside TLS ones, so it fails: ENC-TRANSIT lets no client reach a data store in clear
text. Unset (or "required") with transit encryption on is required TLS. A serverless cache
(`aws_elasticache_serverless_cache`, any engine) accepts TLS connections only, so it passes.
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
    """Replication groups and standalone Redis clusters must have transit encryption."""
    values = resource.values
    if resource.type == SERVERLESS:
        return Verdict.ok("serverless cache: TLS is always required")
    if resource.type == "aws_elasticache_cluster" and (
        values.get("replication_group_id") or values.get("engine") == "memcached"
    ):
        return None
    if truthy(values.get("transit_encryption_enabled")):
        mode = values.get("transit_encryption_mode")
        if str(mode).lower() == "preferred":
            return Verdict.fail("transit_encryption_mode is preferred: clear-text clients are "
                                "still accepted (set it to required)")
        if mode is None and unknown(resource, "transit_encryption_mode") and not (
                unset_on_create(resource, "transit_encryption_mode")):
            return Verdict.unknown("transit_encryption_mode is known only after apply")
        return Verdict.ok("transit encryption is on and required")
    attr = "transit_encryption_enabled"
    if unknown(resource, attr) and not unset_on_create(resource, attr):
        return Verdict.unknown("transit_encryption_enabled is known only after apply")
    return Verdict.fail("Redis does not encrypt in transit (no TLS)")


export_check(globals())
