"""rds: PostgreSQL that is encrypted, private, TLS-only, backed up daily for 7 days in the design's
window, protected against deletion and kept in a final snapshot; the password only by variable."""

from __future__ import annotations

import json
import os

import pytest
from tftest import TerraformPlanOutput

from tfproof.errors import PlanError
from tfproof.terraform.inputs import env_secret_variables, generated_secret
from tfproof_dev import tftest_plans

from .support import EXAMPLE_ACCOUNT, EXAMPLE_KEY, assert_tagged, refs, resources

pytestmark = pytest.mark.plan

M = "module.this."
DB = f"{M}aws_db_instance.this"


@pytest.fixture(scope="module")
def default(example_plan) -> TerraformPlanOutput:
    return example_plan("rds", **env_secret_variables())


@pytest.fixture(scope="module")
def unprotected(example_plan) -> TerraformPlanOutput:
    """Deletion protection off (the sandbox's setting), enhanced monitoring on."""
    return example_plan(
        "rds", deletion_protection="false", monitoring_interval="60", **env_secret_variables()
    )


@pytest.fixture(scope="module")
def this(default: TerraformPlanOutput):
    """The module under test in the default plan, as tftest keys it."""
    return default.modules["module.this"]


def test_inventory(default: TerraformPlanOutput) -> None:
    assert set(resources(default)) == {
        DB,
        f"{M}aws_db_subnet_group.this",
        f"{M}aws_db_parameter_group.this",
        f'{M}aws_cloudwatch_log_group.this["postgresql"]',
        f'{M}aws_cloudwatch_log_group.this["upgrade"]',
    }


def test_engine_and_design_parameters(this) -> None:
    db = this.resources["aws_db_instance.this"]["values"]
    assert db["identifier"] == "gen-ai-db"
    assert (db["engine"], db["engine_version"]) == ("postgres", "15.7")
    assert (db["instance_class"], db["allocated_storage"], db["storage_type"]) == (
        "db.t3.micro",
        20,
        "gp2",
    )
    assert (db["name"], db["username"], db["port"]) == ("genai", "genai_admin", 5432)


@pytest.mark.control("ENC-REST", "NET-PRIVATE")
def test_encrypted_with_the_given_key_private_and_iam_auth(
    default: TerraformPlanOutput, this
) -> None:
    db = this.resources["aws_db_instance.this"]["values"]
    assert db["storage_encrypted"] is True
    assert db["kms_key_id"] == EXAMPLE_KEY
    assert db["publicly_accessible"] is False
    assert db["vpc_security_group_ids"] == ["sg-0123456789abcdef0"]
    assert db["iam_database_authentication_enabled"] is True
    subnets = this.resources["aws_db_subnet_group.this"]["values"]
    assert subnets["subnet_ids"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    assert "aws_db_subnet_group.this.name" in refs(default, DB, "db_subnet_group_name")


@pytest.mark.control("BACKUP")
def test_daily_backups_for_7_days_final_snapshot_and_deletion_protection(this) -> None:
    db = this.resources["aws_db_instance.this"]["values"]
    assert db["backup_retention_period"] == 7
    assert db["backup_window"] == "03:00-04:00"
    # The maintenance window must not overlap the backup window.
    assert db["maintenance_window"] == "sun:05:00-sun:06:00"
    assert db["deletion_protection"] is True
    assert db["skip_final_snapshot"] is False
    assert db["final_snapshot_identifier"] == "gen-ai-db-final"
    assert db["delete_automated_backups"] is False
    assert db["copy_tags_to_snapshot"] is True


@pytest.mark.control("ENC-TRANSIT")
def test_parameter_group_forces_tls_and_logs_connections(
    default: TerraformPlanOutput, this
) -> None:
    group = this.resources["aws_db_parameter_group.this"]["values"]
    assert (group["name"], group["family"]) == ("gen-ai-db-postgres15", "postgres15")
    parameters = {p["name"]: p["value"] for p in group["parameter"]}
    assert parameters == {"rds.force_ssl": "1", "log_connections": "1", "log_disconnections": "1"}
    assert "aws_db_parameter_group.this.name" in refs(default, DB, "parameter_group_name")


@pytest.mark.control("LOG-RETENTION")
def test_exported_logs_land_in_groups_with_30_day_retention(this) -> None:
    db = this.resources["aws_db_instance.this"]["values"]
    assert db["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
    for export in ("postgresql", "upgrade"):
        group = this.resources[f'aws_cloudwatch_log_group.this["{export}"]']["values"]
        assert group["name"] == f"/aws/rds/instance/gen-ai-db/{export}"
        assert group["retention_in_days"] == 30


@pytest.mark.control("SECRETS")
def test_password_only_from_the_sensitive_variable(default: TerraformPlanOutput, this) -> None:
    db = this.resources["aws_db_instance.this"]
    assert db["sensitive_values"].get("password") is True
    assert tftest_plans.refs(default, DB, "password") == ["var.password"]
    assert "constant_value" not in tftest_plans.config(default, DB)["expressions"]["password"]
    password = os.environ.get("TF_VAR_db_password") or generated_secret("db_password")
    assert password not in json.dumps(dict(default))


@pytest.mark.control("BACKUP")
def test_turning_protection_off_and_monitoring_on(unprotected: TerraformPlanOutput) -> None:
    module = unprotected.modules["module.this"]
    db = module.resources["aws_db_instance.this"]["values"]
    assert db["deletion_protection"] is False
    # Everything else that protects data stays as it was.
    assert (db["skip_final_snapshot"], db["backup_retention_period"]) == (False, 7)
    assert db["monitoring_interval"] == 60
    role = module.resources["aws_iam_role.monitoring[0]"]["values"]
    assert role["name"] == "gen-ai-db-monitoring"
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": [EXAMPLE_ACCOUNT]}}
    attachment = module.resources["aws_iam_role_policy_attachment.monitoring[0]"]["values"]
    assert attachment["policy_arn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    )
    assert "aws_iam_role.monitoring" in refs(unprotected, DB, "monitoring_role_arn")


@pytest.mark.control("BACKUP")
def test_backup_retention_below_7_days_is_refused(example_plan) -> None:
    # Fail closed: the module's validation stops the plan rather than deploy a database that
    # keeps less than the design's week of backups. (A failed plan is never cached.)
    with pytest.raises(PlanError, match="at least 7 days of automated backups"):
        example_plan("rds", backup_retention_period="6", **env_secret_variables())


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(default: TerraformPlanOutput) -> None:
    assert_tagged(default)
