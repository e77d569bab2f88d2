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
    """All four settings on, each from the bucket's own block or its account's."""
    flags = s3.public_access_flags(resource, index)
    off = [flag for flag, state in flags.items() if state is False]
    if off:
        return Verdict.fail("public access settings off for this bucket and its account: "
                            + ", ".join(off))
    if None in flags.values():
        return Verdict.unknown("public access block settings are known only after apply")
    return Verdict.ok("public access is blocked")


export_check(globals())
