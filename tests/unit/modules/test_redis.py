"""redis: a Redis 6.x replication group (not a single-node cluster) encrypted at rest with the
given key and in transit, with AUTH from a sensitive variable, failover and 7 days of snapshots."""

from __future__ import annotations

import json

import pytest
from tftest import TerraformPlanOutput

from tfproof.terraform.inputs import generated_secret
from tfproof_dev import tftest_plans

from .support import EXAMPLE_KEY, assert_tagged, of_type, refs, resources

pytestmark = pytest.mark.plan

M = "module.this."
GROUP = f"{M}aws_elasticache_replication_group.this"


def _token() -> str:
    """A stable AUTH token for the example (kept 0600 in the cache dir, like the DB password)."""
    return generated_secret("redis_auth_token")


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("redis", auth_token=_token())


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    assert set(resources(plan)) == {
        GROUP,
        f"{M}aws_elasticache_subnet_group.this",
        f"{M}aws_elasticache_parameter_group.this",
    }
    assert of_type(plan, "aws_elasticache_cluster") == []


def test_redis_6_two_nodes_with_failover_across_zones(plan: TerraformPlanOutput, this) -> None:
    group = this.resources["aws_elasticache_replication_group.this"]["values"]
    assert group["replication_group_id"] == "gen-ai-cache"
    assert (group["engine"], group["engine_version"]) == ("redis", "6.x")
    assert (group["node_type"], group["port"]) == ("cache.t3.micro", 6379)
    assert group["number_cache_clusters"] == 2
    assert group["automatic_failover_enabled"] is True
    assert group["multi_az_enabled"] is True
    parameters = this.resources["aws_elasticache_parameter_group.this"]["values"]
    assert (parameters["name"], parameters["family"]) == ("gen-ai-cache-redis6", "redis6.x")
    assert "aws_elasticache_parameter_group.this.name" in refs(
        plan, GROUP, "parameter_group_name"
    )


@pytest.mark.control("ENC-REST", "ENC-TRANSIT", "SECRETS")
def test_encrypted_at_rest_and_in_transit_with_auth(plan: TerraformPlanOutput, this) -> None:
    resource = this.resources["aws_elasticache_replication_group.this"]
    group = resource["values"]
    assert group["at_rest_encryption_enabled"] is True
    assert group["kms_key_id"] == EXAMPLE_KEY
    assert group["transit_encryption_enabled"] is True
    assert resource["sensitive_values"].get("auth_token") is True
    assert tftest_plans.refs(plan, GROUP, "auth_token") == ["var.auth_token"]
    assert _token() not in json.dumps(dict(plan))


@pytest.mark.control("NET-PRIVATE")
def test_private_subnets_and_given_group_only(plan: TerraformPlanOutput, this) -> None:
    group = this.resources["aws_elasticache_replication_group.this"]["values"]
    assert group["security_group_ids"] == ["sg-0123456789abcdef0"]
    subnets = this.resources["aws_elasticache_subnet_group.this"]["values"]
    assert subnets["subnet_ids"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    assert "aws_elasticache_subnet_group.this.name" in refs(plan, GROUP, "subnet_group_name")


@pytest.mark.control("BACKUP")
def test_snapshots_kept_7_days_outside_the_maintenance_window(this) -> None:
    group = this.resources["aws_elasticache_replication_group.this"]["values"]
    assert group["snapshot_retention_limit"] == 7
    assert group["snapshot_window"] == "04:00-05:00"
    assert group["maintenance_window"] == "sun:06:00-sun:07:00"
    assert group["auto_minor_version_upgrade"] is True


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(plan: TerraformPlanOutput) -> None:
    assert_tagged(plan)
