"""EBS volumes and instance block devices are encrypted."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import blocks, truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_ebs_volume", "aws_instance")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Volumes: encrypted; instances: every declared block device encrypted."""
    if resource.type == "aws_ebs_volume":
        if truthy(resource.values.get("encrypted")):
            return Verdict.ok("volume is encrypted")
        if unknown(resource, "encrypted"):
            return Verdict.unknown("encrypted is known only after apply")
        return Verdict.fail("EBS volume is not encrypted")
    devices = blocks(resource.values, "root_block_device") + blocks(
        resource.values, "ebs_block_device"
    )
    if not devices:
        return Verdict.unknown("block devices are known only after apply")
    if all(truthy(d.get("encrypted")) for d in devices):
        return Verdict.ok("block devices are encrypted")
    return Verdict.fail("an instance block device is not encrypted")


export_check(globals())
