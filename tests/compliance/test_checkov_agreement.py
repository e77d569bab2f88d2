"""Plain checkov loads the custom policies and agrees with the engine, resource by resource."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tfproof.checkov.runner import run_checkov
from tfproof.engine.policy import load_policies, policies_dir
from tfproof.engine.run import evaluate


@pytest.mark.plan
@pytest.mark.checkov
def test_checkov_external_checks_match_engine(seed_plan):
    policies = load_policies()
    results = run_checkov(seed_plan.raw, [p.id for p in policies],
                          external_checks_dir=policies_dir() / "checks", use_cache=False)
    from_checkov = {(r.check, r.resource, r.passed) for r in results}
    engine = {(f.check, f.resource, f.status == "passed") for f in evaluate(seed_plan).findings
              if not f.resource.startswith(("var.", "module.vpc.var"))
              and ".var." not in f.resource and not f.resource.startswith("var.")
              and f.resource != "(plan)"}  # plan-level verdicts have no resource for checkov
    assert from_checkov, "checkov loaded none of the custom checks"
    assert from_checkov == engine, json.dumps(sorted(map(list, from_checkov ^ engine)))[:2000]
    assert Path(policies_dir() / "checks" / "__init__.py").is_file()
