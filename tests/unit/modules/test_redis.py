"""redis: a Redis 6.x replication group (not a single-node cluster) encrypted at rest with the
given key and in transit, with AUTH from a sensitive variable, failover and 7 days of snapshots."""

from __future__ import annotations

import json

import pytest

from tfproof.plan import Plan
from tfproof.terraform.inputs import generated_secret

from .support import EXAMPLE_KEY, assert_tagged, refs

pytestmark = pytest.mark.plan

M = "module.this."
GROUP = f"{M}aws_elasticache_replication_group.this"


def _token() -> str:
    """A stable AUTH token for the example (kept 0600 in the cache dir, like the DB password)."""
    return generated_secret("redis_auth_token")


@pytest.fixture(scope="module")
def plan(example_plan) -> Plan:
    return example_plan("redis", auth_token=_token())


def test_inventory(plan: Plan) -> None:
    assert set(plan.resources) == {
        GROUP,
        f"{M}aws_elasticache_subnet_group.this",
        f"{M}aws_elasticache_parameter_group.this",
    }
    assert plan.of_type("aws_elasticache_cluster") == []


def test_redis_6_two_nodes_with_failover_across_zones(plan: Plan) -> None:
    group = plan.resources[GROUP]
    assert group["replication_group_id"] == "gen-ai-cache"
    assert (group["engine"], group["engine_version"]) == ("redis", "6.x")
    assert (group["node_type"], group["port"]) == ("cache.t3.micro", 6379)
    assert group["number_cache_clusters"] == 2
    assert group["automatic_failover_enabled"] is True
    assert group["multi_az_enabled"] is True
    parameters = plan.resources[f"{M}aws_elasticache_parameter_group.this"]
    assert (parameters["name"], parameters["family"]) == ("gen-ai-cache-redis6", "redis6.x")
    assert "aws_elasticache_parameter_group.this.name" in refs(group, "parameter_group_name")


@pytest.mark.control("ENC-REST", "ENC-TRANSIT", "SECRETS")
def test_encrypted_at_rest_and_in_transit_with_auth(plan: Plan) -> None:
    group = plan.resources[GROUP]
    assert group["at_rest_encryption_enabled"] is True
    assert group["kms_key_id"] == EXAMPLE_KEY
    assert group["transit_encryption_enabled"] is True
    assert group.sensitive.get("auth_token") is True
    assert group.references("auth_token") == ["var.auth_token"]
    assert _token() not in json.dumps(plan.raw)


@pytest.mark.control("NET-PRIVATE")
def test_private_subnets_and_given_group_only(plan: Plan) -> None:
    group = plan.resources[GROUP]
    assert group["security_group_ids"] == ["sg-0123456789abcdef0"]
    subnets = plan.resources[f"{M}aws_elasticache_subnet_group.this"]
    assert subnets["subnet_ids"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    assert "aws_elasticache_subnet_group.this.name" in refs(group, "subnet_group_name")


@pytest.mark.control("BACKUP")
def test_snapshots_kept_7_days_outside_the_maintenance_window(plan: Plan) -> None:
    group = plan.resources[GROUP]
    assert group["snapshot_retention_limit"] == 7
    assert group["snapshot_window"] == "04:00-05:00"
    assert group["maintenance_window"] == "sun:06:00-sun:07:00"
    assert group["auto_minor_version_upgrade"] is True


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(plan: Plan) -> None:
    assert_tagged(plan)
