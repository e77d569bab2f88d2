"""S3 default encryption: AES256 meets the seed; KMS is not required."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import s3
from tfproof.plan import Resource

RESOURCE_TYPES = s3.BUCKET
RELATIONAL = True


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Pass when the bucket has default encryption, inline or split."""
    state = s3.encryption(resource, index)
    if state is None:
        return Verdict.unknown("default encryption is known only after apply")
    if state:
        return Verdict.ok("default encryption is on")
    return Verdict.fail("S3 bucket has no default server-side encryption (AES256 or aws:kms)")


export_check(globals())
