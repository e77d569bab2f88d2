"""One pass of every custom policy over a plan: index once, dispatch by resource type.

This is the engine's hot path (issue 6): the plan is indexed once
(`PlanIndex`), every resource is visited once, and only the policies that
declare its type run on it. Values unknown until apply give an `unknown`
verdict, which is never a failure and is counted in the report's notes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Policy, Verdict, load_policies
from tfproof.errors import InputError
from tfproof.findings import Finding
from tfproof.plan import Plan, gc_paused


@dataclass
class EngineResult:
    """The findings of one engine pass, and what could not be decided at plan time."""

    findings: list[Finding]
    undecided: list[tuple[str, str, str]] = field(default_factory=list)  # (policy, address, why)


def to_finding(policy: Policy, address: str, verdict: Verdict) -> Finding:
    """A verdict as a finding of the shared model."""
    return Finding(
        control=policy.control,
        check=policy.id,
        source="tfproof",
        resource=address,
        status="passed" if verdict.outcome == "passed" else "failed",
        severity=policy.severity,
        # a plan-level pass keeps its message (e.g. why a control does not apply to this plan)
        message=(verdict.message if verdict.outcome != "passed" or verdict.address
                 else f"{policy.title}: ok"),
        remediation=policy.remediation.strip() if verdict.outcome == "failed" else None,
    )


# what a policy raises when a value has a type the AWS provider never writes
_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError)


def _unreadable(plan: Plan, policy: Policy, address: str, exc: Exception) -> InputError:
    """A policy that cannot read a resource fails the scan closed (exit 2), never passes it."""
    return InputError(
        f"{policy.id} could not judge {address} in {plan.name}: {type(exc).__name__}: {exc}. "
        "A value there does not have the type the AWS provider writes (was the plan JSON "
        "edited or produced by another tool?); nothing was judged as passed. Scan the "
        "unmodified output of `terraform show -json`, or report this if it is."
    )


def evaluate(
    plan: Plan, policies: tuple[Policy, ...] | None = None, index: PlanIndex | None = None
) -> EngineResult:
    """Run every policy over the plan in one pass."""
    policies = load_policies() if policies is None else policies
    with gc_paused():
        return _evaluate(plan, policies, index or PlanIndex(plan))


def _evaluate(plan: Plan, policies: tuple[Policy, ...], index: PlanIndex) -> EngineResult:
    by_type: dict[str, list[Policy]] = defaultdict(list)
    everywhere: list[Policy] = []
    for policy in policies:
        if policy.applies_to_all:
            everywhere.append(policy)
        for resource_type in policy.resource_types:
            by_type[resource_type].append(policy)
    dispatch = {t: (*found, *everywhere) for t, found in by_type.items()}
    fallback = tuple(everywhere)
    result = EngineResult(findings=[])
    for resource in plan.resources.values():
        for policy in dispatch.get(resource.type, fallback):
            try:
                verdict = policy.evaluate(resource, index)
            except _SHAPE_ERRORS as exc:
                raise _unreadable(plan, policy, resource.address, exc) from exc
            if verdict is None:
                continue
            if verdict.outcome == "unknown":
                result.undecided.append((policy.id, resource.address, verdict.message))
                continue
            result.findings.append(to_finding(policy, resource.address, verdict))
    for policy in policies:
        if policy.evaluate_plan is None:
            continue
        try:
            verdicts = list(policy.evaluate_plan(index))
        except _SHAPE_ERRORS as exc:
            raise _unreadable(plan, policy, "(plan)", exc) from exc
        for verdict in verdicts:
            address = verdict.address or "(plan)"
            if verdict.outcome == "unknown":
                result.undecided.append((policy.id, address, verdict.message))
            else:
                result.findings.append(to_finding(policy, address, verdict))
    return result
