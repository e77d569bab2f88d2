"""RDS instances and Aurora clusters set storage_encrypted."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_db_instance", "aws_rds_cluster")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Pass when storage_encrypted is true; replicas of a source inherit its setting."""
    values = resource.values
    if resource.type == "aws_db_instance" and values.get("replicate_source_db"):
        return None
    if truthy(values.get("storage_encrypted")):
        return Verdict.ok("storage is encrypted")
    if unknown(resource, "storage_encrypted"):
        return Verdict.unknown("storage_encrypted is known only after apply")
    return Verdict.fail("database storage is not encrypted (storage_encrypted is not true)")


export_check(globals())
