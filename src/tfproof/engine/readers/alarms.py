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

from dataclasses import dataclass
from typing import Any

from tfproof.engine.helpers import blocks, truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

ALARM = "aws_cloudwatch_metric_alarm"
CLUSTER = "aws_ecs_cluster"
SERVICE = "aws_ecs_service"
LOAD_BALANCERS = ("aws_lb", "aws_alb")
TARGET_GROUPS = ("aws_lb_target_group", "aws_alb_target_group")
LISTENERS = ("aws_lb_listener", "aws_alb_listener")
LISTENER_RULES = ("aws_lb_listener_rule", "aws_alb_listener_rule")

# (namespace, metric) pairs that count healthy/running tasks or hosts: a drop is an outage.
HEALTH_METRICS = frozenset({
    ("ECS/ContainerInsights", "TaskCount"),
    ("ECS/ContainerInsights", "RunningTaskCount"),
    ("AWS/ECS", "HealthyTaskCount"),
    ("AWS/ApplicationELB", "HealthyHostCount"),
})
ELB_5XX = ("HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count")


@dataclass(frozen=True)
class AlarmView:
    """One alarm as the existence policies read it."""

    resource: Resource
    metrics: tuple[tuple[str, str], ...]  # (namespace, metric) of the alarm or its metric_query
    math: bool  # metric_query with an expression (e.g. a rate)
    operator: str
    threshold: float | None
    targets: frozenset[str]  # addresses the dimensions refer to
    target_types: frozenset[str]  # their resource types
    dimensions: tuple[dict[str, Any], ...]  # known dimension maps (alarm's and metric_query's)
    notifies_sns: bool | None  # None: the actions are known only after apply

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def fires_on(self) -> str | None:
        """"high" when it fires above the threshold, "low" below, None otherwise."""
        if self.operator.startswith("Greater"):
            return "high"
        if self.operator.startswith("Less") and "LowerThreshold" not in self.operator:
            return "low"
        return None

    def has_metric(self, namespace: str, *names: str) -> bool:
        return any(ns == namespace and metric in names for ns, metric in self.metrics)

    def literal(self, key: str) -> set[str]:
        """Known string values of one dimension key."""
        return {d[key] for d in self.dimensions if isinstance(d.get(key), str) and d[key]}

    def describe(self) -> str:
        metric = "/".join(self.metrics[0]) if self.metrics else "?"
        if self.math:
            metric = "metric math over " + metric
        threshold = "?" if self.threshold is None else (
            f"{self.threshold:.0f}" if self.threshold.is_integer() else f"{self.threshold:g}")
        return f"{self.address} ({metric} {self.operator or '?'} {threshold})"


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _notifies_sns(alarm: Resource, index: PlanIndex) -> bool | None:
    """True when the alarm's actions reach an SNS topic (by reference or literal ARN)."""
    values = alarm.values
    if values.get("actions_enabled") is not None and not truthy(values.get("actions_enabled")):
        return False
    if any(t.type == "aws_sns_topic" for t in index.references(alarm, "alarm_actions")):
        return True
    literal = [a for a in values.get("alarm_actions") or [] if isinstance(a, str)]
    if any(":sns:" in arn for arn in literal):
        return True
    if unknown(alarm, "alarm_actions") and alarm.references("alarm_actions"):
        return None
    return False


def _view(alarm: Resource, index: PlanIndex) -> AlarmView:
    values = alarm.values
    metrics: list[tuple[str, str]] = []
    dimensions: list[dict[str, Any]] = []
    if values.get("metric_name"):
        metrics.append((str(values.get("namespace") or ""), str(values["metric_name"])))
    if isinstance(values.get("dimensions"), dict):
        dimensions.append(values["dimensions"])
    math = False
    for query in blocks(values, "metric_query"):
        if query.get("expression"):
            math = True
        for metric in blocks(query, "metric"):
            if metric.get("metric_name"):
                metrics.append((str(metric.get("namespace") or ""), str(metric["metric_name"])))
            if isinstance(metric.get("dimensions"), dict):
                dimensions.append(metric["dimensions"])
    referenced = index.references(alarm, "dimensions") + index.references(alarm, "metric_query")
    targets = {t.address for t in referenced}
    return AlarmView(
        resource=alarm, metrics=tuple(metrics), math=math,
        operator=str(values.get("comparison_operator") or ""),
        threshold=_number(values.get("threshold")), targets=frozenset(targets),
        target_types=frozenset(t.type for t in referenced),
        dimensions=tuple(dimensions), notifies_sns=_notifies_sns(alarm, index),
    )


def alarms(index: PlanIndex) -> list[AlarmView]:
    """Every metric alarm of the plan, read once per plan."""
    return index.memo("alarms", "views",  # type: ignore[no-any-return]
                      lambda: [_view(a, index) for a in index.of_type(ALARM)])


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


def ecs_utilization(
    cluster: Resource, index: PlanIndex, metric: str, limit: float, label: str
) -> Verdict:
    """An AWS/ECS `metric` alarm above `limit` % on the whole cluster or on each of its services.

    A lower threshold alerts earlier and also meets the rule.
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
    if any(a.threshold is None and unknown(a.resource, "threshold") for a in related):
        return Verdict.unknown(f"the threshold of a {label} alarm is known only after apply")
    wanted = f"AWS/ECS {metric} GreaterThanThreshold {limit:g}"
    wrong = [a for a in related if a not in good]
    why = f"; not meeting it: {', '.join(a.describe() for a in wrong)}" if wrong else ""
    if not related:
        return Verdict.fail(f"no {label} alarm watches ECS cluster {name} (want {wanted}){why}")
    missing = ", ".join(str(s.values.get("name") or s.address) for s in uncovered)
    if services:
        return Verdict.fail(f"ECS services {missing} of cluster {name} have no {label} alarm "
                            f"({wanted}){why}")
    return Verdict.fail(f"no {label} alarm of ECS cluster {name} meets {wanted}{why}")
