"""TLS-only S3: a bucket policy denies aws:SecureTransport = false."""

from __future__ import annotations

from typing import Any

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import as_list, lower_keys
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import s3
from tfproof.engine.readers.documents import is_everyone
from tfproof.plan import Resource

RESOURCE_TYPES = s3.BUCKET
RELATIONAL = True


def denies_insecure_transport(statement: dict[str, Any]) -> bool:
    """A Deny for everyone, on all (or all object) actions, when SecureTransport is false."""
    if str(statement.get("Effect", "")).lower() != "deny":
        return False
    if not is_everyone(statement.get("Principal")):
        return False
    actions = {str(a).lower() for a in as_list(statement.get("Action"))}
    if not actions & {"*", "s3:*"}:
        return False
    for test, condition in lower_keys(statement.get("Condition")).items():
        if test not in ("bool", "boolifexists"):
            continue
        value = lower_keys(condition).get("aws:securetransport")
        if value is not None and "false" in {str(v).lower() for v in as_list(value)}:
            return True
    return False


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Pass when an attached policy (inline or aws_s3_bucket_policy) denies plain HTTP.

    A deny in any policy known at plan time passes, whatever the policies known only after
    apply turn out to be; while none known denies, such a policy keeps it unknown.
    """
    docs, pending = s3.policies(resource, index)
    if any(denies_insecure_transport(st) for doc in docs for st in doc):
        return Verdict.ok("bucket policy denies aws:SecureTransport = false")
    if pending:
        return Verdict.unknown("no known bucket policy denies plain HTTP, and a policy is known "
                               "only after apply")
    return Verdict.fail("no bucket policy denies requests without TLS (aws:SecureTransport false)")


export_check(globals())
