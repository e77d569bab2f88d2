"""S3 versioning, inline or split."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import s3
from tfproof.plan import Resource

RESOURCE_TYPES = s3.BUCKET
RELATIONAL = True


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Versioning enabled on the bucket."""
    state = s3.versioning(resource, index)
    if state is None:
        return Verdict.unknown("versioning is known only after apply")
    if state:
        return Verdict.ok("versioning is on")
    return Verdict.fail("bucket versioning is off")


export_check(globals())
