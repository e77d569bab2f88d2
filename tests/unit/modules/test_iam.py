"""iam: execution and task roles trusted only by ECS tasks (of this account when it is known);
the task role reads the documents bucket and its own secrets, nothing with a wildcard."""

from __future__ import annotations

import json

import pytest
from tftest import TerraformPlanOutput

from .support import (
    EXAMPLE_ACCOUNT,
    EXAMPLE_KEY,
    as_list,
    assert_tagged,
    of_type,
    resources,
    statements,
)

pytestmark = pytest.mark.plan

M = "module.this."
BUCKET = "arn:aws:s3:::gen-ai-example-documents"
API_KEYS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gen-ai-api-keys-AbCdEf"
DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gen-ai-db-password-AbCdEf"


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("iam")


@pytest.fixture(scope="module")
def scoped(example_plan) -> TerraformPlanOutput:
    """Account known, one injected secret, X-Ray write access off."""
    return example_plan(
        "iam",
        account_id=EXAMPLE_ACCOUNT,
        execution_secret_arns=json.dumps([DB_SECRET]),
        enable_xray_write="false",
    )


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    assert set(resources(plan)) == {
        f"{M}aws_iam_role.execution",
        f"{M}aws_iam_role.task",
        f"{M}aws_iam_role_policy_attachment.execution",
        f"{M}aws_iam_role_policy.task",
        f"{M}aws_iam_role_policy_attachment.task_xray[0]",
    }


def _trust(plan: TerraformPlanOutput, role: str) -> dict:
    trust = plan.modules["module.this"].resources[f"aws_iam_role.{role}"]["values"]
    (statement,) = json.loads(trust["assume_role_policy"])["Statement"]
    return statement


@pytest.mark.control("IAM-LEAST")
@pytest.mark.parametrize("role", ["execution", "task"])
def test_roles_trusted_only_by_ecs_tasks(
    plan: TerraformPlanOutput, scoped: TerraformPlanOutput, role: str
) -> None:
    unscoped = _trust(plan, role)
    assert unscoped["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert unscoped["Action"] == "sts:AssumeRole"
    assert "Condition" not in unscoped
    with_account = _trust(scoped, role)
    assert with_account["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert with_account["Condition"] == {
        "StringEquals": {"aws:SourceAccount": [EXAMPLE_ACCOUNT]}
    }


def test_role_names(this) -> None:
    assert this.resources["aws_iam_role.execution"]["values"]["name"] == "gen-ai-ecs-task-execution"
    assert this.resources["aws_iam_role.task"]["values"]["name"] == "gen-ai-ecs-task"


@pytest.mark.control("IAM-LEAST")
def test_execution_role_gets_the_managed_execution_policy(this) -> None:
    attachment = this.resources["aws_iam_role_policy_attachment.execution"]["values"]
    assert attachment["policy_arn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    )
    assert attachment["role"] == "gen-ai-ecs-task-execution"


@pytest.mark.control("IAM-LEAST")
def test_task_policy_reads_only_its_bucket_secrets_and_keys(this) -> None:
    policy = statements(this.resources["aws_iam_role_policy.task"]["values"]["policy"])
    granted = {
        sid: (sorted(as_list(s["Action"])), sorted(as_list(s["Resource"])))
        for sid, s in policy.items()
    }
    assert granted == {
        "ListDocumentsBucket": (["s3:GetBucketLocation", "s3:ListBucket"], [BUCKET]),
        "ReadDocuments": (["s3:GetObject", "s3:GetObjectVersion"], [f"{BUCKET}/*"]),
        "ReadOwnSecrets": (
            ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            sorted([API_KEYS, DB_SECRET]),
        ),
        "DecryptOwnData": (["kms:Decrypt"], [EXAMPLE_KEY]),
    }
    assert all(s["Effect"] == "Allow" for s in policy.values())


@pytest.mark.control("IAM-LEAST")
def test_xray_write_is_the_managed_policy_and_can_be_turned_off(
    this, scoped: TerraformPlanOutput
) -> None:
    xray = this.resources["aws_iam_role_policy_attachment.task_xray[0]"]["values"]
    assert xray["policy_arn"] == "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
    assert xray["role"] == "gen-ai-ecs-task"
    assert f"{M}aws_iam_role_policy_attachment.task_xray[0]" not in resources(scoped)


@pytest.mark.control("IAM-LEAST")
def test_injected_secrets_get_an_execution_policy_for_exactly_those(
    scoped: TerraformPlanOutput,
) -> None:
    execution = scoped.modules["module.this"].resources["aws_iam_role_policy.execution[0]"]
    policy = statements(execution["values"]["policy"])
    assert as_list(policy["ReadInjectedSecrets"]["Action"]) == ["secretsmanager:GetSecretValue"]
    assert as_list(policy["ReadInjectedSecrets"]["Resource"]) == [DB_SECRET]
    assert as_list(policy["DecryptInjectedSecrets"]["Action"]) == ["kms:Decrypt"]
    assert as_list(policy["DecryptInjectedSecrets"]["Resource"]) == [EXAMPLE_KEY]


@pytest.mark.control("IAM-LEAST")
def test_no_statement_allows_everything(
    plan: TerraformPlanOutput, scoped: TerraformPlanOutput
) -> None:
    for each in (plan, scoped):
        for policy in of_type(each, "aws_iam_role_policy"):
            for sid, statement in statements(policy["values"]["policy"]).items():
                actions = as_list(statement["Action"])
                assert "*" not in actions and not any(a.endswith(":*") for a in actions), sid
                assert "*" not in as_list(statement["Resource"]), sid


@pytest.mark.control("TAGS")
def test_roles_merge_module_tags(plan: TerraformPlanOutput) -> None:
    assert_tagged(plan)
