"""autoscaling: each service scales between 1 and 4 tasks on a 70 % CPU target."""

from __future__ import annotations

import pytest
from tftest import TerraformPlanOutput

from .support import resources

pytestmark = pytest.mark.plan

SERVICES = {"search": "gen-ai-search", "code": "gen-ai-code"}


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("autoscaling")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    expected = set()
    for key in SERVICES:
        expected.add(f'module.this.aws_appautoscaling_target.this["{key}"]')
        expected.add(f'module.this.aws_appautoscaling_policy.cpu["{key}"]')
    assert set(resources(plan)) == expected


@pytest.mark.parametrize(("key", "service"), sorted(SERVICES.items()))
def test_target_one_to_four_tasks_of_the_service(this, key: str, service: str) -> None:
    target = this.resources[f'aws_appautoscaling_target.this["{key}"]']["values"]
    assert target["resource_id"] == f"service/gen-ai-cluster/{service}"
    assert target["service_namespace"] == "ecs"
    assert target["scalable_dimension"] == "ecs:service:DesiredCount"
    assert (target["min_capacity"], target["max_capacity"]) == (1, 4)


@pytest.mark.parametrize(("key", "service"), sorted(SERVICES.items()))
def test_cpu_target_tracking_policy_on_the_same_target(this, key: str, service: str) -> None:
    policy = this.resources[f'aws_appautoscaling_policy.cpu["{key}"]']["values"]
    assert policy["policy_type"] == "TargetTrackingScaling"
    assert policy["resource_id"] == f"service/gen-ai-cluster/{service}"
    (config,) = policy["target_tracking_scaling_policy_configuration"]
    assert config["target_value"] == 70
    assert (config["scale_in_cooldown"], config["scale_out_cooldown"]) == (300, 60)
    assert config["disable_scale_in"] is False
    (metric,) = config["predefined_metric_specification"]
    assert metric["predefined_metric_type"] == "ECSServiceAverageCPUUtilization"
