"""monitoring: 30-day encrypted service log groups, an encrypted alert topic, and the alarms of the
design, each notifying the topic; the health alarm fires when tasks drop below the threshold."""

from __future__ import annotations

import pytest
from tftest import TerraformPlanOutput

from .support import (
    EXAMPLE_ACCOUNT,
    EXAMPLE_KEY,
    assert_tagged,
    config_statements,
    constant,
    of_type,
    refs,
    resources,
)

pytestmark = pytest.mark.plan

M = "module.this."
ALARM = f"{M}aws_cloudwatch_metric_alarm."
SERVICES = {"search": "gen-ai-search", "code": "gen-ai-code"}
LB = "app/gen-ai-alb/0123456789abcdef"


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("monitoring")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    expected = {
        f"{M}aws_sns_topic.alerts",
        f"{M}aws_sns_topic_policy.alerts",
        f'{M}aws_sns_topic_subscription.email["platform-alerts@example.com"]',
        f"{ALARM}service_health",
        f"{ALARM}db_free_storage_low",
        f"{ALARM}error_rate_high",
    }
    for service in SERVICES:
        expected |= {
            f'{M}aws_cloudwatch_log_group.services["{service}"]',
            f'{ALARM}service_health_per_service["{service}"]',
            f'{ALARM}cpu_high["{service}"]',
            f'{ALARM}memory_high["{service}"]',
        }
    assert set(resources(plan)) == expected


@pytest.mark.control("LOG-RETENTION", "ENC-REST")
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_service_log_group_30_days_encrypted(this, service: str) -> None:
    group = this.resources[f'aws_cloudwatch_log_group.services["{service}"]']["values"]
    assert group["name"] == f"/ecs/gen-ai-{service}"
    assert group["retention_in_days"] == 30
    assert group["kms_key_id"] == EXAMPLE_KEY


@pytest.mark.control("ENC-REST", "ALARMS")
def test_alert_topic_encrypted_and_publishable_only_for_this_account(
    plan: TerraformPlanOutput, this
) -> None:
    topic = this.resources["aws_sns_topic.alerts"]["values"]
    assert topic["name"] == "gen-ai-alerts"
    assert topic["kms_master_key_id"] == EXAMPLE_KEY
    assert "aws_sns_topic.alerts.arn" in refs(plan, f"{M}aws_sns_topic_policy.alerts", "arn")
    publish = config_statements(plan, f"{M}data.aws_iam_policy_document.alerts")[
        "AwsServicesPublish"
    ]
    assert constant(publish["actions"]) == ["SNS:Publish"]
    (principal,) = publish["principals"]
    assert constant(principal["identifiers"]) == [
        "cloudwatch.amazonaws.com",
        "budgets.amazonaws.com",
    ]
    (condition,) = publish["condition"]
    assert (constant(condition["test"]), constant(condition["variable"])) == (
        "StringEquals",
        "aws:SourceAccount",
    )
    assert condition["values"]["references"][0] == "var.account_id"
    assert plan.configuration["root_module"]["module_calls"]["this"]["expressions"][
        "account_id"
    ]["constant_value"] == EXAMPLE_ACCOUNT
    (subscription,) = of_type(plan, "aws_sns_topic_subscription")
    assert (subscription["values"]["protocol"], subscription["values"]["endpoint"]) == (
        "email",
        "platform-alerts@example.com",
    )


@pytest.mark.control("ALARMS")
def test_service_health_alarm_fires_when_running_tasks_drop(this) -> None:
    alarm = this.resources["aws_cloudwatch_metric_alarm.service_health"]["values"]
    assert alarm["alarm_name"] == "gen-ai-service-health"
    # The design's alarm said GreaterThanThreshold, i.e. it fired while healthy (deviation 11).
    assert alarm["comparison_operator"] == "LessThanThreshold"
    assert alarm["threshold"] == 1
    assert (alarm["namespace"], alarm["metric_name"]) == ("ECS/ContainerInsights", "TaskCount")
    assert alarm["dimensions"] == {"ClusterName": "gen-ai-cluster"}
    assert (alarm["evaluation_periods"], alarm["period"], alarm["statistic"]) == (2, 300, "Average")
    assert alarm["treat_missing_data"] == "breaching", "no task reporting is an outage"


@pytest.mark.control("ALARMS")
@pytest.mark.parametrize(("service", "name"), sorted(SERVICES.items()))
def test_per_service_health_alarm_on_healthy_hosts(this, service: str, name: str) -> None:
    alarm = this.resources[
        f'aws_cloudwatch_metric_alarm.service_health_per_service["{service}"]'
    ]["values"]
    assert alarm["comparison_operator"] == "LessThanThreshold"
    assert alarm["threshold"] == 1
    assert (alarm["namespace"], alarm["metric_name"]) == ("AWS/ApplicationELB", "HealthyHostCount")
    assert alarm["dimensions"] == {
        "LoadBalancer": LB,
        "TargetGroup": f"targetgroup/gen-ai-{service}/0123456789abcdef",
    }
    assert alarm["treat_missing_data"] == "breaching"


@pytest.mark.control("ALARMS")
@pytest.mark.parametrize(
    ("alarm", "metric", "threshold"),
    [("cpu_high", "CPUUtilization", 80), ("memory_high", "MemoryUtilization", 85)],
)
@pytest.mark.parametrize(("service", "name"), sorted(SERVICES.items()))
def test_utilisation_alarms_above_the_design_thresholds(
    this, alarm: str, metric: str, threshold: int, service: str, name: str
) -> None:
    resource = this.resources[f'aws_cloudwatch_metric_alarm.{alarm}["{service}"]']["values"]
    assert resource["comparison_operator"] == "GreaterThanThreshold"
    assert resource["threshold"] == threshold
    assert (resource["namespace"], resource["metric_name"]) == ("AWS/ECS", metric)
    assert resource["dimensions"] == {"ClusterName": "gen-ai-cluster", "ServiceName": name}


@pytest.mark.control("ALARMS")
def test_disk_alarm_below_20_percent_of_allocated_storage(this) -> None:
    alarm = this.resources["aws_cloudwatch_metric_alarm.db_free_storage_low"]["values"]
    assert alarm["comparison_operator"] == "LessThanThreshold"
    assert (alarm["namespace"], alarm["metric_name"]) == ("AWS/RDS", "FreeStorageSpace")
    assert alarm["unit"] == "Bytes"
    assert alarm["threshold"] == 20 * 1024**3 * 20 // 100
    assert alarm["dimensions"] == {"DBInstanceIdentifier": "gen-ai-db"}


@pytest.mark.control("ALARMS")
def test_error_rate_alarm_above_5_percent_of_requests(this) -> None:
    alarm = this.resources["aws_cloudwatch_metric_alarm.error_rate_high"]["values"]
    assert alarm["comparison_operator"] == "GreaterThanThreshold"
    assert alarm["threshold"] == 5
    queries = {q["id"]: q for q in alarm["metric_query"]}
    assert [q for q in queries.values() if q["return_data"]] == [queries["error_rate"]]
    assert queries["error_rate"]["expression"] == (
        "100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / requests"
    )
    metrics = {i: q["metric"][0] for i, q in queries.items() if q["metric"]}
    assert {i: m["metric_name"] for i, m in metrics.items()} == {
        "requests": "RequestCount",
        "target_5xx": "HTTPCode_Target_5XX_Count",
        "elb_5xx": "HTTPCode_ELB_5XX_Count",
    }
    for metric in metrics.values():
        assert (metric["namespace"], metric["stat"]) == ("AWS/ApplicationELB", "Sum")
        assert metric["dimensions"] == {"LoadBalancer": LB}


@pytest.mark.control("ALARMS")
def test_every_alarm_notifies_the_topic_on_alarm_and_ok(plan: TerraformPlanOutput) -> None:
    alarms = of_type(plan, "aws_cloudwatch_metric_alarm")
    assert len(alarms) == 9
    for alarm in alarms:
        address = alarm["address"]
        assert alarm["values"]["actions_enabled"] is True, address
        for attribute in ("alarm_actions", "ok_actions"):
            assert "aws_sns_topic.alerts.arn" in refs(plan, address, attribute), (
                address,
                attribute,
            )


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(plan: TerraformPlanOutput) -> None:
    assert_tagged(plan)
