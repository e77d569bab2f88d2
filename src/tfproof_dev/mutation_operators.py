"""The mutation operators: each breaks one promise of one control at one resource.

Value operators edit a compliant resource (drop encryption, open a port, remove
a tag, invert an alarm, ...); deletion operators take out what a control needs
to exist (the health / CPU / memory / disk / error-rate alarms of what they
watch, the budget, the X-Ray sampling rule, the S3 gateway endpoint,
replication) and say where the gap must be reported. Kept apart from the
scoring in `tfproof_dev.mutation`, which only applies and judges them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import load_policies
from tfproof.engine.readers import alarms
from tfproof.plan import Resource, config_address

Values = dict[str, Any]
ADMIN_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


@dataclass(frozen=True)
class Operator:
    """One way to break one control."""

    name: str
    control: str
    types: tuple[str, ...]
    applies: Callable[[Resource, PlanIndex], bool]
    mutate: Callable[[Values], None]
    config: Callable[[dict[str, Any]], None] | None = None  # edits the configuration block
    # addresses to remove from the plan instead of mutating values (deletion operators)
    deletes: Callable[[Resource, PlanIndex], tuple[str, ...]] | None = None
    # where the failure must be reported (default: the mutated resource itself)
    blame: Callable[[Resource, PlanIndex], frozenset[str]] | None = None
    unknown_keys: tuple[str, ...] = ()  # after_unknown keys the mutation makes known

    @property
    def kind(self) -> str:
        return "delete" if self.deletes is not None else "value"


def _flip(values: Values) -> None:
    op = values["comparison_operator"]
    values["comparison_operator"] = (
        op.replace("Greater", "Less") if op.startswith("Greater") else op.replace("Less", "Greater")
    )


def _has(key: str, expected: Any = None) -> Callable[[Resource, PlanIndex], bool]:
    def check(resource: Resource, index: PlanIndex) -> bool:
        value = resource.values.get(key)
        return value == expected if expected is not None else bool(value)
    return check


def _world_rule(values: Values, cidr_key: str, cidr: str) -> None:
    if "type" not in values:  # an aws_security_group: add an inline rule
        values["ingress"] = [*(values.get("ingress") or []), {
            "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": [],
            "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
            "self": False, "description": "mutant", cidr_key: [cidr],
        }]
    else:
        values.update({"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": None,
                       "ipv6_cidr_blocks": None, "source_security_group_id": None,
                       cidr_key: [cidr]})


def _ingress_applies(resource: Resource, index: PlanIndex) -> bool:
    if resource.type == "aws_security_group_rule":
        return resource.values.get("type") == "ingress"
    return resource.type == "aws_security_group"


def _inline_only(attr: str) -> Callable[[Resource, PlanIndex], bool]:
    split = {"server_side_encryption_configuration":
             "aws_s3_bucket_server_side_encryption_configuration",
             "versioning": "aws_s3_bucket_versioning"}[attr]

    def check(resource: Resource, index: PlanIndex) -> bool:
        return bool(resource.values.get(attr)) and not index.referrers(resource, split, "bucket")
    return check


def _tagged(resource: Resource, index: PlanIndex) -> bool:
    tags = resource.values.get("tags_all") or resource.values.get("tags")
    return isinstance(tags, dict) and "Environment" in tags


def _drop_tag(values: Values) -> None:
    for key in ("tags", "tags_all"):
        if isinstance(values.get(key), dict):
            values[key].pop("Environment", None)


def _single_instance(resource: Resource, index: PlanIndex) -> bool:
    return len(index.by_config.get(config_address(resource.address), [])) == 1


def _inline_password(config: dict[str, Any]) -> None:
    config.setdefault("expressions", {})["password"] = {"constant_value": "**REDACTED**"}


def _alarm_known(resource: Resource, index: PlanIndex) -> bool:
    policies = {p.id: p for p in load_policies()}
    policy = policies.get("TFP_ALARM_DIRECTION")
    verdict = policy.evaluate(resource, index) if policy else None
    return verdict is not None and verdict.outcome == "passed"


# -- deletion operators: the "exists" promises -----------------------------------------------


def _watching(test: Callable[[alarms.AlarmView], bool],
              watching: Callable[[Resource, PlanIndex], list[alarms.AlarmView]]
              ) -> Callable[[Resource, PlanIndex], tuple[str, ...]]:
    """Every alarm of one kind that watches the resource (all must go for the gap to show)."""
    def found(resource: Resource, index: PlanIndex) -> tuple[str, ...]:
        return tuple(a.address for a in watching(resource, index) if test(a))
    return found


def _ecs(metric: str) -> Callable[[alarms.AlarmView], bool]:
    return lambda alarm: alarm.has_metric("AWS/ECS", metric)


def _free_storage(alarm: alarms.AlarmView) -> bool:
    return alarm.has_metric("AWS/RDS", "FreeStorageSpace")


def _itself(resource: Resource, index: PlanIndex) -> tuple[str, ...]:
    return (resource.address,)


def _only_of_type(resource: Resource, index: PlanIndex) -> bool:
    return len(index.of_type(resource.type)) == 1


def _the_plan(resource: Resource, index: PlanIndex) -> frozenset[str]:
    return frozenset({"(plan)"})


def _clusters(resource: Resource, index: PlanIndex) -> frozenset[str]:
    return frozenset(c.address for c in index.of_type(alarms.CLUSTER))


def _sole_sampling_rule(resource: Resource, index: PlanIndex) -> bool:
    return _only_of_type(resource, index) and bool(index.of_type(alarms.CLUSTER))


def _endpoint_vpcs(resource: Resource, index: PlanIndex) -> frozenset[str]:
    return frozenset(v.address for v in index.references(resource, "vpc_id")
                     if v.type == "aws_vpc")


def _sole_s3_gateway(resource: Resource, index: PlanIndex) -> bool:
    """The only S3 gateway endpoint of a VPC that has subnets."""
    def s3_gateway(endpoint: Resource) -> bool:
        return str(endpoint.values.get("service_name") or "").endswith(".s3") and (
            endpoint.values.get("vpc_endpoint_type") or "Gateway") == "Gateway"
    vpcs = [v for v in index.references(resource, "vpc_id") if v.type == "aws_vpc"]
    if not s3_gateway(resource) or len(vpcs) != 1:
        return False
    if not index.referrers(vpcs[0], "aws_subnet", "vpc_id"):
        return False
    siblings = index.referrers(vpcs[0], "aws_vpc_endpoint", "vpc_id")
    return [e.address for e in siblings if s3_gateway(e)] == [resource.address]


def _replicating_production(resource: Resource, index: PlanIndex) -> bool:
    tags = resource.values.get("tags_all") or resource.values.get("tags") or {}
    return bool(resource.values.get("replication_configuration")) and str(
        tags.get("Environment", "")).lower() in ("production", "prod")


def _split_sources(resource: Resource, index: PlanIndex) -> frozenset[str]:
    return frozenset(b.address for b in index.references(resource, "bucket")
                     if b.type == "aws_s3_bucket")


def _forecast_only(values: Values) -> None:
    for note in values.get("notification") or []:
        if isinstance(note, dict):
            note["notification_type"] = "FORECASTED"


def _has_alarms(found: Callable[[Resource, PlanIndex], tuple[str, ...]]
                ) -> Callable[[Resource, PlanIndex], bool]:
    return lambda resource, index: bool(found(resource, index))


def _alb(resource: Resource, index: PlanIndex) -> bool:
    return alarms.application_lb(resource) and bool(_error_alarms(resource, index))


_health_alarms = _watching(alarms.is_health, alarms.watching_cluster)
_cpu_alarms = _watching(_ecs("CPUUtilization"), alarms.watching_cluster)
_memory_alarms = _watching(_ecs("MemoryUtilization"), alarms.watching_cluster)
_disk_alarms = _watching(_free_storage, alarms.watching_db)
_error_alarms = _watching(alarms.is_5xx, alarms.watching_lb)

DELETIONS: tuple[Operator, ...] = (
    Operator("delete_health_alarms", "ALARMS", (alarms.CLUSTER,), _has_alarms(_health_alarms),
             lambda v: None, deletes=_health_alarms),
    Operator("delete_cpu_alarms", "ALARMS", (alarms.CLUSTER,), _has_alarms(_cpu_alarms),
             lambda v: None, deletes=_cpu_alarms),
    Operator("delete_memory_alarms", "ALARMS", (alarms.CLUSTER,), _has_alarms(_memory_alarms),
             lambda v: None, deletes=_memory_alarms),
    Operator("delete_disk_alarms", "ALARMS", ("aws_db_instance",), _has_alarms(_disk_alarms),
             lambda v: None, deletes=_disk_alarms),
    Operator("delete_error_rate_alarms", "ALARMS", alarms.LOAD_BALANCERS, _alb,
             lambda v: None, deletes=_error_alarms),
    Operator("delete_budget", "COST", ("aws_budgets_budget",), _only_of_type, lambda v: None,
             deletes=_itself, blame=_the_plan),
    Operator("budget_forecast_only", "COST", ("aws_budgets_budget",), _only_of_type,
             _forecast_only),
    Operator("delete_sampling_rule", "OBSERVABILITY", ("aws_xray_sampling_rule",),
             _sole_sampling_rule, lambda v: None, deletes=_itself, blame=_clusters),
    Operator("delete_s3_endpoint", "NET-PRIVATE", ("aws_vpc_endpoint",), _sole_s3_gateway,
             lambda v: None, deletes=_itself, blame=_endpoint_vpcs),
    Operator("drop_replication", "DR", ("aws_s3_bucket",), _replicating_production,
             lambda v: v.update(replication_configuration=[]),
             unknown_keys=("replication_configuration",)),
    Operator("delete_replication_config", "DR", ("aws_s3_bucket_replication_configuration",),
             lambda r, i: bool(_split_sources(r, i)), lambda v: None, deletes=_itself,
             blame=_split_sources),
)

def _alarm_and_watched(resource: Resource, index: PlanIndex) -> frozenset[str]:
    """A broken alarm, and what it watches: that may be left without a working alarm of its kind."""
    lookups: tuple[tuple[tuple[str, ...], Callable[[Resource, PlanIndex],
                                                  list[alarms.AlarmView]]], ...] = (
        ((alarms.CLUSTER,), alarms.watching_cluster), (("aws_db_instance",), alarms.watching_db),
        (alarms.LOAD_BALANCERS, alarms.watching_lb))
    watched = {target.address for types, watching in lookups for target in index.of_type(*types)
               if any(a.address == resource.address for a in watching(target, index))}
    return frozenset({resource.address, *watched})


OPERATORS: tuple[Operator, ...] = (
    Operator("drop_rds_encryption", "ENC-REST", ("aws_db_instance", "aws_rds_cluster"),
             _has("storage_encrypted", True), lambda v: v.update(storage_encrypted=False)),
    Operator("skip_final_snapshot", "BACKUP", ("aws_db_instance", "aws_rds_cluster"),
             _has("skip_final_snapshot", False), lambda v: v.update(skip_final_snapshot=True)),
    Operator("drop_s3_encryption", "ENC-REST", ("aws_s3_bucket",),
             _inline_only("server_side_encryption_configuration"),
             lambda v: v.update(server_side_encryption_configuration=[])),
    Operator("drop_redis_at_rest", "ENC-REST", ("aws_elasticache_replication_group",),
             _has("at_rest_encryption_enabled", True),
             lambda v: v.update(at_rest_encryption_enabled=False)),
    Operator("drop_redis_tls", "ENC-TRANSIT", ("aws_elasticache_replication_group",),
             _has("transit_encryption_enabled", True),
             lambda v: v.update(transit_encryption_enabled=False)),
    Operator("open_world_ipv4", "NET-MIN", ("aws_security_group", "aws_security_group_rule"),
             _ingress_applies, lambda v: _world_rule(v, "cidr_blocks", "0.0.0.0/0")),
    Operator("open_world_ipv6", "NET-MIN", ("aws_security_group", "aws_security_group_rule"),
             _ingress_applies, lambda v: _world_rule(v, "ipv6_cidr_blocks", "::/0")),
    Operator("remove_tag", "TAGS", ("*",), _tagged, _drop_tag),
    Operator("unset_retention", "LOG-RETENTION", ("aws_cloudwatch_log_group",),
             _has("retention_in_days"), lambda v: v.update(retention_in_days=0)),
    Operator("single_region_trail", "TRAIL", ("aws_cloudtrail",),
             _has("is_multi_region_trail", True), lambda v: v.update(is_multi_region_trail=False)),
    Operator("unvalidated_trail", "TRAIL", ("aws_cloudtrail",),
             _has("enable_log_file_validation", True),
             lambda v: v.update(enable_log_file_validation=False)),
    Operator("shorten_backups", "BACKUP", ("aws_db_instance", "aws_rds_cluster"),
             _has("backup_retention_period"), lambda v: v.update(backup_retention_period=1)),
    Operator("disable_versioning", "BACKUP", ("aws_s3_bucket",), _inline_only("versioning"),
             lambda v: v.update(versioning=[{"enabled": False, "mfa_delete": False}])),
    Operator("make_db_public", "NET-PRIVATE", ("aws_db_instance",),
             _has("publicly_accessible", False), lambda v: v.update(publicly_accessible=True)),
    Operator("inline_password", "SECRETS", ("aws_db_instance", "aws_rds_cluster"),
             _single_instance, lambda v: None, _inline_password),
    Operator("widen_iam", "IAM-LEAST", ("aws_iam_policy", "aws_iam_role_policy"),
             lambda r, i: True, lambda v: v.update(policy=ADMIN_POLICY)),
    Operator("invert_alarm", "ALARMS", ("aws_cloudwatch_metric_alarm",), _alarm_known, _flip,
             blame=_alarm_and_watched),
    Operator("drop_alarm_actions", "ALARMS", ("aws_cloudwatch_metric_alarm",),
             lambda r, i: True, lambda v: v.update(alarm_actions=[], actions_enabled=False),
             blame=_alarm_and_watched),
    Operator("no_scan_on_push", "IMAGE-SCAN-PUSH", ("aws_ecr_repository",),
             lambda r, i: True,
             lambda v: v.update(image_scanning_configuration=[{"scan_on_push": False}])),
    Operator("no_key_rotation", "KEY-ROTATION", ("aws_kms_key",),
             _has("enable_key_rotation", True), lambda v: v.update(enable_key_rotation=False)),
    Operator("no_container_insights", "OBSERVABILITY", ("aws_ecs_cluster",), lambda r, i: True,
             lambda v: v.update(setting=[])),
    *DELETIONS,
)
