"""RDS instances are not public."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_db_instance", "aws_rds_cluster_instance")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """publicly_accessible must be false (the provider default)."""
    if truthy(resource.values.get("publicly_accessible")):
        return Verdict.fail("database is publicly accessible")
    if unknown(resource, "publicly_accessible"):
        return Verdict.unknown("publicly_accessible is known only after apply")
    return Verdict.ok("database is not publicly accessible")


export_check(globals())
