"""endpoints: S3 is reached through a gateway endpoint routed from the private route tables."""

from __future__ import annotations

import pytest
from tftest import TerraformPlanOutput

from .support import assert_tagged, resources

pytestmark = pytest.mark.plan


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("endpoints")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    assert set(resources(plan)) == {"module.this.aws_vpc_endpoint.s3"}


@pytest.mark.control("NET-PRIVATE", "TAGS")
def test_s3_gateway_endpoint_in_the_region_on_the_given_route_tables(
    plan: TerraformPlanOutput, this
) -> None:
    endpoint = this.resources["aws_vpc_endpoint.s3"]["values"]
    assert endpoint["service_name"] == "com.amazonaws.us-east-1.s3"
    assert endpoint["vpc_endpoint_type"] == "Gateway"
    assert endpoint["vpc_id"] == "vpc-0123456789abcdef0"
    # A gateway endpoint without route tables routes nothing (design deviation 20).
    assert sorted(endpoint["route_table_ids"]) == ["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"]
    assert endpoint["tags"]["Name"] == "gen-ai-s3"
    assert_tagged(plan)
