"""Mutation testing of the policies: break one control at one resource, expect exactly that blame.

Each operator takes a compliant plan JSON and breaks one promise at one
resource (drop encryption, open a port to the world, remove a tag, ...). A
mutant is *caught* when the engine reports a new failure of that control at
that address, and *precise* when no other address gets a new failure. The
score is what the bench reports and what the hypothesis test asserts on.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Policy, load_policies
from tfproof.engine.run import evaluate
from tfproof.plan import Plan, Resource, config_address

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


OPERATORS: tuple[Operator, ...] = (
    Operator("drop_rds_encryption", "ENC-REST", ("aws_db_instance", "aws_rds_cluster"),
             _has("storage_encrypted", True), lambda v: v.update(storage_encrypted=False)),
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
    Operator("invert_alarm", "ALARMS", ("aws_cloudwatch_metric_alarm",), _alarm_known, _flip),
    Operator("drop_alarm_actions", "ALARMS", ("aws_cloudwatch_metric_alarm",),
             lambda r, i: True, lambda v: v.update(alarm_actions=[], actions_enabled=False)),
    Operator("no_scan_on_push", "IMAGE-SCAN-PUSH", ("aws_ecr_repository",),
             lambda r, i: True,
             lambda v: v.update(image_scanning_configuration=[{"scan_on_push": False}])),
    Operator("no_key_rotation", "KEY-ROTATION", ("aws_kms_key",),
             _has("enable_key_rotation", True), lambda v: v.update(enable_key_rotation=False)),
    Operator("no_container_insights", "OBSERVABILITY", ("aws_ecs_cluster",), lambda r, i: True,
             lambda v: v.update(setting=[])),
)


@dataclass(frozen=True)
class Mutant:
    """One operator applied at one address."""

    operator: Operator
    address: str

    @property
    def label(self) -> str:
        return f"{self.operator.name}@{self.address}"


def mutants(plan: Plan, index: PlanIndex | None = None) -> Iterator[Mutant]:
    """Every (operator, address) pair that applies to this plan."""
    index = index or PlanIndex(plan)
    for operator in OPERATORS:
        for resource in sorted(plan.resources.values(), key=lambda r: r.address):
            if operator.types != ("*",) and resource.type not in operator.types:
                continue
            if operator.applies(resource, index):
                yield Mutant(operator, resource.address)


def _walk(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield module
    for child in module.get("child_modules", []):
        yield from _walk(child)


def _config_block(raw: dict[str, Any], address: str) -> dict[str, Any] | None:
    target = config_address(address)
    stack = [(raw.get("configuration", {}).get("root_module", {}), "")]
    while stack:
        module, prefix = stack.pop()
        for resource in module.get("resources", []):
            if prefix + resource["address"] == target:
                return resource
        for name, call in module.get("module_calls", {}).items():
            stack.append((call.get("module", {}), f"{prefix}module.{name}."))
    return None


def apply(raw: dict[str, Any], mutant: Mutant) -> dict[str, Any]:
    """A mutated deep copy of the plan JSON."""
    out = copy.deepcopy(raw)
    for module in _walk(out.get("planned_values", {}).get("root_module", {})):
        for resource in module.get("resources", []):
            if resource.get("address") == mutant.address:
                mutant.operator.mutate(resource.setdefault("values", {}))
    for change in out.get("resource_changes", []):
        if change.get("address") == mutant.address:
            body = change.setdefault("change", {})
            if isinstance(body.get("after"), dict):
                mutant.operator.mutate(body["after"])
            unknown = body.get("after_unknown") or {}
            for key in ("policy", "tags_all", "versioning",
                        "server_side_encryption_configuration"):
                if key in unknown and mutant.operator.name in (
                    "widen_iam", "remove_tag", "disable_versioning", "drop_s3_encryption"
                ):
                    unknown.pop(key, None)
    if mutant.operator.config is not None:
        block = _config_block(out, mutant.address)
        if block is not None:
            mutant.operator.config(block)
    return out


def _failures(plan: Plan, policies: tuple[Policy, ...]) -> set[tuple[str, str, str]]:
    """(address, control, message) of every failure: a new problem on a failing resource counts."""
    return {(f.resource, f.control, f.message)
            for f in evaluate(plan, policies).findings if f.status == "failed"}


@dataclass
class Outcome:
    """What the engine said about one mutant."""

    mutant: Mutant
    caught: bool
    blamed: set[str]

    @property
    def precise(self) -> bool:
        return self.caught and self.blamed <= {self.mutant.address}


def judge(plan: Plan, mutant: Mutant, baseline: set[tuple[str, str, str]] | None = None,
          policies: tuple[Policy, ...] | None = None) -> Outcome:
    """Run the engine on one mutant and compare with the unmutated plan's failures."""
    policies = policies or load_policies()
    baseline = _failures(plan, policies) if baseline is None else baseline
    mutated = Plan(apply(plan.raw, mutant), name=f"{plan.name}+{mutant.label}")
    new = _failures(mutated, policies) - baseline
    caught = any(addr == mutant.address and control == mutant.operator.control
                 for addr, control, _ in new)
    return Outcome(mutant, caught, {addr for addr, _, _ in new})


def score(plan: Plan | dict[str, Any], limit: int | None = None) -> dict[str, Any]:
    """The mutation score of the policies on one (compliant) plan, for bench/ and reports."""
    plan = plan if isinstance(plan, Plan) else Plan(plan)
    policies = load_policies()
    baseline = _failures(plan, policies)
    all_mutants = list(mutants(plan))
    if limit is not None:
        all_mutants = all_mutants[:limit]
    outcomes = [judge(plan, m, baseline, policies) for m in all_mutants]
    caught = [o for o in outcomes if o.caught]
    precise = [o for o in outcomes if o.precise]
    by_operator: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        stats = by_operator.setdefault(outcome.mutant.operator.name,
                                       {"mutants": 0, "caught": 0, "precise": 0})
        stats["mutants"] += 1
        stats["caught"] += outcome.caught
        stats["precise"] += outcome.precise
    return {
        "mutants": len(outcomes),
        "caught": len(caught),
        "precise": len(precise),
        "score": round(len(caught) / len(outcomes), 4) if outcomes else None,
        "precision": round(len(precise) / len(outcomes), 4) if outcomes else None,
        "escaped": [o.mutant.label for o in outcomes if not o.caught],
        "collateral": {o.mutant.label: sorted(o.blamed - {o.mutant.address})
                       for o in outcomes if o.caught and not o.precise},
        "by_operator": by_operator,
        "baseline_failures": len(baseline),
    }
