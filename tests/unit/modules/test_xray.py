"""xray: the design's sampling rule (5 %, reservoir 1, priority 1000), tags as tags, not as
matching attributes."""

from __future__ import annotations

import pytest
from tftest import TerraformPlanOutput

from .support import assert_tagged, resources

pytestmark = pytest.mark.plan


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("xray")


def test_inventory(plan: TerraformPlanOutput) -> None:
    assert set(resources(plan)) == {"module.this.aws_xray_sampling_rule.this"}


@pytest.mark.control("OBSERVABILITY", "TAGS")
def test_sampling_rule_matches_everything_at_the_design_rate(plan: TerraformPlanOutput) -> None:
    rule = plan.modules["module.this"].resources["aws_xray_sampling_rule.this"]["values"]
    assert rule["rule_name"] == "gen-ai-sampling"
    assert (rule["fixed_rate"], rule["reservoir_size"], rule["priority"]) == (0.05, 1, 1000)
    for key in ("host", "http_method", "url_path", "service_name", "service_type", "resource_arn"):
        assert rule[key] == "*", key
    # The design wrote its tags into `attributes`, which would sample only requests carrying
    # them (deviation 14); the module leaves attributes empty and tags the rule instead.
    assert not rule.get("attributes")
    assert_tagged(plan)
