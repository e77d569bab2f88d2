"""KMS key rotation (symmetric keys; asymmetric and HMAC keys cannot rotate).

Provider 5 adds `rotation_period_in_days` (AWS accepts 90..2560; 365 when unset). KEY-ROTATION
promises that customer keys rotate and names no period (nor do its CIS 3.6 and NIST SC-12
references), so any period AWS accepts passes, a period over a year included; the verdict
says which period. A period known only after apply is still one AWS accepts (apply fails on any
other), so it does not make a rotating key unknown. A known period outside 90..2560 is not a
rotation AWS will run: it fails.
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_kms_key",)
PERIOD_RANGE = (90, 2560)  # EnableKeyRotation RotationPeriodInDays, KMS API reference
DEFAULT_PERIOD = 365


def _rotating(resource: Resource) -> Verdict:
    """Rotation is on: how often, from rotation_period_in_days."""
    period = resource.values.get("rotation_period_in_days")
    if period is None:
        if unset_on_create(resource, "rotation_period_in_days") or not unknown(
                resource, "rotation_period_in_days"):
            return Verdict.ok(f"key rotation is on (every {DEFAULT_PERIOD} days, AWS's default)")
        return Verdict.ok("key rotation is on (its period, 90..2560 days, is known only after "
                          "apply)")
    try:
        days = int(period)
    except (TypeError, ValueError):
        return Verdict.fail(f"rotation_period_in_days {period!r} is not a number of days")
    low, high = PERIOD_RANGE
    if not low <= days <= high:
        return Verdict.fail(f"rotation_period_in_days {days} is outside {low}..{high}: AWS "
                            "runs no such rotation")
    return Verdict.ok(f"key rotation is on (every {days} days)")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """enable_key_rotation on SYMMETRIC_DEFAULT keys."""
    spec = resource.values.get("customer_master_key_spec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT":
        return None
    if truthy(resource.values.get("enable_key_rotation")):
        return _rotating(resource)
    # set from a value known only after apply: unknown, not off (unset, AWS's default is off)
    if unknown(resource, "enable_key_rotation") and not unset_on_create(
            resource, "enable_key_rotation"):
        return Verdict.unknown("enable_key_rotation is known only after apply")
    return Verdict.fail("customer KMS key does not rotate (enable_key_rotation is false)")


export_check(globals())
