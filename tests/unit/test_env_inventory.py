"""The seed's inventory and parameters, asserted on the offline plans of both envs.

These read the plan by resource type and planned values rather than by module
address, so they keep holding when modules are refactored, and fail when the
deployed inventory drifts from the design document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tfproof.plan import Plan
from tfproof.terraform.inputs import env_secret_variables

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


@pytest.fixture(scope="module", params=ENVS)
def env(request: pytest.FixtureRequest, env_plan: Callable[[str], Plan]) -> Plan:
    return env_plan(request.param)


def test_nine_ecr_repositories_scan_on_push(env: Plan) -> None:
    repos = env.of_type("aws_ecr_repository")
    assert {r["name"] for r in repos} == {f"gen-ai-{s}" for s in SERVICES}
    for repo in repos:
        assert repo["image_scanning_configuration"] == [{"scan_on_push": True}], repo.address


def test_nine_service_log_groups_keep_30_days(env: Plan) -> None:
    groups = {g["name"]: g for g in env.of_type("aws_cloudwatch_log_group")}
    for service in SERVICES:
        assert groups[f"/ecs/gen-ai-{service}"]["retention_in_days"] == 30
    for group in groups.values():
        assert group.get("retention_in_days", 0) > 0, f"{group.address} keeps logs forever"


def test_vpc_subnets_and_single_nat_gateway(env: Plan) -> None:
    (vpc,) = env.of_type("aws_vpc")
    assert vpc["cidr_block"] == "10.0.0.0/16"
    subnets = {s["cidr_block"]: s for s in env.of_type("aws_subnet")}
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    for index, zone in enumerate(zones, start=1):
        private = subnets[f"10.0.{index}.0/24"]
        public = subnets[f"10.0.{100 + index}.0/24"]
        assert private["availability_zone"] == zone
        assert public["availability_zone"] == zone
        assert private.get("map_public_ip_on_launch") is not True
    assert len(subnets) == 6
    assert len(env.of_type("aws_nat_gateway")) == 1


def test_ecs_cluster_has_container_insights(env: Plan) -> None:
    (cluster,) = env.of_type("aws_ecs_cluster")
    assert cluster["name"] == "gen-ai-cluster"
    assert {"name": "containerInsights", "value": "enabled"} in cluster["setting"]


@pytest.mark.parametrize("name", ENVS)
def test_nine_services_log_to_their_group(
    name: str, plan_of: Callable[..., Plan]
) -> None:
    # The image URL embeds the account id; with the default (null, read after apply) the
    # container definitions are unknown at plan time, so this test names AWS's documented
    # example account to see them whole.
    known = plan_of(INFRA / "envs" / name, account_id=EXAMPLE_ACCOUNT, **env_secret_variables())
    services = known.of_type("aws_ecs_service")
    assert len(services) == 9
    definitions = known.of_type("aws_ecs_task_definition")
    assert len(definitions) == 9
    groups = set()
    for definition in definitions:
        containers = json.loads(definition["container_definitions"])
        for container in containers:
            options = container["logConfiguration"]["options"]
            groups.add(options["awslogs-group"])
    assert groups == {f"/ecs/gen-ai-{s}" for s in SERVICES}


def test_database_backups_and_protection(env: Plan) -> None:
    (db,) = env.of_type("aws_db_instance")
    assert db["engine"] == "postgres"
    assert db["backup_retention_period"] == 7
    assert db["backup_window"] == "03:00-04:00"
    assert db["storage_encrypted"] is True
    assert db["publicly_accessible"] is False
    assert db["skip_final_snapshot"] is False
    assert db["name"] == "genai"
    assert db["username"] == "genai_admin"


def test_production_database_is_deletion_protected(production_plan: Plan) -> None:
    (db,) = production_plan.of_type("aws_db_instance")
    assert db["deletion_protection"] is True


def test_redis_is_an_encrypted_replication_group(env: Plan) -> None:
    assert env.of_type("aws_elasticache_cluster") == []
    (redis,) = env.of_type("aws_elasticache_replication_group")
    assert redis["engine"] == "redis"
    assert redis["at_rest_encryption_enabled"] is True
    assert redis["transit_encryption_enabled"] is True
    assert redis["snapshot_retention_limit"] >= 7


def test_health_alarm_fires_when_healthy_tasks_drop(env: Plan) -> None:
    alarms = {a["alarm_name"]: a for a in env.of_type("aws_cloudwatch_metric_alarm")}
    health = alarms["gen-ai-service-health"]
    assert health["comparison_operator"] in {"LessThanThreshold", "LessThanOrEqualToThreshold"}
    assert float(health["threshold"]) >= 1
    assert int(health["evaluation_periods"]) == 2
    assert int(health["period"]) == 300
    assert health["statistic"] == "Average"
    topics = env.of_type("aws_sns_topic")
    assert topics, "alarms need an SNS topic"
    assert health.is_unknown("alarm_actions") or health["alarm_actions"]
    assert any("aws_sns_topic" in ref for ref in health.references("alarm_actions"))


def test_every_alarm_has_an_action(env: Plan) -> None:
    for alarm in env.of_type("aws_cloudwatch_metric_alarm"):
        assert alarm.references("alarm_actions") or alarm.get("alarm_actions"), alarm.address


def test_infrastructure_alerts_exist(env: Plan) -> None:
    by_metric: dict[str, list] = {}
    for alarm in env.of_type("aws_cloudwatch_metric_alarm"):
        names = [alarm.get("metric_name") or ""]
        for query in alarm.get("metric_query", []):
            for metric in query.get("metric", []):
                names.append(metric.get("metric_name", ""))
        for name in names:
            by_metric.setdefault(name, []).append(alarm)
    assert any(float(a["threshold"]) == 80 for a in by_metric["CPUUtilization"])
    assert any(float(a["threshold"]) == 85 for a in by_metric["MemoryUtilization"])
    assert "FreeStorageSpace" in by_metric
    assert any(n.startswith("HTTPCode_") for n in by_metric)


def test_documents_bucket_versioned_encrypted_private(env: Plan) -> None:
    buckets = env.of_type("aws_s3_bucket")
    assert buckets
    for bucket in buckets:
        assert bucket["versioning"][0]["enabled"] is True, bucket.address
        sse = bucket["server_side_encryption_configuration"][0]["rule"][0]
        algorithm = sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
        assert algorithm in {"AES256", "aws:kms"}, bucket.address
    blocks = env.of_type("aws_s3_bucket_public_access_block")
    assert len(blocks) >= len(buckets)
    for block in blocks:
        for key in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                    "restrict_public_buckets"):
            assert block[key] is True, (block.address, key)


def test_production_replicates_documents_to_us_west_2(production_plan: Plan) -> None:
    replicating = [
        b for b in production_plan.of_type("aws_s3_bucket") if b.get("replication_configuration")
    ]
    assert replicating, "production must replicate documents cross-region"
    west = [r for r in production_plan.resources.values()
            if r.type == "aws_s3_bucket" and "replica" in r.address]
    assert west


def test_xray_sampling_rule_rate(production_plan: Plan) -> None:
    (rule,) = production_plan.of_type("aws_xray_sampling_rule")
    assert rule["fixed_rate"] == 0.05
    assert rule["reservoir_size"] == 1
    assert rule["priority"] == 1000


def test_budget_limit_and_threshold(production_plan: Plan) -> None:
    (budget,) = production_plan.of_type("aws_budgets_budget")
    assert float(budget["limit_amount"]) == 1000
    assert budget["limit_unit"] == "USD"
    assert budget["time_unit"] == "MONTHLY"
    (notification,) = budget["notification"]
    assert notification["threshold"] == 80
    assert notification["notification_type"] == "ACTUAL"
    assert notification["comparison_operator"] == "GREATER_THAN"


def test_autoscaling_one_to_four_per_service(env: Plan) -> None:
    targets = env.of_type("aws_appautoscaling_target")
    assert len(targets) == 9
    for target in targets:
        assert (target["min_capacity"], target["max_capacity"]) == (1, 4), target.address
    assert len(env.of_type("aws_appautoscaling_policy")) >= 9


def test_cloudtrail_multi_region_validated_encrypted(production_plan: Plan) -> None:
    (trail,) = production_plan.of_type("aws_cloudtrail")
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    assert trail.is_unknown("kms_key_id") or trail["kms_key_id"]


def test_task_execution_role_trusted_only_by_ecs_tasks(env: Plan) -> None:
    roles = {r["name"]: r for r in env.of_type("aws_iam_role")}
    role = roles["gen-ai-ecs-task-execution"]
    policy = json.loads(role["assume_role_policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert principals == [{"Service": "ecs-tasks.amazonaws.com"}]


def test_every_taggable_resource_carries_environment_and_project(env: Plan) -> None:
    untagged = [
        r.address
        for r in env.resources.values()
        if ("tags_all" in r.values or "tags_all" in r.unknown)
        and not r.is_unknown("tags_all")
        and not {"Environment", "Project"} <= set(r.tags)
    ]
    assert untagged == []
    projects = {r.tags.get("Project") for r in env.resources.values() if r.tags}
    assert projects == {"gen-ai-services"}


def test_no_world_open_ingress_but_https(env: Plan) -> None:
    world = {"0.0.0.0/0", "::/0"}
    for group in env.of_type("aws_security_group"):
        for rule in group.get("ingress", []):
            if world & set(rule.get("cidr_blocks", []) + rule.get("ipv6_cidr_blocks", [])):
                assert (rule["from_port"], rule["to_port"]) == (443, 443), group.address
    for rule in env.of_type("aws_security_group_rule"):
        if rule["type"] != "ingress":
            continue
        if world & set((rule.get("cidr_blocks") or []) + (rule.get("ipv6_cidr_blocks") or [])):
            assert (rule["from_port"], rule["to_port"]) == (443, 443), rule.address


def test_db_password_is_sensitive_and_never_literal(env: Plan) -> None:
    variables = env.raw["configuration"]["root_module"]["variables"]
    assert variables["db_password"].get("sensitive") is True
    assert "default" not in variables["db_password"]
    (db,) = env.of_type("aws_db_instance")
    assert "constant_value" not in db.expressions.get("password", {})


def test_production_state_is_remote_sandbox_local() -> None:
    envs = INFRA / "envs"
    text = "".join(p.read_text() for p in (envs / "production").glob("*.tf"))
    assert 'backend "s3"' in text
    sandbox = "".join(p.read_text() for p in (envs / "sandbox").glob("*.tf"))
    assert "backend \"" not in sandbox
