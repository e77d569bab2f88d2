"""S3 server access logging; buckets that receive access logs are exempt."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import s3
from tfproof.plan import Resource

RESOURCE_TYPES = s3.BUCKET
RELATIONAL = True


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Logging configured, unless this bucket is where access logs go."""
    state = s3.logging(resource, index)
    if state:
        return Verdict.ok("access logging is on")
    if s3.is_log_target(resource, index):
        return None
    if state is None:
        return Verdict.unknown("access logging is known only after apply")
    return Verdict.fail("bucket has no server access logging")


export_check(globals())
