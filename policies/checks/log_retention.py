"""CloudWatch log groups set a finite retention (the seed's 30 days meets it).

Provider 5's `log_group_class` changes what a log group costs and which features it has, not how
long it keeps logs: an INFREQUENT_ACCESS group without retention_in_days also keeps them forever,
so the class is not read and every class is judged by its retention.
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_cloudwatch_log_group",)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """retention_in_days > 0 (0 or unset = never expire)."""
    days = resource.values.get("retention_in_days")
    if days is None and unknown(resource, "retention_in_days"):
        return Verdict.unknown("retention_in_days is known only after apply")
    try:
        value = int(days or 0)
    except (TypeError, ValueError):
        return Verdict.fail(f"retention_in_days {days!r} is not a number of days")
    if value > 0:
        return Verdict.ok(f"logs are kept {value} days")
    return Verdict.fail("log group keeps logs forever (retention_in_days unset or 0)")


export_check(globals())
