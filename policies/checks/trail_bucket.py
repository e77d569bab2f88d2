"""The bucket a trail writes to, judged where the fix belongs: at the bucket."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import s3
from tfproof.plan import Resource

RESOURCE_TYPES = s3.BUCKET
RELATIONAL = True


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Only buckets a trail writes to (s3_bucket_name names them, or one of their configs)."""
    if not s3.writers(resource, index, "aws_cloudtrail", "s3_bucket_name"):
        return None
    checks = {
        "encrypted": s3.encryption(resource, index),
        "versioned": s3.versioning(resource, index),
        "public access blocked": s3.public_access_blocked(resource, index),
    }
    missing = [name for name, state in checks.items() if state is False]
    if missing:
        return Verdict.fail("CloudTrail log bucket is not " + ", not ".join(missing))
    if None in checks.values():
        return Verdict.unknown("trail bucket settings are known only after apply")
    return Verdict.ok("trail bucket is encrypted, versioned and not public")


export_check(globals())
