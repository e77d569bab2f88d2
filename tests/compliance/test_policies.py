"""Each policy on real plans of small HCL fixtures whose resources are named by outcome.

A fixture root lists the controls it exercises in CONTROLS; every resource
named `fail_*` must fail one of them, every `pass_*` must pass them (with at
least one passing verdict, so a policy that never runs cannot look green);
`aux_*` resources are context. The comparison is on address sets, so a wrong
blame shows as a diff of addresses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tfproof.engine.run import evaluate

FIXTURES = Path(__file__).parent / "fixtures"

ROOTS = sorted(p.parent.name for p in FIXTURES.glob("*/CONTROLS"))
_NAME = re.compile(r"\.(pass|fail)_[^.\[]*(\[[^\]]*\])?$")


def _outcome(address: str) -> str | None:
    match = _NAME.search(address)
    return match.group(1) if match else None


@pytest.mark.plan
@pytest.mark.parametrize("root", ROOTS)
def test_fixture_outcomes(root, plan_of):
    controls = set((FIXTURES / root / "CONTROLS").read_text().split())
    plan = plan_of(FIXTURES / root)
    findings = [f for f in evaluate(plan).findings if f.control in controls]
    named = {a: _outcome(a) for a in plan.resources if _outcome(a)}
    named.update({f.resource: _outcome(f.resource) for f in findings if _outcome(f.resource)})
    expected_fail = {a for a, o in named.items() if o == "fail"}
    failed = {f.resource for f in findings if f.status == "failed" and f.resource in named}
    assert failed == expected_fail
    passed = {f.resource for f in findings if f.status == "passed"}
    never_judged = {a for a, o in named.items() if o == "pass"} - passed
    assert not never_judged, f"pass_* resources no policy of {sorted(controls)} judged"
    assert expected_fail, "a fixture root must hold at least one fail_* resource"
