"""Mutation testing of the policies: break one control at one resource, expect exactly that blame.

Each operator takes a compliant plan JSON and breaks one promise at one
resource (drop encryption, open a port to the world, remove a tag, ...). A
mutant is *caught* when the engine reports a new failure of that control at
that address, and *precise* when no other address gets a new failure. The
score is what the bench reports and what the hypothesis test asserts on.

Deletion operators break the "something exists" promises (the health alarm, the
budget, the sampling rule, the S3 endpoint, replication): they remove resources
from the plan, and the failure is expected where the policy reports the gap,
the resource left unwatched (the ECS cluster, the RDS instance, the VPC) or
"(plan)" when nothing else can carry it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Policy, load_policies
from tfproof.engine.run import evaluate
from tfproof.plan import Plan, config_address
from tfproof_dev.mutation_linking import LINKING
from tfproof_dev.mutation_operators import OPERATORS as RESOURCE_OPERATORS
from tfproof_dev.mutation_operators import Operator

# the operators on one resource, then those on a setting that governs other resources
OPERATORS: tuple[Operator, ...] = (*RESOURCE_OPERATORS, *LINKING)

__all__ = ["OPERATORS", "Mutant", "Operator", "Outcome", "apply", "judge", "mutants", "score"]


@dataclass(frozen=True)
class Mutant:
    """One operator applied at one address; `expected`: where the failure must show."""

    operator: Operator
    address: str
    expected: frozenset[str] = frozenset()
    removed: tuple[str, ...] = ()  # addresses a deletion operator takes out of the plan

    @property
    def label(self) -> str:
        return f"{self.operator.name}@{self.address}"

    @property
    def blame(self) -> frozenset[str]:
        return self.expected or frozenset({self.address})


def mutants(plan: Plan, index: PlanIndex | None = None) -> Iterator[Mutant]:
    """Every (operator, address) pair that applies to this plan."""
    index = index or PlanIndex(plan)
    for operator in OPERATORS:
        for resource in sorted(plan.resources.values(), key=lambda r: r.address):
            if operator.types != ("*",) and resource.type not in operator.types:
                continue
            if operator.applies(resource, index):
                yield Mutant(
                    operator, resource.address,
                    operator.blame(resource, index) if operator.blame else frozenset(),
                    operator.deletes(resource, index) if operator.deletes else (),
                )


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


def _delete(raw: dict[str, Any], addresses: tuple[str, ...]) -> None:
    """Take resources out of a plan JSON (values, changes, and config once no instance is left)."""
    gone = set(addresses)
    for module in _walk(raw.get("planned_values", {}).get("root_module", {})):
        module["resources"] = [r for r in module.get("resources", [])
                               if r.get("address") not in gone]
    raw["resource_changes"] = [c for c in raw.get("resource_changes", [])
                               if c.get("address") not in gone]
    left = {config_address(c["address"]) for c in raw["resource_changes"]}
    for address in gone:
        target = config_address(address)
        if target in left:
            continue
        stack = [(raw.get("configuration", {}).get("root_module", {}), "")]
        while stack:
            module, prefix = stack.pop()
            module["resources"] = [r for r in module.get("resources", [])
                                   if prefix + r.get("address", "") != target]
            for name, call in module.get("module_calls", {}).items():
                stack.append((call.get("module", {}), f"{prefix}module.{name}."))


def apply(raw: dict[str, Any], mutant: Mutant) -> dict[str, Any]:
    """A mutated deep copy of the plan JSON."""
    out = copy.deepcopy(raw)
    if mutant.removed:
        _delete(out, mutant.removed)
        return out
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
            for key in mutant.operator.unknown_keys:
                unknown.pop(key, None)
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
        return self.caught and self.blamed <= self.mutant.blame


def judge(plan: Plan, mutant: Mutant, baseline: set[tuple[str, str, str]] | None = None,
          policies: tuple[Policy, ...] | None = None) -> Outcome:
    """Run the engine on one mutant and compare with the unmutated plan's failures."""
    policies = policies or load_policies()
    baseline = _failures(plan, policies) if baseline is None else baseline
    mutated = Plan(apply(plan.raw, mutant), name=f"{plan.name}+{mutant.label}", checked=True)
    new = _failures(mutated, policies) - baseline
    caught = any(addr in mutant.blame and control == mutant.operator.control
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
    by_kind: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        operator = outcome.mutant.operator
        for stats in (by_operator.setdefault(operator.name, {"mutants": 0, "caught": 0,
                                                             "precise": 0}),
                      by_kind.setdefault(operator.kind, {"mutants": 0, "caught": 0,
                                                         "precise": 0})):
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
        "collateral": {o.mutant.label: sorted(o.blamed - o.mutant.blame)
                       for o in outcomes if o.caught and not o.precise},
        "by_operator": by_operator,
        "by_kind": by_kind,  # "value" mutations and "delete" (something that must exist)
        "baseline_failures": len(baseline),
    }
