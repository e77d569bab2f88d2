"""iam: execution and task roles trusted only by ECS tasks (of this account when it is known);
the task role reads the documents bucket and its own secrets, nothing with a wildcard."""

from __future__ import annotations

import json

import pytest

from tfproof.plan import Plan

from .support import EXAMPLE_ACCOUNT, EXAMPLE_KEY, as_list, assert_tagged, statements

pytestmark = pytest.mark.plan

M = "module.this."
BUCKET = "arn:aws:s3:::gen-ai-example-documents"
API_KEYS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gen-ai-api-keys-AbCdEf"
DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gen-ai-db-password-AbCdEf"


@pytest.fixture(scope="module")
def plan(example_plan) -> Plan:
    return example_plan("iam")


@pytest.fixture(scope="module")
def scoped(example_plan) -> Plan:
    """Account known, one injected secret, X-Ray write access off."""
    return example_plan(
        "iam",
        account_id=EXAMPLE_ACCOUNT,
        execution_secret_arns=json.dumps([DB_SECRET]),
        enable_xray_write="false",
    )


def test_inventory(plan: Plan) -> None:
    assert set(plan.resources) == {
        f"{M}aws_iam_role.execution",
        f"{M}aws_iam_role.task",
        f"{M}aws_iam_role_policy_attachment.execution",
        f"{M}aws_iam_role_policy.task",
        f"{M}aws_iam_role_policy_attachment.task_xray[0]",
    }


def _trust(plan: Plan, role: str) -> dict:
    (statement,) = json.loads(plan.resources[f"{M}aws_iam_role.{role}"]["assume_role_policy"])[
        "Statement"
    ]
    return statement


@pytest.mark.control("IAM-LEAST")
@pytest.mark.parametrize("role", ["execution", "task"])
def test_roles_trusted_only_by_ecs_tasks(plan: Plan, scoped: Plan, role: str) -> None:
    unscoped = _trust(plan, role)
    assert unscoped["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert unscoped["Action"] == "sts:AssumeRole"
    assert "Condition" not in unscoped
    with_account = _trust(scoped, role)
    assert with_account["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert with_account["Condition"] == {
        "StringEquals": {"aws:SourceAccount": [EXAMPLE_ACCOUNT]}
    }


def test_role_names(plan: Plan) -> None:
    assert plan.resources[f"{M}aws_iam_role.execution"]["name"] == "gen-ai-ecs-task-execution"
    assert plan.resources[f"{M}aws_iam_role.task"]["name"] == "gen-ai-ecs-task"


@pytest.mark.control("IAM-LEAST")
def test_execution_role_gets_the_managed_execution_policy(plan: Plan) -> None:
    attachment = plan.resources[f"{M}aws_iam_role_policy_attachment.execution"]
    assert attachment["policy_arn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    )
    assert attachment["role"] == "gen-ai-ecs-task-execution"


@pytest.mark.control("IAM-LEAST")
def test_task_policy_reads_only_its_bucket_secrets_and_keys(plan: Plan) -> None:
    policy = statements(plan.resources[f"{M}aws_iam_role_policy.task"]["policy"])
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
def test_xray_write_is_the_managed_policy_and_can_be_turned_off(plan: Plan, scoped: Plan) -> None:
    xray = plan.resources[f"{M}aws_iam_role_policy_attachment.task_xray[0]"]
    assert xray["policy_arn"] == "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
    assert xray["role"] == "gen-ai-ecs-task"
    assert f"{M}aws_iam_role_policy_attachment.task_xray[0]" not in scoped.resources


@pytest.mark.control("IAM-LEAST")
def test_injected_secrets_get_an_execution_policy_for_exactly_those(scoped: Plan) -> None:
    policy = statements(scoped.resources[f"{M}aws_iam_role_policy.execution[0]"]["policy"])
    assert as_list(policy["ReadInjectedSecrets"]["Action"]) == ["secretsmanager:GetSecretValue"]
    assert as_list(policy["ReadInjectedSecrets"]["Resource"]) == [DB_SECRET]
    assert as_list(policy["DecryptInjectedSecrets"]["Action"]) == ["kms:Decrypt"]
    assert as_list(policy["DecryptInjectedSecrets"]["Resource"]) == [EXAMPLE_KEY]


@pytest.mark.control("IAM-LEAST")
def test_no_statement_allows_everything(plan: Plan, scoped: Plan) -> None:
    for each in (plan, scoped):
        for policy in each.of_type("aws_iam_role_policy"):
            for sid, statement in statements(policy["policy"]).items():
                actions = as_list(statement["Action"])
                assert "*" not in actions and not any(a.endswith(":*") for a in actions), sid
                assert "*" not in as_list(statement["Resource"]), sid


@pytest.mark.control("TAGS")
def test_roles_merge_module_tags(plan: Plan) -> None:
    assert_tagged(plan)
