"""Which CloudWatch alarms watch which resource, and what they fire on.

The ALARMS existence policies ask "does this ECS cluster / RDS instance / load
balancer have an alarm that fires when X?". An alarm is tied to what it watches
only through its dimensions (`ClusterName`, `ServiceName`, `DBInstanceIdentifier`,
`LoadBalancer`, `TargetGroup`), directly or inside `metric_query` blocks, and
those are either configuration references (resolved by the plan index through
modules) or literal names. Both are read here once per plan, so each policy is
a few lines of rule over `AlarmView`s and a mutation can find the alarms a
policy relies on.
"""

from __future__ import annotations

from typing import Any

from tfproof.engine.helpers import unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict

# policies read these as alarms.X: one import for everything about alarms
from tfproof.engine.readers.alarm_view import ALARM as ALARM
from tfproof.engine.readers.alarm_view import ELB_5XX as ELB_5XX
from tfproof.engine.readers.alarm_view import HEALTH_METRICS as HEALTH_METRICS
from tfproof.engine.readers.alarm_view import AlarmView as AlarmView
from tfproof.engine.readers.alarm_view import alarms as alarms
from tfproof.plan import Resource

CLUSTER = "aws_ecs_cluster"
SERVICE = "aws_ecs_service"
LOAD_BALANCERS = ("aws_lb", "aws_alb")
TARGET_GROUPS = ("aws_lb_target_group", "aws_alb_target_group")
LISTENERS = ("aws_lb_listener", "aws_alb_listener")
LISTENER_RULES = ("aws_lb_listener_rule", "aws_alb_listener_rule")


def _lookup(index: PlanIndex) -> dict[str, list[AlarmView]]:
    """Alarms by what their dimensions name: a referenced address, or "Key=literal value"."""
    def compute() -> dict[str, list[AlarmView]]:
        found: dict[str, list[AlarmView]] = {}
        for alarm in alarms(index):
            keys = set(alarm.targets)
            keys |= {f"{key}={value}" for dims in alarm.dimensions for key, value in dims.items()
                     if isinstance(value, str)}
            for key in keys:
                found.setdefault(key, []).append(alarm)
        return found
    return index.memo("alarms", "lookup", compute)  # type: ignore[no-any-return]


def _naming(index: PlanIndex, addresses: set[str], literals: dict[str, Any],
            by_reference: tuple[str, ...]) -> list[AlarmView]:
    """Alarms whose dimensions name any of `addresses`, or a literal (key -> known value).

    An alarm that refers to a resource of a `by_reference` type is tied by that
    reference only: two clusters of one name (in two regions, or two copies of a
    module) must not share each other's alarms through the name.
    """
    table = _lookup(index)
    found: dict[str, AlarmView] = {}
    for key in sorted(addresses):
        for alarm in table.get(key, ()):
            found.setdefault(alarm.address, alarm)
    for key, value in literals.items():
        if not isinstance(value, str):
            continue
        for alarm in table.get(f"{key}={value}", ()):
            if not alarm.target_types & set(by_reference):
                found.setdefault(alarm.address, alarm)
    return list(found.values())


# -- what an alarm watches -----------------------------------------------------------------


def cluster_services(cluster: Resource, index: PlanIndex) -> list[Resource]:
    """The ECS services that run in a cluster."""
    return index.memo("alarms.services", cluster.address,
                      lambda: index.referrers(cluster, SERVICE, "cluster"))


def _cluster_target_groups(cluster: Resource, index: PlanIndex) -> set[str]:
    def compute() -> set[str]:
        out = set()
        for service in cluster_services(cluster, index):
            out |= {t.address for t in index.references(service, "load_balancer")
                    if t.type in TARGET_GROUPS}
        return out
    return index.memo("alarms.cluster_tgs", cluster.address, compute)  # type: ignore[no-any-return]


def watching_cluster(cluster: Resource, index: PlanIndex) -> list[AlarmView]:
    """Alarms naming the cluster, one of its services or their target groups (or its name)."""
    def compute() -> list[AlarmView]:
        addresses = {cluster.address, *_cluster_target_groups(cluster, index)}
        addresses |= {s.address for s in cluster_services(cluster, index)}
        return _naming(index, addresses, {"ClusterName": cluster.values.get("name")},
                       (CLUSTER, SERVICE, *TARGET_GROUPS))
    return index.memo("alarms.cluster", cluster.address, compute)  # type: ignore[no-any-return]


def watches_service(alarm: AlarmView, service: Resource) -> bool:
    """The alarm names this ECS service (by reference, else by its name)."""
    if service.address in alarm.targets:
        return True
    name = service.values.get("name")
    return (SERVICE not in alarm.target_types and isinstance(name, str)
            and name in alarm.literal("ServiceName"))


def is_cluster_wide(alarm: AlarmView) -> bool:
    """An ECS alarm on the whole cluster: no ServiceName dimension, no service referenced."""
    if any("ServiceName" in d for d in alarm.dimensions):
        return False
    return SERVICE not in alarm.target_types


def watching_db(db: Resource, index: PlanIndex) -> list[AlarmView]:
    """Alarms naming this RDS instance (by reference, else by identifier)."""
    return _naming(index, {db.address}, {"DBInstanceIdentifier": db.values.get("identifier")},
                   ("aws_db_instance",))


def lb_target_groups(lb: Resource, index: PlanIndex) -> set[str]:
    """Target groups a load balancer forwards to (through its listeners and listener rules)."""
    def compute() -> set[str]:
        out: set[str] = set()
        for listener in index.referrers(lb, LISTENERS, "load_balancer_arn"):
            out |= {t.address for t in index.references(listener, "default_action")
                    if t.type in TARGET_GROUPS}
            for rule in index.referrers(listener, LISTENER_RULES, "listener_arn"):
                out |= {t.address for t in index.references(rule, "action")
                        if t.type in TARGET_GROUPS}
        return out
    return index.memo("alarms.lb_tgs", lb.address, compute)  # type: ignore[no-any-return]


def watching_lb(lb: Resource, index: PlanIndex) -> list[AlarmView]:
    """Alarms naming this load balancer or one of its target groups (or its ARN suffix)."""
    return _naming(index, {lb.address, *lb_target_groups(lb, index)},
                   {"LoadBalancer": lb.values.get("arn_suffix")},
                   (*LOAD_BALANCERS, *TARGET_GROUPS))


# -- the seed's alarms ---------------------------------------------------------------------


def is_health(alarm: AlarmView) -> bool:
    """An alarm on a healthy/running task or host count."""
    return any(metric in HEALTH_METRICS for metric in alarm.metrics)


def is_5xx(alarm: AlarmView) -> bool:
    """An alarm on the load balancer's 5xx responses (directly or in metric math)."""
    return alarm.has_metric("AWS/ApplicationELB", *ELB_5XX)


def is_5xx_rate(alarm: AlarmView) -> bool:
    """Metric math over 5xx responses and the request count: a rate, not a count."""
    return alarm.math and is_5xx(alarm) and alarm.has_metric("AWS/ApplicationELB", "RequestCount")


def application_lb(lb: Resource) -> bool:
    """An application load balancer (the default type of aws_lb)."""
    return str(lb.values.get("load_balancer_type") or "application") == "application"


def _may_meet(alarm: AlarmView, limit: float) -> bool:
    """Its threshold (or operator) is known only after apply and its known parts allow the rule."""
    threshold_pending = alarm.threshold is None and unknown(alarm.resource, "threshold")
    operator_pending = not alarm.operator and unknown(alarm.resource, "comparison_operator")
    if not (threshold_pending or operator_pending):
        return False
    rises = alarm.fires_on == "high" or operator_pending
    return rises and (threshold_pending or (alarm.threshold is not None
                                            and alarm.threshold <= limit))


def ecs_utilization(
    cluster: Resource, index: PlanIndex, metric: str, limit: float, label: str
) -> Verdict:
    """An AWS/ECS `metric` alarm above `limit` % on the whole cluster or on each of its services.

    A lower threshold alerts earlier and also meets the rule. Failed beats unknown: an alarm
    whose threshold (or operator) is known only after apply keeps the answer unknown only if
    it fires on a rise and could still cover the whole cluster, or every service no alarm
    covers yet; otherwise the services without an alarm fail the cluster.
    """
    name = cluster.values.get("name") or cluster.address
    related = [a for a in watching_cluster(cluster, index) if a.has_metric("AWS/ECS", metric)]
    good = [a for a in related
            if a.fires_on == "high" and a.threshold is not None and a.threshold <= limit]
    wide = [a for a in good if is_cluster_wide(a)]
    if wide:
        return Verdict.ok(f"{label} alarm {wide[0].address} watches all of cluster {name}")
    services = cluster_services(cluster, index)
    uncovered = [s for s in services if not any(watches_service(a, s) for a in good)]
    if services and not uncovered:
        return Verdict.ok(f"each of the {len(services)} services of cluster {name} has a {label} "
                          f"alarm above at most {limit:g} %")
    pending = [a for a in related if _may_meet(a, limit)]
    hopeless = [s for s in uncovered if not any(watches_service(a, s) for a in pending)]
    maybe = [a.address for a in pending if is_cluster_wide(a) or (services and not hopeless)]
    if maybe:
        return Verdict.unknown(f"{label} alarm {', '.join(sorted(maybe))} of cluster {name} may "
                               "meet the rule: its threshold (or operator) is known only after "
                               "apply")
    wanted = f"AWS/ECS {metric} GreaterThanThreshold {limit:g}"
    wrong = [a for a in related if a not in good and a not in pending]
    why = f"; not meeting it: {', '.join(a.describe() for a in wrong)}" if wrong else ""
    if pending:
        why += f"; known only after apply: {', '.join(a.describe() for a in pending)}"
    if not related:
        return Verdict.fail(f"no {label} alarm watches ECS cluster {name} (want {wanted}){why}")
    missing = ", ".join(str(s.values.get("name") or s.address) for s in hopeless)
    if services:
        return Verdict.fail(f"ECS services {missing} of cluster {name} have no {label} alarm "
                            f"({wanted}){why}")
    return Verdict.fail(f"no {label} alarm of ECS cluster {name} meets {wanted}{why}")
