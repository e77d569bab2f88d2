"""autoscaling: each service scales between 1 and 4 tasks on a 70 % CPU target."""

from __future__ import annotations

import pytest

from tfproof.plan import Plan

pytestmark = pytest.mark.plan

SERVICES = {"search": "gen-ai-search", "code": "gen-ai-code"}


@pytest.fixture(scope="module")
def plan(example_plan) -> Plan:
    return example_plan("autoscaling")


def test_inventory(plan: Plan) -> None:
    expected = set()
    for key in SERVICES:
        expected.add(f'module.this.aws_appautoscaling_target.this["{key}"]')
        expected.add(f'module.this.aws_appautoscaling_policy.cpu["{key}"]')
    assert set(plan.resources) == expected


@pytest.mark.parametrize(("key", "service"), sorted(SERVICES.items()))
def test_target_one_to_four_tasks_of_the_service(plan: Plan, key: str, service: str) -> None:
    target = plan.resources[f'module.this.aws_appautoscaling_target.this["{key}"]']
    assert target["resource_id"] == f"service/gen-ai-cluster/{service}"
    assert target["service_namespace"] == "ecs"
    assert target["scalable_dimension"] == "ecs:service:DesiredCount"
    assert (target["min_capacity"], target["max_capacity"]) == (1, 4)


@pytest.mark.parametrize(("key", "service"), sorted(SERVICES.items()))
def test_cpu_target_tracking_policy_on_the_same_target(plan: Plan, key: str, service: str) -> None:
    policy = plan.resources[f'module.this.aws_appautoscaling_policy.cpu["{key}"]']
    assert policy["policy_type"] == "TargetTrackingScaling"
    assert policy["resource_id"] == f"service/gen-ai-cluster/{service}"
    (config,) = policy["target_tracking_scaling_policy_configuration"]
    assert config["target_value"] == 70
    assert (config["scale_in_cooldown"], config["scale_out_cooldown"]) == (300, 60)
    assert config["disable_scale_in"] is False
    (metric,) = config["predefined_metric_specification"]
    assert metric["predefined_metric_type"] == "ECSServiceAverageCPUUtilization"
