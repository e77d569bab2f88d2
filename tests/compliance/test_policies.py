"""Each custom policy on real plans of small HCL fixtures, judged by exact expected sets.

A fixture root (`fixtures/<root>/`, planned through real Terraform) declares in
`expected.yaml` every verdict the custom policies give on its plan: under
`findings`, check ID -> address -> `passed`, `failed` or `unknown` (known only
after apply); plan-level verdicts have the address `(plan)` or `var.<name>`.
The comparison is on exact (check, address, status) sets, as checkov's own
tests do, so a policy that stops firing, fires on another resource or changes
its verdict shows as a diff, even where another policy of the same control
still fails the resource.

Resources are named by outcome for the policies the root lists under
`policies`: each `fail_*` resource fails one of them, each `pass_*` passes one
and fails none; `aux_*` resources are context. Every policy has a failing and a
passing example somewhere. A recorded verdict that is wrong is never blessed
silently: `misjudged` says what the policy should answer instead, and a strict
xfail test keeps asking for it until the policy is fixed (then move the entry
into `findings`).

A root is planned through real Terraform (`main.tf`, provider 3.39), except
where it holds `plan.json` instead: a hand-made plan in the shape `terraform
show -json` gives for what provider 3.39 cannot plan (the provider-4 split S3
resources); its README says what it holds.

Adding or changing a root: `python tests/compliance/test_policies.py ROOT`
prints the engine's verdicts in this form; review each one before recording it.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tfproof.engine.policy import load_policies
from tfproof.engine.run import evaluate
from tfproof.plan import Plan

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = "expected.yaml"
PLAN_JSON = "plan.json"  # a root provider 3.39 cannot plan: its plan, made by hand
STATUSES = ("passed", "failed", "unknown")

ROOTS = sorted(p.parent.name for p in FIXTURES.glob(f"*/{EXPECTED}"))
_NAME = re.compile(r"\.(pass|fail|aux)(_[^.\[]*)?(\[[^\]]*\])?$")

Verdict = tuple[str, str, str]  # (check, address, status)


def _outcome(address: str) -> str | None:
    match = _NAME.search(address)
    return match.group(1) if match else None


@cache
def expected(root: str) -> dict[str, Any]:
    """The root's expected.yaml, with `findings` and `misjudged` as sets of verdicts."""
    data = yaml.safe_load((FIXTURES / root / EXPECTED).read_text()) or {}
    out: dict[str, Any] = {"policies": tuple(data.get("policies") or ())}
    for key in ("findings", "misjudged"):
        out[key] = frozenset((check, address, status)
                             for check, verdicts in (data.get(key) or {}).items()
                             for address, status in verdicts.items())
    return out


@cache
def _saved_plan(path: Path) -> Plan:
    return Plan.load(path)


def root_plan(root: str, plan_of: Any) -> Plan:
    """The root's plan: its `plan.json` when it has one, else planned by Terraform (cached)."""
    saved = FIXTURES / root / PLAN_JSON
    return _saved_plan(saved) if saved.is_file() else plan_of(FIXTURES / root)


def should_say(root: str) -> set[Verdict]:
    """The recorded verdicts with each misjudged one replaced by what the policy should say."""
    data = expected(root)
    wrong = {(check, address) for check, address, _ in data["misjudged"]}
    return {v for v in data["findings"] if v[:2] not in wrong} | set(data["misjudged"])


def verdicts(plan: Plan) -> list[Verdict]:
    """Every verdict of the custom policies on the plan, undecided ones as `unknown`."""
    result = evaluate(plan)
    return ([(f.check, f.resource, f.status) for f in result.findings]
            + [(check, address, "unknown") for check, address, _ in result.undecided])


def _misjudged_cases() -> list[Any]:
    return [pytest.param(root, check, address, status, id=f"{root}-{check}-{address}",
                         marks=pytest.mark.xfail(reason=f"{check} misjudges {address}"))
            for root in ROOTS for check, address, status in sorted(expected(root)["misjudged"])]


# -- the files themselves ------------------------------------------------------------------


@pytest.mark.parametrize("root", ROOTS)
def test_expected_file_is_well_formed(root):
    data = expected(root)
    known = {p.id for p in load_policies()}
    assert data["policies"], f"{root}: list the policies its pass_*/fail_* resources are for"
    assert set(data["policies"]) <= known, set(data["policies"]) - known
    judged = {check for check, _, _ in data["findings"]}
    assert judged <= known, f"{root} expects verdicts of unknown checks: {judged - known}"
    assert set(data["policies"]) <= judged, (
        f"{root} lists policies that judge nothing there: {set(data['policies']) - judged}")
    assert {status for _, _, status in data["findings"] | data["misjudged"]} <= set(STATUSES)
    recorded = {v[:2]: v[2] for v in data["findings"]}
    for check, address, status in data["misjudged"]:
        assert recorded.get((check, address)) not in (None, status), (
            f"{root}: misjudged {check} {address} must correct a recorded, different verdict")


# -- the engine against the files ----------------------------------------------------------


@pytest.mark.plan
@pytest.mark.parametrize("root", ROOTS)
def test_fixture_verdicts_are_exactly_the_expected(root, plan_of):
    actual = verdicts(root_plan(root, plan_of))
    assert len(actual) == len(set(actual)), "a check judged one address twice"
    want = expected(root)["findings"]
    missing = sorted(want - set(actual))
    unexpected = sorted(set(actual) - want)
    assert not missing and not unexpected, (
        f"{root}/{EXPECTED} differs from the engine:\n  missing:    {missing}\n"
        f"  unexpected: {unexpected}")


@pytest.mark.plan
@pytest.mark.parametrize("root", ROOTS)
def test_resources_are_named_by_outcome(root, plan_of):
    plan = root_plan(root, plan_of)
    unnamed = sorted(a for a in plan.resources if _outcome(a) is None)
    assert not unnamed, f"name every resource pass_*, fail_* or aux_*: {unnamed}"
    listed = set(expected(root)["policies"])
    statuses: dict[str, set[str]] = {a: set() for a in plan.resources}
    for check, address, status in should_say(root):
        if check in listed:
            statuses.setdefault(address, set()).add(status)
    named = {a: o for a in statuses if (o := _outcome(a)) in ("pass", "fail")}
    not_failed = sorted(a for a, o in named.items() if o == "fail" and "failed" not in statuses[a])
    assert not not_failed, f"fail_* resources none of {sorted(listed)} fails"
    not_passed = sorted(a for a, o in named.items() if o == "pass" and (
        "passed" not in statuses[a] or "failed" in statuses[a]))
    assert not not_passed, f"pass_* resources not passed (or failed) by {sorted(listed)}"
    assert any(o == "fail" for o in named.values()), "a root needs at least one fail_* resource"


# One strict xfail per `misjudged` entry, and no test item at all when no root has one: an
# empty parametrization would be collected as a skip, and a skip that can never fail is noise.
if _misjudged_cases():

    @pytest.mark.plan
    @pytest.mark.parametrize(("root", "check", "address", "status"), _misjudged_cases())
    def test_misjudged_verdicts_are_still_wrong(root, check, address, status, plan_of):
        """Fails (strict xfail) until the policy says `status`; then record it under findings."""
        actual = {v[:2]: v[2] for v in verdicts(root_plan(root, plan_of))}
        assert actual.get((check, address)) == status


# -- coverage ------------------------------------------------------------------------------


def test_every_policy_fails_and_passes_on_purpose():
    """Each policy fails a fail_* and passes a pass_* resource of a root that lists it."""
    seen: dict[str, set[str]] = {}
    for root in ROOTS:
        listed = set(expected(root)["policies"])
        for check, address, status in expected(root)["findings"]:
            named_for = {"failed": "fail", "passed": "pass"}.get(status)
            if check in listed and named_for and _outcome(address) == named_for:
                seen.setdefault(check, set()).add(status)
    lacking = {p.id: sorted({"failed", "passed"} - seen.get(p.id, set()))
               for p in load_policies() if seen.get(p.id, set()) != {"failed", "passed"}}
    assert not lacking, f"policies without a failing or passing fixture resource: {lacking}"


# -- recording a root ----------------------------------------------------------------------


def render(plan: Plan) -> str:
    """The engine's verdicts on a plan as the `findings` block of expected.yaml."""
    by_check: dict[str, dict[str, str]] = {}
    for check, address, status in sorted(verdicts(plan)):
        by_check.setdefault(check, {})[address] = status
    lines = ["findings:"]
    for check, found in by_check.items():
        lines.append(f"  {check}:")
        lines += [f"    {yaml.safe_dump({a: s}, width=1000).strip()}" for a, s in found.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python tests/compliance/test_policies.py ROOT
    from tfproof.terraform.planner import PlanRequest
    from tfproof.terraform.planner import plan as plan_root

    saved = FIXTURES / sys.argv[1] / PLAN_JSON
    sys.stdout.write(render(Plan.load(saved) if saved.is_file() else plan_root(
        PlanRequest(path=FIXTURES / sys.argv[1], variables={}))))
