"""network: the design's VPC, one NAT gateway, private subnets without public IPs, flow logs."""

from __future__ import annotations

import json

import pytest
from tftest import TerraformPlanOutput

from tfproof_dev import tftest_plans

from .support import EXAMPLE_ACCOUNT, EXAMPLE_KEY, assert_tagged, resources

pytestmark = pytest.mark.plan

AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]
M = "module.this."


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("network")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def references(plan: TerraformPlanOutput, address: str, attribute: str) -> list[str]:
    """What one argument of a module resource references, instance keys kept (`aws_x.y[0]`)."""
    return tftest_plans.refs(plan, f"{M}{address}", attribute)


def test_inventory(plan: TerraformPlanOutput) -> None:
    expected = {
        f"{M}aws_vpc.this",
        f"{M}aws_default_security_group.this",
        f"{M}aws_internet_gateway.this",
        f"{M}aws_eip.nat",
        f"{M}aws_nat_gateway.this",
        f"{M}aws_route_table.public",
        f"{M}aws_route_table.private",
        f"{M}aws_route.public_internet",
        f"{M}aws_route.private_nat",
        f"{M}aws_cloudwatch_log_group.flow_logs",
        f"{M}aws_iam_role.flow_logs",
        f"{M}aws_iam_role_policy.flow_logs",
        f"{M}aws_flow_log.this",
    }
    for i in range(3):
        expected |= {
            f"{M}aws_subnet.public[{i}]",
            f"{M}aws_subnet.private[{i}]",
            f"{M}aws_route_table_association.public[{i}]",
            f"{M}aws_route_table_association.private[{i}]",
        }
    assert set(resources(plan)) == expected


@pytest.mark.control("NET-PRIVATE")
def test_design_cidrs_one_subnet_pair_per_zone_no_public_ips(this) -> None:
    assert this.resources["aws_vpc.this"]["values"]["cidr_block"] == "10.0.0.0/16"
    for i, zone in enumerate(AZS):
        private = this.resources[f"aws_subnet.private[{i}]"]["values"]
        public = this.resources[f"aws_subnet.public[{i}]"]["values"]
        assert (private["cidr_block"], private["availability_zone"]) == (f"10.0.{i + 1}.0/24", zone)
        assert (public["cidr_block"], public["availability_zone"]) == (f"10.0.{101 + i}.0/24", zone)
        # Nothing launched in either tier gets a public IP implicitly (the ALB has its own).
        assert private["map_public_ip_on_launch"] is False
        assert public["map_public_ip_on_launch"] is False


@pytest.mark.control("NET-PRIVATE")
def test_private_tier_leaves_through_the_single_nat_gateway(
    plan: TerraformPlanOutput, this
) -> None:
    assert "aws_subnet.public[0]" in references(plan, "aws_nat_gateway.this", "subnet_id")
    private_route = this.resources["aws_route.private_nat"]["values"]
    assert private_route["destination_cidr_block"] == "0.0.0.0/0"
    route = "aws_route.private_nat"
    assert "aws_nat_gateway.this" in references(plan, route, "nat_gateway_id")
    assert "aws_route_table.private" in references(plan, route, "route_table_id")
    assert not references(plan, route, "gateway_id"), "private subnets must not route to the IGW"
    public_route = "aws_route.public_internet"
    assert "aws_internet_gateway.this" in references(plan, public_route, "gateway_id")
    for i in range(3):
        association = f"aws_route_table_association.private[{i}]"
        assert "aws_route_table.private" in references(plan, association, "route_table_id")


@pytest.mark.control("NET-MIN")
def test_default_security_group_is_closed(this) -> None:
    group = this.resources["aws_default_security_group.this"]["values"]
    assert group["ingress"] == []
    assert group["egress"] == []


@pytest.mark.control("LOG-RETENTION", "ENC-REST")
def test_flow_logs_capture_all_traffic_into_an_encrypted_30_day_group(
    plan: TerraformPlanOutput, this
) -> None:
    flow_log = this.resources["aws_flow_log.this"]["values"]
    assert flow_log["traffic_type"] == "ALL"
    assert flow_log["log_destination_type"] == "cloud-watch-logs"
    assert "aws_vpc.this" in references(plan, "aws_flow_log.this", "vpc_id")
    assert "aws_cloudwatch_log_group.flow_logs" in references(
        plan, "aws_flow_log.this", "log_destination"
    )
    group = this.resources["aws_cloudwatch_log_group.flow_logs"]["values"]
    assert group["name"] == "/aws/vpc/gen-ai-vpc/flow-logs"
    assert group["retention_in_days"] == 30
    assert group["kms_key_id"] == EXAMPLE_KEY


@pytest.mark.control("IAM-LEAST")
def test_flow_log_role_trusts_only_the_flow_log_service_of_this_account(this) -> None:
    role = this.resources["aws_iam_role.flow_logs"]["values"]
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": [EXAMPLE_ACCOUNT]}}


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(plan: TerraformPlanOutput, this) -> None:
    assert_tagged(plan)
    tiers = {
        this.resources[f"aws_subnet.{tier}[0]"]["values"]["tags"]["Tier"]
        for tier in ("public", "private")
    }
    assert tiers == {"public", "private"}
