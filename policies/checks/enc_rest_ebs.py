"""EBS volumes, instance block devices and launch template devices are encrypted.

An instance is judged on each of its block devices, and failed beats unknown beats passed: a
device known to be unencrypted fails the instance; a device whose encryption is known only
after apply (`encrypted` not set: the AMI's snapshot or the account's EBS default decides, as
for the root device when no root_block_device is declared) makes it unknown, not failed.

The account's default lives outside the resource: `aws_ebs_encryption_by_default` known
enabled for the same account and region (readers.account) encrypts every new volume, so a
device that leaves `encrypted` unset is encrypted. A device that says `encrypted = false`
still fails, and its message says why: AWS encrypts the volume anyway, but Terraform then sees
`encrypted = true` where the code says false and plans a replacement on every run; the code
states the opposite of what is deployed. Known disabled, a new volume with no snapshot to
inherit from is plain.
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import blocks, truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import account
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_ebs_volume", "aws_instance", "aws_launch_template")
RELATIONAL = True
DEVICES = ("root_block_device", "ebs_block_device")
_BY_DEFAULT = "encrypted by the account's EBS encryption by default"
_AGAINST_DEFAULT = (
    ": the account's EBS encryption by default is on, so AWS encrypts it anyway, but Terraform "
    "then plans a replacement on every run (the code says the opposite of what is deployed); "
    "remove `encrypted = false` or set it to true")


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


def _volume(resource: Resource, default: bool | None) -> Verdict:
    """A volume: its own `encrypted`, else the account default when the plan sets it."""
    if truthy(resource.values.get("encrypted")):
        return Verdict.ok("volume is encrypted")
    if resource.values.get("encrypted") is not None:
        if default:
            return Verdict.fail("EBS volume sets encrypted = false" + _AGAINST_DEFAULT)
        return Verdict.fail("EBS volume is not encrypted")
    if default:
        return Verdict.ok(f"volume leaves `encrypted` unset: {_BY_DEFAULT}")
    if default is False and not resource.values.get("snapshot_id"):
        return Verdict.fail("EBS volume is not encrypted (EBS encryption by default is off)")
    if unknown(resource, "encrypted"):
        return Verdict.unknown("encrypted is known only after apply")
    return Verdict.fail("EBS volume is not encrypted")


def _instance_devices(resource: Resource) -> tuple[list[str], list[str]]:
    """(plain, left to AWS) block devices of an instance."""
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
    return plain, pending


def _template_devices(resource: Resource) -> tuple[list[str], list[str]]:
    """(plain, left to AWS) EBS mappings of a launch template (`encrypted`: "true"/"false"/"").

    Without block_device_mappings the instances get the AMI's devices, left to AWS too.
    """
    plain, pending = [], []
    mappings = blocks(resource.values, "block_device_mappings")
    for number, mapping in enumerate(mappings):
        for ebs in blocks(mapping, "ebs")[:1]:
            label = f"device {mapping.get('device_name') or number}"
            value = ebs.get("encrypted")
            if value in (None, ""):
                pending.append(label)
            elif not truthy(value):
                plain.append(label)
    if not mappings:
        pending.append("the AMI's devices (no block_device_mappings)")
    return plain, pending


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Volumes: encrypted; instances and launch templates: every block device encrypted."""
    default = account.ebs_default_encryption(resource, index)
    if resource.type == "aws_ebs_volume":
        return _volume(resource, default)
    noun = "instance" if resource.type == "aws_instance" else "launch template"
    plain, pending = (_instance_devices(resource) if resource.type == "aws_instance"
                      else _template_devices(resource))
    if plain and default and resource.type == "aws_instance":
        return Verdict.fail("instance sets encrypted = false on " + ", ".join(plain)
                            + _AGAINST_DEFAULT.replace("encrypts it", "encrypts them"))
    if plain and default:
        return Verdict.fail(
            "launch template sets encrypted = false on " + ", ".join(plain) + ": the account's "
            "EBS encryption by default is on, so AWS encrypts those volumes anyway and the "
            "template says the opposite of what is deployed; remove `encrypted = false` or set "
            "it to true")
    if plain:
        return Verdict.fail(f"{noun} block device not encrypted: " + ", ".join(plain))
    if pending and default:
        return Verdict.ok(", ".join(pending) + f": {_BY_DEFAULT}")
    if pending:
        return Verdict.unknown("encryption known only after apply: " + ", ".join(pending))
    return Verdict.ok("block devices are encrypted")


export_check(globals())
