"""The seed's "Disk Space < 20%" infrastructure alert exists for each RDS instance."""

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


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """AWS/RDS FreeStorageSpace below at least 20 % of the allocated storage, for this instance."""
    name = resource.values.get("identifier") or resource.address
    allocated = resource.values.get("allocated_storage")
    tied = [a for a in alarms.watching_db(resource, index)
            if a.has_metric("AWS/RDS", "FreeStorageSpace")]
    if not isinstance(allocated, (int, float)) or allocated <= 0:
        if unknown(resource, "allocated_storage"):
            return Verdict.unknown("allocated_storage is known only after apply")
        return None  # e.g. an Aurora instance: storage is the cluster's, no FreeStorageSpace
    floor = allocated * _GB * FREE_PERCENT / 100
    for alarm in tied:
        if alarm.math:
            if alarm.fires_on == "low" and alarm.threshold is not None and (
                    FREE_PERCENT <= alarm.threshold < 100):
                return Verdict.ok(f"free-storage alarm {alarm.describe()} (percent, metric math)")
        elif alarm.fires_on == "low" and alarm.threshold is not None and alarm.threshold >= floor:
            share = alarm.threshold / (allocated * _GIB) * 100
            return Verdict.ok(f"free-storage alarm {alarm.describe()} fires below "
                              f"{share:.0f} % of {allocated} GiB")
    if any(a.threshold is None and unknown(a.resource, "threshold") for a in tied):
        return Verdict.unknown("the threshold of the free-storage alarm is known only after apply")
    want = (f"AWS/RDS FreeStorageSpace LessThanThreshold >= {FREE_PERCENT} % of {allocated} GiB "
            f"(>= {floor:.0f} bytes)")
    if not tied:
        return Verdict.fail(f"no free-storage alarm watches RDS instance {name} (want {want})")
    return Verdict.fail(f"no free-storage alarm of RDS instance {name} meets {want}: "
                        + ", ".join(a.describe() for a in tied))


export_check(globals())
