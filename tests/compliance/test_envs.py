"""The project's own envs keep every promise: zero unwaived failures (checkov and policies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfproof.engine.scan import scan
from tfproof.terraform.inputs import env_secret_variables

INFRA = Path(__file__).resolve().parents[2] / "infra"


@pytest.mark.plan
@pytest.mark.checkov
@pytest.mark.parametrize("env", ["production", "sandbox"])
def test_env_has_no_unwaived_failure(env, env_plan):
    assert (INFRA / "envs" / env).is_dir(), f"infra/envs/{env} is missing"
    report = scan(target=INFRA / "envs" / env, plan=env_plan(env),
                  variables=env_secret_variables())
    failed = [(f.control, f.check, f.resource, f.message) for f in report.failed]
    assert failed == []
    assert report.summary["passed"] > 100
    assert not [w for w in report.waivers if w["problem"] == "expired"]
