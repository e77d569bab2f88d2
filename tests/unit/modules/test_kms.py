"""kms: the shared data key rotates, and its policy lets only this account administer it and only
this region's CloudWatch Logs (for this account's log groups) and the SNS publishers use it."""

from __future__ import annotations

import pytest
from tftest import TerraformPlanOutput

from .support import EXAMPLE_ACCOUNT, as_list, assert_tagged, refs, resources, statements

pytestmark = pytest.mark.plan

M = "module.this."


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("kms")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    assert set(resources(plan)) == {f"{M}aws_kms_key.this", f"{M}aws_kms_alias.this"}


@pytest.mark.control("KEY-ROTATION")
def test_key_rotates_with_a_30_day_deletion_window(plan: TerraformPlanOutput, this) -> None:
    key = this.resources["aws_kms_key.this"]["values"]
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 30
    assert key["key_usage"] == "ENCRYPT_DECRYPT"
    assert key["customer_master_key_spec"] == "SYMMETRIC_DEFAULT"
    alias = this.resources["aws_kms_alias.this"]["values"]
    assert alias["name"] == "alias/gen-ai-data"
    assert "aws_kms_key.this.key_id" in refs(plan, f"{M}aws_kms_alias.this", "target_key_id")


@pytest.mark.control("IAM-LEAST")
def test_key_policy_statements(this) -> None:
    policy = statements(this.resources["aws_kms_key.this"]["values"]["policy"])
    assert set(policy) == {
        "AccountRootAdministersKey",
        "CloudWatchLogsUseKey",
        "ServicesPublishToEncryptedTopics",
    }
    root = policy["AccountRootAdministersKey"]
    assert root["Principal"] == {"AWS": f"arn:aws:iam::{EXAMPLE_ACCOUNT}:root"}
    logs = policy["CloudWatchLogsUseKey"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": [
                f"arn:aws:logs:us-east-1:{EXAMPLE_ACCOUNT}:log-group:*"
            ]
        }
    }
    assert "kms:*" not in as_list(logs["Action"])
    sns = policy["ServicesPublishToEncryptedTopics"]
    assert sorted(as_list(sns["Principal"]["Service"])) == [
        "budgets.amazonaws.com",
        "cloudwatch.amazonaws.com",
    ]
    assert sorted(as_list(sns["Action"])) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    # Only the account itself holds kms:*; no statement grants anything to "*".
    for sid, statement in policy.items():
        assert statement["Effect"] == "Allow", sid
        assert statement["Principal"] != "*" and statement["Principal"] != {"AWS": "*"}, sid
        if "kms:*" in as_list(statement["Action"]):
            assert sid == "AccountRootAdministersKey"


@pytest.mark.control("TAGS")
def test_key_merges_module_tags(plan: TerraformPlanOutput, this) -> None:
    assert_tagged(plan)
    assert this.resources["aws_kms_key.this"]["values"]["tags"]["Name"] == "gen-ai-data"
