"""The seed's "Disk Space < 20%" infrastructure alert exists for each RDS instance.

Failed beats unknown beats passed: an instance that no FreeStorageSpace alarm watches, or whose
alarms can never meet the rule (they fire on a rise, or below too little), fails even when its
allocated_storage is known only after apply (a replica, a restore from a snapshot); the answer
is unknown only while an alarm that could meet it depends on a value known after apply.
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import alarms
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_db_instance",)
RELATIONAL = True
FREE_PERCENT = 20
# FreeStorageSpace is in bytes; allocated_storage in GiB. A threshold computed with decimal
# gigabytes (1e9) is accepted too: it is within 7 % of the GiB figure.
_GB = 1_000_000_000
_GIB = 1 << 30


def _meets(alarm: alarms.AlarmView, allocated: float | None) -> tuple[bool | None, str]:
    """(whether the alarm meets the rule, None when known only after apply; why it meets it)."""
    if alarm.fires_on != "low":
        return False, ""
    if alarm.threshold is None:
        return (None if unknown(alarm.resource, "threshold") else False), ""
    if alarm.math:
        met = FREE_PERCENT <= alarm.threshold < 100
        return met, "(percent, metric math)" if met else ""
    if alarm.threshold <= 0:
        return False, ""
    if allocated is None:
        return None, ""  # a positive threshold meets the rule on a small enough disk
    if alarm.threshold < allocated * _GB * FREE_PERCENT / 100:
        return False, ""
    share = alarm.threshold / (allocated * _GIB) * 100
    return True, f"fires below {share:.0f} % of {allocated} GiB"


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """AWS/RDS FreeStorageSpace below at least 20 % of the allocated storage, for this instance."""
    values = resource.values
    if str(values.get("engine") or "").startswith("aurora"):
        return None  # an Aurora instance: storage is the cluster's, no FreeStorageSpace
    name = values.get("identifier") or resource.address
    allocated = values.get("allocated_storage")
    if not isinstance(allocated, (int, float)) or allocated <= 0:
        if not unknown(resource, "allocated_storage"):
            return None
        allocated = None  # a replica or a restore: its size is known only after apply
    tied = [a for a in alarms.watching_db(resource, index)
            if a.has_metric("AWS/RDS", "FreeStorageSpace")]
    pending = []
    for alarm in tied:
        met, why = _meets(alarm, allocated)
        if met:
            return Verdict.ok(f"free-storage alarm {alarm.describe()} {why}")
        if met is None:
            pending.append(alarm.address)
    size = f"{allocated} GiB" if allocated is not None else (
        "allocated_storage, known only after apply")
    want = f"AWS/RDS FreeStorageSpace LessThanThreshold >= {FREE_PERCENT} % of {size}"
    if allocated is not None:
        want += f" (>= {allocated * _GB * FREE_PERCENT / 100:.0f} bytes)"
    if pending:
        what = "allocated_storage and " if allocated is None else ""
        return Verdict.unknown(f"whether {', '.join(pending)} meets {want} depends on {what}"
                               "values known only after apply")
    if not tied:
        return Verdict.fail(f"no free-storage alarm watches RDS instance {name} (want {want})")
    return Verdict.fail(f"no free-storage alarm of RDS instance {name} meets {want}: "
                        + ", ".join(a.describe() for a in tied))


export_check(globals())
