"""security-groups: only HTTPS is open to the world (on the ALB group); data stores answer the
service group only; port 80 and IPv6 follow their opt-in variables."""

from __future__ import annotations

import pytest
from tftest import TerraformPlanOutput

from tfproof_dev import tftest_plans

from .support import assert_tagged, of_type, resources, world_ingress

pytestmark = pytest.mark.plan

M = "module.this."
RULES = {
    "alb_https_ipv4",
    "alb_https_ipv6[0]",
    "alb_to_service",
    "service_from_alb",
    "service_https_out",
    "service_to_db",
    "service_to_cache",
    "db_from_service",
    "cache_from_service",
}


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("security-groups")


@pytest.fixture(scope="module")
def redirect_plan(example_plan) -> TerraformPlanOutput:
    """HTTP redirect opted in, IPv6 ingress opted out."""
    return example_plan(
        "security-groups", enable_http_redirect="true", alb_ingress_ipv6_cidrs="[]"
    )


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def references(plan: TerraformPlanOutput, rule: str, attribute: str) -> list[str]:
    """What one argument of the module's `rule` security group rule references (keys kept)."""
    return tftest_plans.refs(plan, f"{M}aws_security_group_rule.{rule}", attribute)


def test_inventory(plan: TerraformPlanOutput) -> None:
    groups = {f"{M}aws_security_group.{g}" for g in ("alb", "service", "db", "cache")}
    rules = {f"{M}aws_security_group_rule.{r}" for r in RULES}
    assert set(resources(plan)) == groups | rules


def test_groups_named_and_in_the_given_vpc(this) -> None:
    for role in ("alb", "service", "db", "cache"):
        group = this.resources[f"aws_security_group.{role}"]
        planned = group["values"]
        assert planned["name"] == f"gen-ai-{role}-sg"
        assert planned["vpc_id"] == "vpc-0123456789abcdef0"
        assert planned.get("description"), f"{group['address']} has no description"


@pytest.mark.control("NET-MIN")
def test_only_https_on_the_alb_group_is_open_to_the_world(plan: TerraformPlanOutput) -> None:
    assert sorted(world_ingress(plan)) == [
        (f"{M}aws_security_group_rule.alb_https_ipv4", 443, 443),
        (f"{M}aws_security_group_rule.alb_https_ipv6[0]", 443, 443),
    ]
    for name in ("alb_https_ipv4", "alb_https_ipv6[0]"):
        assert references(plan, name, "security_group_id") == [
            "aws_security_group.alb.id",
            "aws_security_group.alb",
        ]


def _wiring(plan: TerraformPlanOutput, name: str) -> tuple[str, str]:
    """(group the rule belongs to, group it allows) as security group names in the module."""

    def group(attribute: str) -> str:
        (ref,) = [r for r in references(plan, name, attribute) if r.endswith(".id")]
        return ref.split(".")[1]

    return group("security_group_id"), group("source_security_group_id")


@pytest.mark.control("NET-MIN")
@pytest.mark.parametrize(
    ("rule", "ports", "wiring"),
    [
        ("service_from_alb", (8000, 8009), ("service", "alb")),
        ("db_from_service", (5432, 5432), ("db", "service")),
        ("cache_from_service", (6379, 6379), ("cache", "service")),
    ],
)
def test_internal_ingress_only_from_the_upstream_group(
    plan: TerraformPlanOutput, this, rule: str, ports: tuple[int, int], wiring: tuple[str, str]
) -> None:
    resource = this.resources[f"aws_security_group_rule.{rule}"]["values"]
    assert resource["type"] == "ingress"
    assert (resource["from_port"], resource["to_port"]) == ports
    assert resource["protocol"] == "tcp"
    assert not resource.get("cidr_blocks") and not resource.get("ipv6_cidr_blocks")
    assert _wiring(plan, rule) == wiring


@pytest.mark.control("NET-MIN")
def test_data_store_groups_have_no_egress_and_services_reach_only_their_stores(
    plan: TerraformPlanOutput,
) -> None:
    egress = {
        r["address"].rsplit(".", 1)[1]: r["values"]
        for r in of_type(plan, "aws_security_group_rule")
        if r["values"]["type"] == "egress"
    }
    assert set(egress) == {
        "alb_to_service",
        "service_https_out",
        "service_to_db",
        "service_to_cache",
    }
    assert _wiring(plan, "service_to_db") == ("service", "db")
    assert _wiring(plan, "service_to_cache") == ("service", "cache")
    assert _wiring(plan, "alb_to_service") == ("alb", "service")
    out = egress["service_https_out"]
    assert (out["from_port"], out["to_port"], out["protocol"]) == (443, 443, "tcp")


@pytest.mark.control("NET-MIN")
def test_port_80_opens_only_on_request_and_ipv6_follows_its_list(
    redirect_plan: TerraformPlanOutput,
) -> None:
    assert f"{M}aws_security_group_rule.alb_https_ipv6[0]" not in resources(redirect_plan)
    assert sorted(world_ingress(redirect_plan)) == [
        (f"{M}aws_security_group_rule.alb_http_redirect_ipv4[0]", 80, 80),
        (f"{M}aws_security_group_rule.alb_https_ipv4", 443, 443),
    ]
    assert "aws_security_group.alb.id" in references(
        redirect_plan, "alb_http_redirect_ipv4[0]", "security_group_id"
    )


@pytest.mark.control("TAGS")
def test_every_group_merges_module_tags(plan: TerraformPlanOutput) -> None:
    assert_tagged(plan)
