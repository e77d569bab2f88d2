"""endpoints: S3 is reached through a gateway endpoint routed from the private route tables."""

from __future__ import annotations

import pytest

from tfproof.plan import Plan

from .support import assert_tagged

pytestmark = pytest.mark.plan


@pytest.fixture(scope="module")
def plan(example_plan) -> Plan:
    return example_plan("endpoints")


def test_inventory(plan: Plan) -> None:
    assert set(plan.resources) == {"module.this.aws_vpc_endpoint.s3"}


@pytest.mark.control("NET-PRIVATE", "TAGS")
def test_s3_gateway_endpoint_in_the_region_on_the_given_route_tables(plan: Plan) -> None:
    endpoint = plan.resources["module.this.aws_vpc_endpoint.s3"]
    assert endpoint["service_name"] == "com.amazonaws.us-east-1.s3"
    assert endpoint["vpc_endpoint_type"] == "Gateway"
    assert endpoint["vpc_id"] == "vpc-0123456789abcdef0"
    # A gateway endpoint without route tables routes nothing (design deviation 20).
    assert sorted(endpoint["route_table_ids"]) == ["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"]
    assert endpoint["tags"]["Name"] == "gen-ai-s3"
    assert_tagged(plan)
