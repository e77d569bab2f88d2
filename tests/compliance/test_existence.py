"""Whole-plan "exists" rules: each gap is blamed on what it leaves exposed, or on "(plan)".

The fixture root `existence` holds, per rule, a resource that has what the
seed asks for and one that lacks it; the exact (check, address) failures are
listed here so a wrong blame, or a rule firing for the wrong reason, shows as a
diff. What one plan cannot hold (a plan with no budget at all, a plan without
ECS, a sandbox) comes from the other fixture roots and the envs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tfproof.engine.run import evaluate
from tfproof.plan import Plan

FIXTURES = Path(__file__).parent / "fixtures"
EXISTENCE_CHECKS = {
    "TFP_ALARM_HEALTH_EXISTS", "TFP_ALARM_ECS_CPU", "TFP_ALARM_ECS_MEMORY", "TFP_ALARM_RDS_DISK",
    "TFP_ALARM_ALB_ERROR_RATE", "TFP_BUDGET_MONTHLY", "TFP_XRAY_SAMPLING", "TFP_S3_VPC_ENDPOINT",
    "TFP_DR_REPLICATION",
}


def _by_status(plan: Plan, status: str) -> set[tuple[str, str]]:
    return {(f.check, f.resource) for f in evaluate(plan).findings
            if f.check in EXISTENCE_CHECKS and f.status == status}


@pytest.fixture(scope="module")
def existence_plan(plan_of):
    return plan_of(FIXTURES / "existence")


@pytest.mark.plan
def test_each_gap_is_blamed_where_it_is(existence_plan):
    assert _by_status(existence_plan, "failed") == {
        ("TFP_ALARM_HEALTH_EXISTS", "aws_ecs_cluster.fail_cluster_unwatched"),
        ("TFP_ALARM_ECS_CPU", "aws_ecs_cluster.fail_cluster_unwatched"),
        ("TFP_ALARM_ECS_MEMORY", "aws_ecs_cluster.fail_cluster_unwatched"),
        ("TFP_ALARM_HEALTH_EXISTS", "aws_ecs_cluster.fail_cluster_gaps"),   # inverted
        ("TFP_ALARM_ECS_CPU", "aws_ecs_cluster.fail_cluster_gaps"),         # svc-b unwatched
        ("TFP_ALARM_ECS_MEMORY", "aws_ecs_cluster.fail_cluster_gaps"),      # svc-a at 90 %
        ("TFP_ALARM_RDS_DISK", "aws_db_instance.fail_db_late_alarm"),       # fires at 5 % free
        ("TFP_ALARM_ALB_ERROR_RATE", "aws_lb.fail_alb_lax_error_rate"),     # rate above 10 %
        ("TFP_BUDGET_MONTHLY", "aws_budgets_budget.fail_budget_forecast"),  # FORECASTED only
        ("TFP_S3_VPC_ENDPOINT", "aws_vpc.fail_vpc_no_endpoint"),
        ("TFP_S3_VPC_ENDPOINT", "aws_vpc.fail_vpc_detached_endpoint"),
        ("TFP_DR_REPLICATION", "aws_s3_bucket.fail_documents_unreplicated"),
        ("TFP_DR_REPLICATION", "aws_s3_bucket.fail_documents_wrong_region"),  # to us-east-2
    }
    passed = _by_status(existence_plan, "passed")
    for expected in [
        ("TFP_ALARM_HEALTH_EXISTS", "aws_ecs_cluster.pass_cluster"),
        ("TFP_ALARM_ECS_CPU", "aws_ecs_cluster.pass_cluster"),
        ("TFP_ALARM_ECS_MEMORY", "aws_ecs_cluster.pass_cluster"),
        ("TFP_ALARM_RDS_DISK", "aws_db_instance.pass_db"),
        ("TFP_ALARM_ALB_ERROR_RATE", "aws_lb.pass_alb"),
        ("TFP_XRAY_SAMPLING", "aws_ecs_cluster.pass_cluster"),
        ("TFP_S3_VPC_ENDPOINT", "aws_vpc.pass_vpc"),
        ("TFP_DR_REPLICATION", "aws_s3_bucket.pass_documents"),
        ("TFP_DR_REPLICATION", "aws_s3_bucket.pass_documents_literal_arn"),
    ]:
        assert expected in passed
    # log buckets and the replicas themselves are not "documents"
    judged = {address for _, address in passed | _by_status(existence_plan, "failed")}
    assert not {"aws_s3_bucket.aux_access_logs", "aws_s3_bucket.aux_replica_west",
                "aws_s3_bucket.aux_replica_east2"} & judged


@pytest.mark.plan
def test_failure_messages_say_what_is_missing(existence_plan):
    messages = {(f.check, f.resource): f.message for f in evaluate(existence_plan).findings
                if f.status == "failed"}
    assert "svc-b" in messages[("TFP_ALARM_ECS_CPU", "aws_ecs_cluster.fail_cluster_gaps")]
    assert "does not fire when the count drops" in messages[
        ("TFP_ALARM_HEALTH_EXISTS", "aws_ecs_cluster.fail_cluster_gaps")]
    assert "us-east-2" in messages[
        ("TFP_DR_REPLICATION", "aws_s3_bucket.fail_documents_wrong_region")]
    assert "no route table" in messages[
        ("TFP_S3_VPC_ENDPOINT", "aws_vpc.fail_vpc_detached_endpoint")]


@pytest.mark.plan
def test_a_plan_without_budget_fails_at_plan_level(plan_of):
    # datastores runs RDS instances and has no aws_budgets_budget at all
    findings = evaluate(plan_of(FIXTURES / "datastores")).findings
    cost = [f for f in findings if f.control == "COST"]
    assert [(f.check, f.resource, f.status) for f in cost] == [
        ("TFP_BUDGET_MONTHLY", "(plan)", "failed")]
    assert "aws_db_instance" in cost[0].message


@pytest.mark.plan
def test_unrelated_plan_is_not_failed_for_missing_platform_pieces(plan_of):
    # tags: only SNS topics, no ECS / RDS / ALB / VPC / bucket / billable service
    findings = evaluate(plan_of(FIXTURES / "tags")).findings
    existence = [f for f in findings if f.check in EXISTENCE_CHECKS]
    assert [(f.check, f.resource, f.status) for f in existence] == [
        ("TFP_DR_REPLICATION", "(plan)", "passed")]
    assert existence[0].message.startswith("not applicable")


@pytest.mark.plan
def test_sandbox_is_exempt_from_dr_and_production_replicates(sandbox_plan, production_plan):
    sandbox = [f for f in evaluate(sandbox_plan).findings if f.control == "DR"]
    assert [(f.resource, f.status) for f in sandbox] == [("(plan)", "passed")]
    assert "not applicable" in sandbox[0].message and "production" in sandbox[0].message
    production = [f for f in evaluate(production_plan).findings if f.control == "DR"]
    assert [(f.resource, f.status) for f in production] == [
        ("module.platform.module.storage.module.documents.aws_s3_bucket.this", "passed")]


# -- provider-4 split replication (provider 3.39 cannot plan it: plan JSON by hand) --------


def _split_plan() -> Plan:
    """Two production document buckets with aws_s3_bucket_replication_configuration."""
    planned, changes, config = [], [], []

    def add(address: str, values: dict, expressions: dict, provider: str = "aws",
            unknown: dict | None = None) -> None:
        rtype, name = address.split(".")
        tags = {"Environment": "production", "Project": "tfproof"}
        if rtype == "aws_s3_bucket":
            values = {**values, "tags": tags, "tags_all": tags}
        planned.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                        "values": values})
        changes.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                        "change": {"actions": ["create"], "before": None, "after": values,
                                   "after_unknown": {"id": True, "arn": True, **(unknown or {})}}})
        config.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                       "provider_config_key": provider, "expressions": expressions})

    def ref(address: str, attribute: str) -> dict:
        return {"references": [f"{address}.{attribute}", address]}

    for bucket, provider in (("pass_split_documents", "aws"), ("fail_split_documents", "aws"),
                             ("aux_split_replica", "aws.west"), ("aux_split_same", "aws")):
        add(f"aws_s3_bucket.{bucket}", {"bucket": f"tfproof-{bucket}"},
            {"bucket": {"constant_value": f"tfproof-{bucket}"}}, provider,
            {"versioning": True, "replication_configuration": True, "logging": True})
        add(f"aws_s3_bucket_versioning.{bucket}",
            {"versioning_configuration": [{"status": "Enabled"}]},
            {"bucket": ref(f"aws_s3_bucket.{bucket}", "id"),
             "versioning_configuration": [{"status": {"constant_value": "Enabled"}}]}, provider)
    for source, target in (("pass_split_documents", "aux_split_replica"),
                           ("fail_split_documents", "aux_split_same")):
        add(f"aws_s3_bucket_replication_configuration.{source}",
            {"rule": [{"id": "dr", "status": "Enabled", "destination": [{"bucket": None}]}]},
            {"bucket": ref(f"aws_s3_bucket.{source}", "id"),
             "role": {"constant_value": "arn:aws:iam::123456789012:role/replication"},
             "rule": [{"id": {"constant_value": "dr"}, "status": {"constant_value": "Enabled"},
                       "destination": [{"bucket": ref(f"aws_s3_bucket.{target}", "arn")}]}]},
            unknown={"rule": [{"destination": [{"bucket": True}]}]})
    region = {"aws": "us-east-1", "aws.west": "us-west-2"}
    return Plan({
        "format_version": "1.2", "terraform_version": "1.5.7", "variables": {},
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {key: {"name": "aws", "expressions": {
                "region": {"constant_value": value}}} for key, value in region.items()},
            "root_module": {"resources": config},
        },
    }, name="split-replication")


def test_split_replication_configuration_is_followed_to_its_destination():
    findings = [f for f in evaluate(_split_plan()).findings if f.check == "TFP_DR_REPLICATION"]
    assert {(f.resource, f.status) for f in findings} == {
        ("aws_s3_bucket.pass_split_documents", "passed"),
        ("aws_s3_bucket.fail_split_documents", "failed"),
    }
    failed = next(f for f in findings if f.status == "failed")
    assert "aws_s3_bucket.aux_split_same in us-east-1" in failed.message
