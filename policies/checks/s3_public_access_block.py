"""S3 public access block, tied to the bucket by reference."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import s3
from tfproof.plan import Resource

RESOURCE_TYPES = s3.BUCKET
RELATIONAL = True


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """All four settings on, from a block that refers to this bucket (or the account's)."""
    state = s3.public_access_blocked(resource, index)
    if state is None:
        return Verdict.unknown("public access block settings are known only after apply")
    if state:
        return Verdict.ok("public access is blocked")
    return Verdict.fail("bucket has no public access block with all four settings on")


export_check(globals())
