"""storage: documents and access-log buckets (versioned, encrypted, blocked, TLS-only, logged) and,
when replication is on, their us-west-2 replicas through the aws.replica provider."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tftest import TerraformPlanOutput

from tfproof_dev import tftest_plans

from .support import (
    EXAMPLE_ACCOUNT,
    assert_private_versioned_bucket,
    assert_tagged,
    assert_tls_only_bucket_policy,
    refs,
    resources,
    unknown,
    values,
)

pytestmark = pytest.mark.plan

M = "module.this."
PRIMARY = ("documents", "access_logs")
REPLICA = ("replica", "replica_access_logs")


def _bucket(name: str, resource_type: str = "aws_s3_bucket") -> str:
    """Address of one resource of the `name` s3-bucket call (`replica[0]` for a counted one)."""
    return f"{M}module.{name}.{resource_type}.this"


def _bucket_set(name: str, index: str = "") -> set[str]:
    return {
        _bucket(f"{name}{index}"),
        _bucket(f"{name}{index}", "aws_s3_bucket_public_access_block"),
        _bucket(f"{name}{index}", "aws_s3_bucket_policy"),
    }


def _call_refs(plan: TerraformPlanOutput, call: str, argument: str) -> list[str]:
    """What one argument of the storage module's `call` s3-bucket module call references."""
    calls = plan.configuration["root_module"]["module_calls"]["this"]["module"]
    return calls["module_calls"][call]["expressions"][argument]["references"]


def _configs(module: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(configuration address, block) of every resource and data block under a configuration
    module (`plan.configuration["root_module"]`), through its module calls."""
    for resource in module.get("resources", []):
        yield prefix + resource["address"], resource
    for name, call in module.get("module_calls", {}).items():
        yield from _configs(call.get("module", {}), f"{prefix}module.{name}.")


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("storage")


@pytest.fixture(scope="module")
def unreplicated(example_plan) -> TerraformPlanOutput:
    return example_plan("storage", replication_enabled="false")


def test_inventory_with_replication(plan: TerraformPlanOutput) -> None:
    expected = {f"{M}aws_iam_role.replication[0]", f"{M}aws_iam_role_policy.replication[0]"}
    for name in PRIMARY:
        expected |= _bucket_set(name)
    for name in REPLICA:
        expected |= _bucket_set(name, "[0]")
    assert set(resources(plan)) == expected


@pytest.mark.control("DR")
def test_replication_off_removes_replicas_role_and_rule(unreplicated: TerraformPlanOutput) -> None:
    assert set(resources(unreplicated)) == _bucket_set("documents") | _bucket_set("access_logs")
    documents = values(unreplicated, _bucket("documents"))
    assert documents.get("replication_configuration") == []


@pytest.mark.control("ENC-REST", "ENC-TRANSIT", "NET-PRIVATE", "BACKUP")
@pytest.mark.parametrize(
    ("bucket", "algorithm"),
    [
        ("documents", "AES256"),
        ("access_logs", "AES256"),
        ("replica[0]", "AES256"),
        ("replica_access_logs[0]", "AES256"),
    ],
)
def test_every_bucket_versioned_encrypted_blocked_and_tls_only(
    plan: TerraformPlanOutput, bucket: str, algorithm: str
) -> None:
    assert_private_versioned_bucket(plan, _bucket(bucket), algorithm)
    policy = _bucket(bucket, "aws_s3_bucket_policy")
    assert_tls_only_bucket_policy(plan, policy, "aws_s3_bucket.this")
    assert values(plan, _bucket(bucket))["force_destroy"] is False


@pytest.mark.control("AUDIT-LOGS")
def test_documents_acl_private_and_access_logged(plan: TerraformPlanOutput) -> None:
    documents = values(plan, _bucket("documents"))
    assert documents["bucket"] == "gen-ai-example-documents"
    assert documents["acl"] == "private"
    (logging,) = documents["logging"]
    assert logging["target_prefix"] == "s3/gen-ai-example-documents/"
    assert "module.access_logs.bucket" in _call_refs(plan, "documents", "logging")
    replica = values(plan, _bucket("replica[0]"))
    (replica_logging,) = replica["logging"]
    assert replica_logging["target_prefix"] == "s3/gen-ai-example-documents-replica/"
    target_refs = _call_refs(plan, "replica", "logging")
    assert "module.replica_access_logs[0].bucket" in target_refs


def test_log_buckets_accept_log_delivery_and_expire_logs(plan: TerraformPlanOutput) -> None:
    for name in ("access_logs", "replica_access_logs[0]"):
        bucket = values(plan, _bucket(name))
        assert bucket["acl"] == "log-delivery-write", name
        (rule,) = bucket["lifecycle_rule"]
        assert rule["enabled"] is True
        assert rule["expiration"][0]["days"] == 365
        assert rule["noncurrent_version_expiration"] == [{"days": 30}]
    replica_logs = values(plan, _bucket("replica_access_logs[0]"))
    assert replica_logs["bucket"] == "gen-ai-example-documents-replica-access-logs"


@pytest.mark.control("DR")
def test_documents_replicate_everything_to_the_replica_bucket(plan: TerraformPlanOutput) -> None:
    documents = values(plan, _bucket("documents"))
    (replication,) = documents["replication_configuration"]
    (rule,) = replication["rules"]
    assert rule["id"] == "replicate-all-to-us-west-2"
    assert rule["status"] == "Enabled"
    assert rule["prefix"] == "", "an empty prefix replicates every object"
    (destination,) = rule["destination"]
    assert destination["storage_class"] == "STANDARD"
    # Role and destination are the module's own role and replica bucket (ARNs known at apply).
    after_apply = unknown(plan, _bucket("documents"))["replication_configuration"][0]
    assert after_apply["role"] is True
    assert after_apply["rules"][0]["destination"][0]["bucket"] is True


@pytest.mark.control("DR")
def test_replicas_are_created_through_the_replica_provider_in_us_west_2(
    plan: TerraformPlanOutput,
) -> None:
    providers = plan.configuration["provider_config"]
    assert providers["aws.replica"]["expressions"]["region"]["constant_value"] == "us-west-2"
    assert providers["aws"]["expressions"]["region"]["constant_value"] == "us-east-1"
    for address, config in _configs(plan.configuration["root_module"]):
        if not address.startswith(f"{M}module.") or ".aws_s3_bucket" not in address:
            continue
        name = address.split(".")[3]
        expected = "aws.replica" if name in REPLICA else "aws"
        assert config["provider_config_key"].endswith(expected), address


@pytest.mark.control("IAM-LEAST")
def test_replication_role_trusted_by_s3_of_this_account_scoped_to_the_two_buckets(
    plan: TerraformPlanOutput,
) -> None:
    this = plan.modules["module.this"]
    role = this.resources["aws_iam_role.replication[0]"]["values"]
    assert role["name"] == "gen-ai-s3-replication"
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": [EXAMPLE_ACCOUNT]}}
    policy = f"{M}aws_iam_role_policy.replication[0]"
    assert "aws_iam_role.replication.id" in refs(plan, policy, "role")
    statements = tftest_plans.config(plan, f"{M}data.aws_iam_policy_document.replication")[
        "expressions"
    ]["statement"]
    resources = {
        s["sid"]["constant_value"]: {r for r in s["resources"]["references"] if r.endswith(".arn")}
        for s in statements
    }
    assert resources == {
        "ReadReplicationConfiguration": {"module.documents.arn"},
        "ReadSourceObjects": {"module.documents.arn"},
        "WriteReplicaObjects": {"module.replica[0].arn"},
    }
    for statement in statements:
        assert "*" not in statement["actions"]["constant_value"]
        assert "s3:*" not in statement["actions"]["constant_value"]


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(plan: TerraformPlanOutput) -> None:
    assert_tagged(plan)
