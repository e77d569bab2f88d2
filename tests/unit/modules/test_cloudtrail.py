"""cloudtrail: a multi-region trail with global events and log file validation, encrypted with its
own rotating key, into a versioned, blocked, TLS-only bucket that only this trail may write;
optional delivery to a 30-day CloudWatch log group."""

from __future__ import annotations

import json

import pytest
from tftest import TerraformPlanOutput

from .support import (
    EXAMPLE_ACCOUNT,
    as_list,
    assert_private_versioned_bucket,
    assert_tagged,
    assert_tls_only_bucket_policy,
    config_statements,
    constant,
    refs,
    resources,
    statements,
    unknown,
)

pytestmark = pytest.mark.plan

M = "module.this."
BUCKET = "module.bucket."  # the trail bucket is an s3-bucket module call
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{EXAMPLE_ACCOUNT}:trail/gen-ai-trail"
BASE = {
    f"{M}aws_cloudtrail.this",
    f"{M}aws_kms_key.this",
    f"{M}aws_kms_alias.this",
    f"{M}{BUCKET}aws_s3_bucket.this",
    f"{M}{BUCKET}aws_s3_bucket_public_access_block.this",
    f"{M}{BUCKET}aws_s3_bucket_policy.this",
}
CLOUDWATCH = {
    f"{M}aws_cloudwatch_log_group.this[0]",
    f"{M}aws_iam_role.cloudwatch[0]",
    f"{M}aws_iam_role_policy.cloudwatch[0]",
}


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("cloudtrail")


@pytest.fixture(scope="module")
def with_logs(example_plan) -> TerraformPlanOutput:
    return example_plan("cloudtrail", cloudwatch_logs_enabled="true")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory_follows_the_cloudwatch_switch(
    plan: TerraformPlanOutput, with_logs: TerraformPlanOutput
) -> None:
    assert set(resources(plan)) == BASE
    assert set(resources(with_logs)) == BASE | CLOUDWATCH


@pytest.mark.control("TRAIL")
def test_trail_multi_region_global_validated_encrypted(plan: TerraformPlanOutput, this) -> None:
    address = f"{M}aws_cloudtrail.this"
    trail = this.resources["aws_cloudtrail.this"]["values"]
    assert trail["name"] == "gen-ai-trail"
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    assert trail["enable_logging"] is True
    assert trail["event_selector"][0]["read_write_type"] == "All"
    assert trail["event_selector"][0]["include_management_events"] is True
    assert "aws_kms_key.this.arn" in refs(plan, address, "kms_key_id")
    assert "module.bucket.id" in refs(plan, address, "s3_bucket_name")
    assert not trail.get("cloud_watch_logs_group_arn")


@pytest.mark.control("TRAIL", "KEY-ROTATION")
def test_trail_key_rotates_and_serves_only_this_trail(this) -> None:
    key = this.resources["aws_kms_key.this"]["values"]
    assert key["enable_key_rotation"] is True
    alias = this.resources["aws_kms_alias.this"]["values"]
    assert alias["name"] == "alias/gen-ai-trail-cloudtrail"
    policy = statements(key["policy"])
    assert set(policy) == {
        "AccountRootAdministersKey",
        "CloudTrailEncryptLogs",
        "CloudTrailDescribeKey",
        "AccountPrincipalsDecryptLogs",
    }
    encrypt = policy["CloudTrailEncryptLogs"]
    assert encrypt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert as_list(encrypt["Action"]) == ["kms:GenerateDataKey*"]
    assert encrypt["Condition"]["StringEquals"] == {"aws:SourceArn": [TRAIL_ARN]}
    decrypt = policy["AccountPrincipalsDecryptLogs"]
    assert decrypt["Condition"]["StringEquals"] == {"kms:CallerAccount": [EXAMPLE_ACCOUNT]}
    assert "kms:Encrypt" not in as_list(decrypt["Action"])


@pytest.mark.control("TRAIL", "AUDIT-LOGS")
def test_trail_bucket_versioned_kms_blocked_tls_only_and_logged(
    plan: TerraformPlanOutput, this
) -> None:
    address = f"{M}{BUCKET}aws_s3_bucket.this"
    assert_private_versioned_bucket(plan, address, "aws:kms")
    assert_tls_only_bucket_policy(
        plan, f"{M}{BUCKET}aws_s3_bucket_policy.this", "aws_s3_bucket.this"
    )
    bucket = this.child_modules["module.bucket"].resources["aws_s3_bucket.this"]["values"]
    assert bucket["bucket"] == "gen-ai-example-cloudtrail"
    # The key is the trail's own key, passed to the s3-bucket module call.
    call = plan.configuration["root_module"]["module_calls"]["this"]["module"][
        "module_calls"
    ]["bucket"]
    assert "aws_kms_key.this.arn" in call["expressions"]["kms_master_key_id"]["references"]
    assert bucket["logging"] == [
        {
            "target_bucket": "gen-ai-example-access-logs",
            "target_prefix": "s3/gen-ai-example-cloudtrail/",
        }
    ]
    (rule,) = bucket["lifecycle_rule"]
    assert rule["transition"][0]["storage_class"] == "GLACIER"
    assert rule["expiration"] == [], "trail logs are archived, never expired"


@pytest.mark.control("TRAIL")
def test_only_this_trail_may_write_the_bucket(plan: TerraformPlanOutput) -> None:
    policy = config_statements(plan, f"{M}data.aws_iam_policy_document.bucket")
    # These statements reach the bucket policy through the s3-bucket module's policy_documents.
    call = plan.configuration["root_module"]["module_calls"]["this"]["module"][
        "module_calls"
    ]["bucket"]
    merged = call["expressions"]["policy_documents"]["references"]
    assert "data.aws_iam_policy_document.bucket.json" in merged
    write = policy["AWSCloudTrailWrite"]
    assert constant(write["actions"]) == ["s3:PutObject"]
    (principal,) = write["principals"]
    assert constant(principal["identifiers"]) == ["cloudtrail.amazonaws.com"]
    conditions = {constant(c["variable"]): c for c in write["condition"]}
    assert constant(conditions["s3:x-amz-acl"]["values"]) == ["bucket-owner-full-control"]
    assert conditions["aws:SourceArn"]["values"]["references"] == ["local.trail_arn"]
    acl_check = policy["AWSCloudTrailAclCheck"]
    assert constant(acl_check["actions"]) == ["s3:GetBucketAcl"]


@pytest.mark.control("TRAIL", "LOG-RETENTION")
def test_cloudwatch_delivery_uses_a_30_day_encrypted_group_and_a_scoped_role(
    with_logs: TerraformPlanOutput,
) -> None:
    this = with_logs.modules["module.this"]
    group_address = f"{M}aws_cloudwatch_log_group.this[0]"
    group = this.resources["aws_cloudwatch_log_group.this[0]"]["values"]
    assert group["name"] == "/aws/cloudtrail/gen-ai-trail"
    assert group["retention_in_days"] == 30
    assert "aws_kms_key.this.arn" in refs(with_logs, group_address, "kms_key_id")
    role = this.resources["aws_iam_role.cloudwatch[0]"]["values"]
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": [EXAMPLE_ACCOUNT]}}
    trail = f"{M}aws_cloudtrail.this"
    assert unknown(with_logs, trail).get("cloud_watch_logs_group_arn")
    assert "aws_iam_role.cloudwatch" in refs(with_logs, trail, "cloud_watch_logs_role_arn")
    # The key lets CloudWatch Logs of this region use it only for this account's log groups.
    key_policy = statements(this.resources["aws_kms_key.this"]["values"]["policy"])
    logs = key_policy["CloudWatchLogsUseKey"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"] == {
        "kms:EncryptionContext:aws:logs:arn": [
            f"arn:aws:logs:us-east-1:{EXAMPLE_ACCOUNT}:log-group:*"
        ]
    }


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(
    plan: TerraformPlanOutput, with_logs: TerraformPlanOutput
) -> None:
    assert_tagged(plan)
    assert_tagged(with_logs)
