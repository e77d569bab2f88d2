"""EBS volumes and instance block devices are encrypted.

An instance is judged on each of its block devices, and failed beats unknown beats passed: a
device known to be unencrypted fails the instance; a device whose encryption is known only
after apply (`encrypted` not set: the AMI's snapshot or the account's EBS default decides, as
for the root device when no root_block_device is declared) makes it unknown, not failed.
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import blocks, truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_ebs_volume", "aws_instance")
DEVICES = ("root_block_device", "ebs_block_device")


def _flagged(resource: Resource, block: str, attribute: str) -> bool:
    """Some `block` of the resource has `attribute` known only after apply."""
    pending = resource.unknown.get(block)
    items = pending if isinstance(pending, list) else [pending]
    return any(item is True or (isinstance(item, dict) and item.get(attribute) is True)
               for item in items)


def _encrypted(resource: Resource, kind: str, device: dict) -> bool | None:
    """Whether one declared device is encrypted (None: known only after apply).

    A value known only after apply is left out of the planned device (a known null stays);
    ebs_block_device is a set, whose unknown parts need not come in the order of its planned
    devices, so the planned device says which device it is.
    """
    if "encrypted" not in device and _flagged(resource, kind, "encrypted"):
        return None
    return truthy(device.get("encrypted"))


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Volumes: encrypted; instances: every block device encrypted."""
    if resource.type == "aws_ebs_volume":
        if truthy(resource.values.get("encrypted")):
            return Verdict.ok("volume is encrypted")
        if unknown(resource, "encrypted"):
            return Verdict.unknown("encrypted is known only after apply")
        return Verdict.fail("EBS volume is not encrypted")
    plain, pending = [], []
    for kind in DEVICES:
        for number, device in enumerate(blocks(resource.values, kind)):
            label = "the root device" if kind == "root_block_device" else (
                f"device {device.get('device_name') or number}")
            state = _encrypted(resource, kind, device)
            if state is False:
                plain.append(label)
            elif state is None:
                pending.append(label)
    if not blocks(resource.values, "root_block_device"):
        pending.insert(0, "the root device (no root_block_device: the AMI's or the account's "
                          "default)")
    if plain:
        return Verdict.fail("instance block device not encrypted: " + ", ".join(plain))
    if pending:
        return Verdict.unknown("encryption known only after apply: " + ", ".join(pending))
    return Verdict.ok("block devices are encrypted")


export_check(globals())
