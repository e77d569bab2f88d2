"""ecs: the cluster with container insights; per service a Fargate task definition (read-only
root, awslogs to its group, secrets by reference) and a private service behind its target group."""

from __future__ import annotations

import json

import pytest
from tftest import TerraformPlanOutput

from .support import assert_tagged, refs, resources

pytestmark = pytest.mark.plan

M = "module.this."
SERVICES = {"search": 8003, "code": 8008}
ACCOUNT_ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
API_KEYS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gen-ai-api-keys-AbCdEf"


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("ecs")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def _container(this, service: str) -> dict:
    definition = this.resources[f'aws_ecs_task_definition.this["{service}"]']["values"]
    (container,) = json.loads(definition["container_definitions"])
    return container


def test_inventory(plan: TerraformPlanOutput) -> None:
    expected = {f"{M}aws_ecs_cluster.this"}
    for service in SERVICES:
        expected.add(f'{M}aws_ecs_task_definition.this["{service}"]')
        expected.add(f'{M}aws_ecs_service.this["{service}"]')
    assert set(resources(plan)) == expected


@pytest.mark.control("OBSERVABILITY")
def test_cluster_has_container_insights(this) -> None:
    cluster = this.resources["aws_ecs_cluster.this"]["values"]
    assert cluster["name"] == "gen-ai-cluster"
    assert cluster["setting"] == [{"name": "containerInsights", "value": "enabled"}]


@pytest.mark.parametrize(("service", "port"), sorted(SERVICES.items()))
def test_task_definition_fargate_with_both_roles(this, service: str, port: int) -> None:
    definition = this.resources[f'aws_ecs_task_definition.this["{service}"]']["values"]
    assert definition["family"] == f"gen-ai-{service}"
    assert definition["requires_compatibilities"] == ["FARGATE"]
    assert definition["network_mode"] == "awsvpc"
    assert (definition["cpu"], definition["memory"]) == ("256", "512")
    assert definition["execution_role_arn"] == (
        "arn:aws:iam::123456789012:role/gen-ai-ecs-task-execution"
    )
    assert definition["task_role_arn"] == "arn:aws:iam::123456789012:role/gen-ai-ecs-task"


@pytest.mark.control("SECRETS")
@pytest.mark.parametrize(("service", "port"), sorted(SERVICES.items()))
def test_container_hardened_logged_and_configured_by_name(
    this, service: str, port: int
) -> None:
    container = _container(this, service)
    assert container["name"] == service
    assert container["image"] == f"{ACCOUNT_ECR}/gen-ai-{service}:1.0.0"
    assert container["essential"] is True
    assert container["readonlyRootFilesystem"] is True
    assert container["portMappings"] == [
        {"containerPort": port, "hostPort": port, "protocol": "tcp"}
    ]
    assert container["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": f"/ecs/gen-ai-{service}",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": service,
        },
    }
    environment = {e["name"]: e["value"] for e in container["environment"]}
    assert environment == {
        "SERVICE_NAME": service,
        "PORT": str(port),
        "DB_SECRET_ID": "gen-ai-db-password",
    }
    # Secrets are injected by reference (valueFrom), never as environment values.
    assert container["secrets"] == [{"name": "API_KEYS", "valueFrom": API_KEYS}]


@pytest.mark.control("NET-PRIVATE")
@pytest.mark.parametrize(("service", "port"), sorted(SERVICES.items()))
def test_service_private_behind_its_target_group_with_rollback(
    plan: TerraformPlanOutput, this, service: str, port: int
) -> None:
    address = f'{M}aws_ecs_service.this["{service}"]'
    svc = this.resources[f'aws_ecs_service.this["{service}"]']["values"]
    assert svc["name"] == f"gen-ai-{service}"
    assert (svc["launch_type"], svc["platform_version"]) == ("FARGATE", "LATEST")
    (network,) = svc["network_configuration"]
    assert network["assign_public_ip"] is False
    assert network["subnets"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    assert network["security_groups"] == ["sg-0123456789abcdef0"]
    (lb,) = svc["load_balancer"]
    assert (lb["container_name"], lb["container_port"]) == (service, port)
    assert lb["target_group_arn"].endswith(f"targetgroup/gen-ai-{service}/0123456789abcdef")
    assert svc["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    assert (svc["deployment_minimum_healthy_percent"], svc["deployment_maximum_percent"]) == (
        100,
        200,
    )
    assert svc["desired_count"] == 1
    assert svc["propagate_tags"] == "SERVICE"
    assert "aws_ecs_cluster.this.id" in refs(plan, address, "cluster")
    assert "aws_ecs_task_definition.this" in refs(plan, address, "task_definition")


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(plan: TerraformPlanOutput, this) -> None:
    assert_tagged(plan)
    for service in SERVICES:
        service_values = this.resources[f'aws_ecs_service.this["{service}"]']["values"]
        assert service_values["tags"]["Service"] == service
