"""The seed's "Error Rate > 5%" infrastructure alert exists for each application load balancer."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import alarms
from tfproof.plan import Resource

RESOURCE_TYPES = alarms.LOAD_BALANCERS
RELATIONAL = True
LIMIT = 5


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """A 5xx alarm on this ALB firing on a rise: a rate above at most 5 %, or a 5xx count."""
    if not alarms.application_lb(resource):
        return None
    name = resource.values.get("name") or resource.address
    tied = [a for a in alarms.watching_lb(resource, index) if alarms.is_5xx(a)]
    rising = [a for a in tied if a.fires_on == "high"]
    for alarm in rising:
        if alarms.is_5xx_rate(alarm) and alarm.threshold is not None and alarm.threshold <= LIMIT:
            return Verdict.ok(f"error-rate alarm {alarm.describe()} fires above "
                              f"{alarm.threshold:g} % 5xx")
    for alarm in rising:
        if not alarm.math:
            return Verdict.ok(f"5xx alarm {alarm.describe()} fires on a rise of 5xx responses "
                              "(a count, not a rate)")
    # only a rising 5xx rate can still meet the rule once its threshold is known: an unknown
    # threshold on an alarm that fires on a drop, or on metric math that is not a rate, hides
    # nothing (failed beats unknown)
    if any(alarms.is_5xx_rate(a) and a.threshold is None and unknown(a.resource, "threshold")
           for a in rising):
        return Verdict.unknown("the threshold of the error-rate alarm is known only after apply")
    want = (f"100 * 5xx / RequestCount GreaterThanThreshold {LIMIT} (metric math), or an "
            "HTTPCode_ELB_5XX_Count / HTTPCode_Target_5XX_Count alarm")
    if not tied:
        return Verdict.fail(f"no 5xx error alarm watches load balancer {name} (want {want})")
    return Verdict.fail(f"no error-rate alarm of load balancer {name} meets {want}: "
                        + ", ".join(a.describe() for a in tied))


export_check(globals())
