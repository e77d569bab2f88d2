"""The seed's service health alarm exists for each ECS cluster, fires on a drop, notifies SNS."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import alarms
from tfproof.plan import Resource

RESOURCE_TYPES = (alarms.CLUSTER,)
RELATIONAL = True


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """A task/host count alarm tied to the cluster, firing below its threshold, to an SNS topic."""
    name = resource.values.get("name") or resource.address
    tied = [a for a in alarms.watching_cluster(resource, index) if alarms.is_health(a)]
    good = [a for a in tied if a.fires_on == "low" and a.notifies_sns]
    if good:
        return Verdict.ok(f"health alarm {good[0].describe()} notifies SNS when tasks drop")
    if any(a.fires_on == "low" and a.notifies_sns is None for a in tied):
        return Verdict.unknown("the actions of the health alarm are known only after apply")
    if not tied:
        return Verdict.fail(
            f"no health alarm watches ECS cluster {name}: no alarm on a running/healthy task or "
            "host count (ECS/ContainerInsights TaskCount or RunningTaskCount, AWS/ECS "
            "HealthyTaskCount, AWS/ApplicationELB HealthyHostCount) names it"
        )
    problems = []
    for alarm in tied:
        if alarm.fires_on != "low":
            problems.append(f"{alarm.describe()} does not fire when the count drops")
        else:
            problems.append(f"{alarm.describe()} notifies no SNS topic")
    return Verdict.fail(f"no working health alarm for ECS cluster {name}: " + "; ".join(problems))


export_check(globals())
