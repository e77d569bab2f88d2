"""KMS key rotation (symmetric keys; asymmetric and HMAC keys cannot rotate)."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_kms_key",)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """enable_key_rotation on SYMMETRIC_DEFAULT keys."""
    spec = resource.values.get("customer_master_key_spec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT":
        return None
    if truthy(resource.values.get("enable_key_rotation")):
        return Verdict.ok("key rotation is on")
    # set from a value known only after apply: unknown, not off (unset, AWS's default is off)
    if unknown(resource, "enable_key_rotation") and not unset_on_create(
            resource, "enable_key_rotation"):
        return Verdict.unknown("enable_key_rotation is known only after apply")
    return Verdict.fail("customer KMS key does not rotate (enable_key_rotation is false)")


export_check(globals())
