"""secrets: three secrets under their own rotating key; the DB credentials come from a sensitive
variable and never reach the plan in clear; rotation is on when a rotator is given."""

from __future__ import annotations

import json
import os

import pytest
from tftest import TerraformPlanOutput

from tfproof.terraform.inputs import env_secret_variables, generated_secret

from .support import EXAMPLE_ACCOUNT, assert_tagged, refs, resources, statements

pytestmark = pytest.mark.plan

M = "module.this."
SECRETS = {"api_keys": "gen-ai-api-keys", "db_password": "gen-ai-db-password",
           "cache[0]": "gen-ai-cache-connection"}


def _password() -> str:
    """The value the plan received: the user's TF_VAR_db_password, else tfproof's generated one."""
    return os.environ.get("TF_VAR_db_password") or generated_secret("db_password")


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("secrets", **env_secret_variables())


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    assert set(resources(plan)) == {
        f"{M}aws_kms_key.this",
        f"{M}aws_kms_alias.this",
        f"{M}aws_secretsmanager_secret.api_keys",
        f"{M}aws_secretsmanager_secret.db_password",
        f"{M}aws_secretsmanager_secret.cache[0]",
        f"{M}aws_secretsmanager_secret_version.db_password",
        f"{M}aws_secretsmanager_secret_version.cache[0]",
        f"{M}aws_secretsmanager_secret_rotation.db_password[0]",
    }


@pytest.mark.control("KEY-ROTATION")
def test_secrets_key_rotates_and_only_the_account_administers_it(this) -> None:
    key = this.resources["aws_kms_key.this"]["values"]
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 30
    policy = statements(key["policy"])
    assert list(policy) == ["AccountRootAdministersKey"]
    assert policy["AccountRootAdministersKey"]["Principal"] == {
        "AWS": f"arn:aws:iam::{EXAMPLE_ACCOUNT}:root"
    }
    assert this.resources["aws_kms_alias.this"]["values"]["name"] == "alias/gen-ai-secrets"


@pytest.mark.control("ENC-REST")
@pytest.mark.parametrize(("resource", "name"), sorted(SECRETS.items()))
def test_secret_encrypted_with_the_module_key_and_recoverable(
    plan: TerraformPlanOutput, this, resource: str, name: str
) -> None:
    secret = this.resources[f"aws_secretsmanager_secret.{resource}"]["values"]
    assert secret["name"] == name
    assert secret["recovery_window_in_days"] == 30
    address = f"{M}aws_secretsmanager_secret.{resource}"
    assert "aws_kms_key.this.arn" in refs(plan, address, "kms_key_id")


@pytest.mark.control("KEY-ROTATION")
def test_db_password_rotates_every_30_days_with_the_given_rotator(
    plan: TerraformPlanOutput, this
) -> None:
    rotation = this.resources["aws_secretsmanager_secret_rotation.db_password[0]"]["values"]
    assert rotation["rotation_lambda_arn"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:gen-ai-db-rotation"
    )
    assert rotation["rotation_rules"] == [{"automatically_after_days": 30}]
    assert "aws_secretsmanager_secret.db_password.id" in refs(
        plan, f"{M}aws_secretsmanager_secret_rotation.db_password[0]", "secret_id"
    )


@pytest.mark.control("SECRETS")
def test_secret_values_stay_out_of_the_plan(plan: TerraformPlanOutput, this) -> None:
    version = this.resources["aws_secretsmanager_secret_version.db_password"]
    assert version["sensitive_values"].get("secret_string") is True
    assert "aws_secretsmanager_secret.db_password.id" in refs(
        plan, f"{M}aws_secretsmanager_secret_version.db_password", "secret_id"
    )
    assert _password() not in json.dumps(dict(plan))
    root_variables = plan.configuration["root_module"]["variables"]
    assert root_variables["db_password"].get("sensitive") is True
    module_variables = plan.configuration["root_module"]["module_calls"]["this"]["module"][
        "variables"
    ]
    assert module_variables["db_password"].get("sensitive") is True
    assert module_variables["cache_auth_token"].get("sensitive") is True


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(plan: TerraformPlanOutput) -> None:
    assert_tagged(plan)
