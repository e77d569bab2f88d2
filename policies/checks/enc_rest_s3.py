"""S3 default encryption declared in the configuration: AES256 meets the seed; KMS is not required.

Since 5 January 2023 AWS encrypts every new object upload with SSE-S3 even when a bucket has
no encryption configuration (S3 user guide, "Using server-side encryption with Amazon S3
managed keys"), so a failure here does not mean objects are stored in clear: it means
the plan does not declare (and so does not pin or show an auditor) the encryption the seed asks
for. The requirement is that declaration, inline (provider 3) or as
aws_s3_bucket_server_side_encryption_configuration (provider 4+).
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import s3
from tfproof.plan import Resource

RESOURCE_TYPES = s3.BUCKET
RELATIONAL = True


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Pass when the bucket declares default encryption, inline or split."""
    state = s3.encryption(resource, index)
    if state is None:
        return Verdict.unknown("default encryption is known only after apply")
    if state:
        return Verdict.ok("default encryption (AES256 or aws:kms) is declared")
    return Verdict.fail(
        "S3 bucket declares no default encryption (AES256 or aws:kms): AWS applies SSE-S3 to "
        "new objects anyway since January 2023, but the configuration neither states nor pins "
        "the encryption the seed requires")


export_check(globals())
