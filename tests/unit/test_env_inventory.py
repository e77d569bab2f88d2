"""The seed's inventory and parameters, asserted on the offline plans of both envs.

These read the plan by resource type and planned values rather than by module
address, so they keep holding when modules are refactored, and fail when the
deployed inventory drifts from the design document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tftest import TerraformPlanOutput as TfPlan

from tfproof.terraform.inputs import env_secret_variables
from tfproof_dev.tftest_plans import config, of_type, refs, resources, unknown

pytestmark = pytest.mark.plan

SERVICES = {
    "format-conversion",
    "classification",
    "workflow",
    "search",
    "quality",
    "personalization",
    "document-extraction",
    "conversational",
    "code",
}
ENVS = ["production", "sandbox"]
INFRA = Path(__file__).resolve().parents[2] / "infra"
EXAMPLE_ACCOUNT = "123456789012"  # AWS documentation's example account id, not a real one


def _planned(plan: TfPlan, resource_type: str) -> list[dict[str, Any]]:
    """The planned values of every resource of one type, by address (none known: `{}`)."""
    return [r.get("values") or {} for r in of_type(plan, resource_type)]


def _effective_tags(planned: dict[str, Any]) -> dict[str, str]:
    """tags_all (provider default_tags merged) when planned, else tags."""
    return dict(planned.get("tags_all") or planned.get("tags") or {})


def _config_address(address: str) -> str:
    """`module.a["x"].aws_b.c[0]` -> `module.a.aws_b.c`: where its configuration block lives."""
    return re.sub(r"\[[^\]]*\]", "", address)


@pytest.fixture(scope="module", params=ENVS)
def env(request: pytest.FixtureRequest, env_tfplan: Callable[[str], TfPlan]) -> TfPlan:
    return env_tfplan(request.param)


@pytest.fixture(scope="module")
def production(env_tfplan: Callable[[str], TfPlan]) -> TfPlan:
    return env_tfplan("production")


def test_nine_ecr_repositories_scan_on_push(env: TfPlan) -> None:
    repos = of_type(env, "aws_ecr_repository")
    assert {r["values"]["name"] for r in repos} == {f"gen-ai-{s}" for s in SERVICES}
    for repo in repos:
        assert repo["values"]["image_scanning_configuration"] == [{"scan_on_push": True}], (
            repo["address"]
        )


def test_nine_service_log_groups_keep_30_days(env: TfPlan) -> None:
    groups = {g["values"]["name"]: g for g in of_type(env, "aws_cloudwatch_log_group")}
    for service in SERVICES:
        assert groups[f"/ecs/gen-ai-{service}"]["values"]["retention_in_days"] == 30
    for group in groups.values():
        retention = group["values"].get("retention_in_days")
        assert (0 if retention is None else retention) > 0, (
            f"{group['address']} keeps logs forever"
        )


def test_vpc_subnets_and_single_nat_gateway(env: TfPlan) -> None:
    (vpc,) = _planned(env, "aws_vpc")
    assert vpc["cidr_block"] == "10.0.0.0/16"
    subnets = {s["cidr_block"]: s for s in _planned(env, "aws_subnet")}
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    for index, zone in enumerate(zones, start=1):
        private = subnets[f"10.0.{index}.0/24"]
        public = subnets[f"10.0.{100 + index}.0/24"]
        assert private["availability_zone"] == zone
        assert public["availability_zone"] == zone
        assert private.get("map_public_ip_on_launch") is not True
    assert len(subnets) == 6
    assert len(of_type(env, "aws_nat_gateway")) == 1


def test_ecs_cluster_has_container_insights(env: TfPlan) -> None:
    (cluster,) = _planned(env, "aws_ecs_cluster")
    assert cluster["name"] == "gen-ai-cluster"
    assert {"name": "containerInsights", "value": "enabled"} in cluster["setting"]


@pytest.mark.parametrize("name", ENVS)
def test_nine_services_log_to_their_group(
    name: str, tfplan_of: Callable[..., TfPlan]
) -> None:
    # The image URL embeds the account id; with the default (null, read after apply) the
    # container definitions are unknown at plan time, so this test names AWS's documented
    # example account to see them whole.
    known = tfplan_of(INFRA / "envs" / name, account_id=EXAMPLE_ACCOUNT, **env_secret_variables())
    services = of_type(known, "aws_ecs_service")
    assert len(services) == 9
    definitions = _planned(known, "aws_ecs_task_definition")
    assert len(definitions) == 9
    groups = set()
    for definition in definitions:
        containers = json.loads(definition["container_definitions"])
        for container in containers:
            options = container["logConfiguration"]["options"]
            groups.add(options["awslogs-group"])
    assert groups == {f"/ecs/gen-ai-{s}" for s in SERVICES}


def test_database_backups_and_protection(env: TfPlan) -> None:
    (db,) = _planned(env, "aws_db_instance")
    assert db["engine"] == "postgres"
    assert db["backup_retention_period"] == 7
    assert db["backup_window"] == "03:00-04:00"
    assert db["storage_encrypted"] is True
    assert db["publicly_accessible"] is False
    assert db["skip_final_snapshot"] is False
    assert db["name"] == "genai"
    assert db["username"] == "genai_admin"


def test_production_database_is_deletion_protected(production: TfPlan) -> None:
    (db,) = _planned(production, "aws_db_instance")
    assert db["deletion_protection"] is True


def test_redis_is_an_encrypted_replication_group(env: TfPlan) -> None:
    assert of_type(env, "aws_elasticache_cluster") == []
    (redis,) = _planned(env, "aws_elasticache_replication_group")
    assert redis["engine"] == "redis"
    assert redis["at_rest_encryption_enabled"] is True
    assert redis["transit_encryption_enabled"] is True
    assert redis["snapshot_retention_limit"] >= 7


def test_health_alarm_fires_when_healthy_tasks_drop(env: TfPlan) -> None:
    alarms = {a["values"]["alarm_name"]: a for a in of_type(env, "aws_cloudwatch_metric_alarm")}
    address = alarms["gen-ai-service-health"]["address"]
    health = alarms["gen-ai-service-health"]["values"]
    assert health["comparison_operator"] in {"LessThanThreshold", "LessThanOrEqualToThreshold"}
    assert float(health["threshold"]) >= 1
    assert int(health["evaluation_periods"]) == 2
    assert int(health["period"]) == 300
    assert health["statistic"] == "Average"
    topics = of_type(env, "aws_sns_topic")
    assert topics, "alarms need an SNS topic"
    assert unknown(env, address).get("alarm_actions") or health["alarm_actions"]
    assert any("aws_sns_topic" in ref for ref in refs(env, address, "alarm_actions"))


def test_every_alarm_has_an_action(env: TfPlan) -> None:
    for alarm in of_type(env, "aws_cloudwatch_metric_alarm"):
        address = alarm["address"]
        assert refs(env, address, "alarm_actions") or alarm["values"].get("alarm_actions"), (
            address
        )


def test_infrastructure_alerts_exist(env: TfPlan) -> None:
    by_metric: dict[str, list] = {}
    for alarm in _planned(env, "aws_cloudwatch_metric_alarm"):
        names = [alarm.get("metric_name") or ""]
        for query in alarm.get("metric_query") or []:
            for metric in query.get("metric", []):
                names.append(metric.get("metric_name", ""))
        for name in names:
            by_metric.setdefault(name, []).append(alarm)
    assert any(float(a["threshold"]) == 80 for a in by_metric["CPUUtilization"])
    assert any(float(a["threshold"]) == 85 for a in by_metric["MemoryUtilization"])
    assert "FreeStorageSpace" in by_metric
    assert any(n.startswith("HTTPCode_") for n in by_metric)


def test_documents_bucket_versioned_encrypted_private(env: TfPlan) -> None:
    buckets = of_type(env, "aws_s3_bucket")
    assert buckets
    for item in buckets:
        bucket = item["values"]
        assert bucket["versioning"][0]["enabled"] is True, item["address"]
        sse = bucket["server_side_encryption_configuration"][0]["rule"][0]
        algorithm = sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
        assert algorithm in {"AES256", "aws:kms"}, item["address"]
    blocks = of_type(env, "aws_s3_bucket_public_access_block")
    assert len(blocks) >= len(buckets)
    for block in blocks:
        for key in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                    "restrict_public_buckets"):
            assert block["values"][key] is True, (block["address"], key)


def test_production_replicates_documents_to_us_west_2(production: TfPlan) -> None:
    replicating = [
        b for b in _planned(production, "aws_s3_bucket") if b.get("replication_configuration")
    ]
    assert replicating, "production must replicate documents cross-region"
    west = [r for r in resources(production).values()
            if r["type"] == "aws_s3_bucket" and "replica" in r["address"]]
    assert west


def test_xray_sampling_rule_rate(production: TfPlan) -> None:
    (rule,) = _planned(production, "aws_xray_sampling_rule")
    assert rule["fixed_rate"] == 0.05
    assert rule["reservoir_size"] == 1
    assert rule["priority"] == 1000


def test_budget_limit_and_threshold(production: TfPlan) -> None:
    (budget,) = _planned(production, "aws_budgets_budget")
    assert float(budget["limit_amount"]) == 1000
    assert budget["limit_unit"] == "USD"
    assert budget["time_unit"] == "MONTHLY"
    (notification,) = budget["notification"]
    assert notification["threshold"] == 80
    assert notification["notification_type"] == "ACTUAL"
    assert notification["comparison_operator"] == "GREATER_THAN"


def test_autoscaling_one_to_four_per_service(env: TfPlan) -> None:
    targets = of_type(env, "aws_appautoscaling_target")
    assert len(targets) == 9
    for target in targets:
        capacity = (target["values"]["min_capacity"], target["values"]["max_capacity"])
        assert capacity == (1, 4), target["address"]
    assert len(of_type(env, "aws_appautoscaling_policy")) >= 9


def test_cloudtrail_multi_region_validated_encrypted(production: TfPlan) -> None:
    (item,) = of_type(production, "aws_cloudtrail")
    trail = item["values"]
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    assert unknown(production, item["address"]).get("kms_key_id") or trail["kms_key_id"]


def test_task_execution_role_trusted_only_by_ecs_tasks(env: TfPlan) -> None:
    roles = {r["name"]: r for r in _planned(env, "aws_iam_role")}
    role = roles["gen-ai-ecs-task-execution"]
    policy = json.loads(role["assume_role_policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert principals == [{"Service": "ecs-tasks.amazonaws.com"}]


def test_every_taggable_resource_carries_environment_and_project(env: TfPlan) -> None:
    planned = {a: r.get("values") or {} for a, r in resources(env).items()}
    untagged = [
        address
        for address, values in planned.items()
        if ("tags_all" in values or "tags_all" in unknown(env, address))
        and not unknown(env, address).get("tags_all")
        and not {"Environment", "Project"} <= set(_effective_tags(values))
    ]
    assert untagged == []
    projects = {
        _effective_tags(values).get("Project")
        for values in planned.values()
        if _effective_tags(values)
    }
    assert projects == {"gen-ai-services"}


def test_no_world_open_ingress_but_https(env: TfPlan) -> None:
    world = {"0.0.0.0/0", "::/0"}
    for group in of_type(env, "aws_security_group"):
        for rule in group["values"].get("ingress") or []:
            if world & set(rule.get("cidr_blocks", []) + rule.get("ipv6_cidr_blocks", [])):
                assert (rule["from_port"], rule["to_port"]) == (443, 443), group["address"]
    for item in of_type(env, "aws_security_group_rule"):
        rule = item["values"]
        if rule["type"] != "ingress":
            continue
        if world & set((rule.get("cidr_blocks") or []) + (rule.get("ipv6_cidr_blocks") or [])):
            assert (rule["from_port"], rule["to_port"]) == (443, 443), item["address"]


def test_db_password_is_sensitive_and_never_literal(env: TfPlan) -> None:
    variables = env.configuration["root_module"]["variables"]
    assert variables["db_password"].get("sensitive") is True
    assert "default" not in variables["db_password"]
    (db,) = of_type(env, "aws_db_instance")
    expressions = config(env, _config_address(db["address"])).get("expressions", {})
    assert "constant_value" not in expressions.get("password", {})


def test_production_state_is_remote_sandbox_local() -> None:
    envs = INFRA / "envs"
    text = "".join(p.read_text() for p in (envs / "production").glob("*.tf"))
    assert 'backend "s3"' in text
    sandbox = "".join(p.read_text() for p in (envs / "sandbox").glob("*.tf"))
    assert "backend \"" not in sandbox
