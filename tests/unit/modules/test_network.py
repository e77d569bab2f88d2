"""network: the design's VPC, one NAT gateway, private subnets without public IPs, flow logs."""

from __future__ import annotations

import json

import pytest

from tfproof.plan import Plan

from .support import EXAMPLE_ACCOUNT, EXAMPLE_KEY, assert_tagged

pytestmark = pytest.mark.plan

AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]


@pytest.fixture(scope="module")
def plan(example_plan) -> Plan:
    return example_plan("network")


def test_inventory(plan: Plan) -> None:
    m = "module.this."
    expected = {
        f"{m}aws_vpc.this",
        f"{m}aws_default_security_group.this",
        f"{m}aws_internet_gateway.this",
        f"{m}aws_eip.nat",
        f"{m}aws_nat_gateway.this",
        f"{m}aws_route_table.public",
        f"{m}aws_route_table.private",
        f"{m}aws_route.public_internet",
        f"{m}aws_route.private_nat",
        f"{m}aws_cloudwatch_log_group.flow_logs",
        f"{m}aws_iam_role.flow_logs",
        f"{m}aws_iam_role_policy.flow_logs",
        f"{m}aws_flow_log.this",
    }
    for i in range(3):
        expected |= {
            f"{m}aws_subnet.public[{i}]",
            f"{m}aws_subnet.private[{i}]",
            f"{m}aws_route_table_association.public[{i}]",
            f"{m}aws_route_table_association.private[{i}]",
        }
    assert set(plan.resources) == expected


@pytest.mark.control("NET-PRIVATE")
def test_design_cidrs_one_subnet_pair_per_zone_no_public_ips(plan: Plan) -> None:
    assert plan.resources["module.this.aws_vpc.this"]["cidr_block"] == "10.0.0.0/16"
    for i, zone in enumerate(AZS):
        private = plan.resources[f"module.this.aws_subnet.private[{i}]"]
        public = plan.resources[f"module.this.aws_subnet.public[{i}]"]
        assert (private["cidr_block"], private["availability_zone"]) == (f"10.0.{i + 1}.0/24", zone)
        assert (public["cidr_block"], public["availability_zone"]) == (f"10.0.{101 + i}.0/24", zone)
        # Nothing launched in either tier gets a public IP implicitly (the ALB has its own).
        assert private["map_public_ip_on_launch"] is False
        assert public["map_public_ip_on_launch"] is False


@pytest.mark.control("NET-PRIVATE")
def test_private_tier_leaves_through_the_single_nat_gateway(plan: Plan) -> None:
    nat = plan.resources["module.this.aws_nat_gateway.this"]
    assert "aws_subnet.public[0]" in nat.references("subnet_id")
    private_route = plan.resources["module.this.aws_route.private_nat"]
    assert private_route["destination_cidr_block"] == "0.0.0.0/0"
    assert "aws_nat_gateway.this" in private_route.references("nat_gateway_id")
    assert "aws_route_table.private" in private_route.references("route_table_id")
    assert not private_route.references("gateway_id"), "private subnets must not route to the IGW"
    public_route = plan.resources["module.this.aws_route.public_internet"]
    assert "aws_internet_gateway.this" in public_route.references("gateway_id")
    for i in range(3):
        association = plan.resources[f"module.this.aws_route_table_association.private[{i}]"]
        assert "aws_route_table.private" in association.references("route_table_id")


@pytest.mark.control("NET-MIN")
def test_default_security_group_is_closed(plan: Plan) -> None:
    group = plan.resources["module.this.aws_default_security_group.this"]
    assert group["ingress"] == []
    assert group["egress"] == []


@pytest.mark.control("LOG-RETENTION", "ENC-REST")
def test_flow_logs_capture_all_traffic_into_an_encrypted_30_day_group(plan: Plan) -> None:
    flow_log = plan.resources["module.this.aws_flow_log.this"]
    assert flow_log["traffic_type"] == "ALL"
    assert flow_log["log_destination_type"] == "cloud-watch-logs"
    assert "aws_vpc.this" in flow_log.references("vpc_id")
    assert "aws_cloudwatch_log_group.flow_logs" in flow_log.references("log_destination")
    group = plan.resources["module.this.aws_cloudwatch_log_group.flow_logs"]
    assert group["name"] == "/aws/vpc/gen-ai-vpc/flow-logs"
    assert group["retention_in_days"] == 30
    assert group["kms_key_id"] == EXAMPLE_KEY


@pytest.mark.control("IAM-LEAST")
def test_flow_log_role_trusts_only_the_flow_log_service_of_this_account(plan: Plan) -> None:
    role = plan.resources["module.this.aws_iam_role.flow_logs"]
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": [EXAMPLE_ACCOUNT]}}


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(plan: Plan) -> None:
    assert_tagged(plan)
    tiers = {
        plan.resources[f"module.this.aws_subnet.{tier}[0]"]["tags"]["Tier"]
        for tier in ("public", "private")
    }
    assert tiers == {"public", "private"}
