"""CloudWatch alarms evaluate themselves on the embedded server and notify their SNS topics.

Every test drives the real server over HTTPS with boto3: it puts datapoints whose timestamps
fall inside the alarm's latest periods (the server evaluates periods ending at its clock),
then reads the alarm, its history and the SQS queue subscribed to the alarm's topic.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"
DEADLINE = 5.0


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _ago(seconds: float) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def cw(aws: Callable[..., Any]) -> Any:
    return aws("cloudwatch", region="us-east-1")


@pytest.fixture
def topic_queue(aws: Callable[..., Any]) -> tuple[str, str]:
    """An SNS topic with an SQS queue subscribed (raw delivery off): (topic arn, queue url)."""
    sns, sqs = aws("sns", region="us-east-1"), aws("sqs", region="us-east-1")
    topic = sns.create_topic(Name=_name("alarms"))["TopicArn"]
    url = sqs.create_queue(QueueName=_name("alarm-inbox"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["QueueArn"])
    return topic, url


def _state(cw: Any, name: str) -> dict[str, Any]:
    return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def _wait_state(cw: Any, name: str, state: str, timeout: float = DEADLINE) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        alarm = _state(cw, name)
        if alarm["StateValue"] == state or time.monotonic() > deadline:
            assert alarm["StateValue"] == state, alarm
            return alarm
        time.sleep(0.2)


def _notifications(aws: Callable[..., Any], url: str, count: int) -> list[dict[str, Any]]:
    """The CloudWatch messages inside the SNS envelopes the queue received (polled briefly)."""
    sqs, found = aws("sqs", region="us-east-1"), []
    deadline = time.monotonic() + DEADLINE
    while len(found) < count and time.monotonic() < deadline:
        for msg in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            found.append(json.loads(msg["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
        time.sleep(0.2)
    return found


def _put(cw: Any, namespace: str, metric: str, dims: dict[str, str], *points: tuple) -> None:
    cw.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {"MetricName": metric, "Value": value, "Timestamp": _ago(age),
             "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()]}
            for age, value in points
        ],
    )  # fmt: skip


def _task_alarm(cw: Any, name: str, topic: str, cluster: str, **extra: Any) -> None:
    cw.put_metric_alarm(
        AlarmName=name, AlarmDescription="no running task", Namespace="ECS/ContainerInsights",
        MetricName="TaskCount", Dimensions=[{"Name": "ClusterName", "Value": cluster}],
        Statistic="Average", Period=300, EvaluationPeriods=2, Threshold=1.0,
        ComparisonOperator="LessThanThreshold", TreatMissingData="breaching",
        AlarmActions=[topic], OKActions=[topic], **extra,
    )  # fmt: skip


def test_task_count_alarm_fires_notifies_and_recovers(cw, aws, topic_queue):
    topic, url = topic_queue
    name, cluster = _name("tasks"), _name("cluster")
    _task_alarm(cw, name, topic, cluster)
    assert _state(cw, name)["StateValue"] in ("INSUFFICIENT_DATA", "ALARM")

    _put(cw, "ECS/ContainerInsights", "TaskCount", {"ClusterName": cluster}, (30, 0), (330, 0))
    alarm = _wait_state(cw, name, "ALARM")
    assert alarm["StateReason"].startswith("Threshold Crossed: ")
    reason_data = json.loads(alarm["StateReasonData"])
    assert reason_data["threshold"] == 1.0 and reason_data["period"] == 300

    (envelope,) = _notifications(aws, url, 1)
    assert envelope["Type"] == "Notification" and envelope["TopicArn"] == topic
    assert envelope["Subject"] == f'ALARM: "{name}" in US East (N. Virginia)'
    message = json.loads(envelope["Message"])
    assert message["AlarmName"] == name and message["AlarmDescription"] == "no running task"
    assert message["NewStateValue"] == "ALARM"
    assert message["OldStateValue"] == "INSUFFICIENT_DATA"
    assert message["AWSAccountId"] == ACCOUNT and message["Region"] == "US East (N. Virginia)"
    assert message["AlarmArn"] == f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"
    assert message["AlarmActions"] == [topic] and message["OKActions"] == [topic]
    assert message["Trigger"] == {
        "MetricName": "TaskCount", "Namespace": "ECS/ContainerInsights",
        "StatisticType": "Statistic", "Statistic": "AVERAGE", "Unit": None,
        "Dimensions": [{"value": cluster, "name": "ClusterName"}], "Period": 300,
        "EvaluationPeriods": 2, "ComparisonOperator": "LessThanThreshold", "Threshold": 1.0,
        "TreatMissingData": "breaching", "EvaluateLowSampleCountPercentile": "",
    }  # fmt: skip

    _put(cw, "ECS/ContainerInsights", "TaskCount", {"ClusterName": cluster}, (20, 3), (320, 3))
    alarm = _wait_state(cw, name, "OK")
    assert "was not less than the threshold (1.0)" in alarm["StateReason"] or (
        "were not less than the threshold (1.0)" in alarm["StateReason"]
    )
    (envelope,) = _notifications(aws, url, 1)
    message = json.loads(envelope["Message"])
    assert (message["NewStateValue"], message["OldStateValue"]) == ("OK", "ALARM")
    assert envelope["Subject"] == f'OK: "{name}" in US East (N. Virginia)'


def test_reason_lists_the_breaching_datapoints_as_aws_does(cw):
    name, cluster = _name("reason"), _name("cluster")
    cw.put_metric_alarm(
        AlarmName=name, Namespace="ECS/ContainerInsights", MetricName="TaskCount",
        Dimensions=[{"Name": "ClusterName", "Value": cluster}], Statistic="Average",
        Period=300, EvaluationPeriods=2, Threshold=1.0, ComparisonOperator="LessThanThreshold",
    )  # fmt: skip
    _put(cw, "ECS/ContainerInsights", "TaskCount", {"ClusterName": cluster}, (30, 0), (330, 0.5))
    reason = _wait_state(cw, name, "ALARM")["StateReason"]
    assert reason.startswith("Threshold Crossed: 2 out of the last 2 datapoints [0.0 (")
    assert "), 0.5 (" in reason
    assert reason.endswith(
        "were less than the threshold (1.0) "
        "(minimum 2 datapoints for INSUFFICIENT_DATA -> ALARM transition)."
    )
    points = json.loads(_state(cw, name)["StateReasonData"])["evaluatedDatapoints"]
    assert [(p["value"], p["sampleCount"]) for p in points] == [(0.0, 1.0), (0.5, 1.0)]


def test_breaching_alarm_without_any_data_fires_from_the_timer(cw, aws, topic_queue):
    topic, url = topic_queue
    name = _name("heartbeat")
    _task_alarm(cw, name, topic, _name("silent"))
    alarm = _wait_state(cw, name, "ALARM", timeout=15.0)
    assert alarm["StateReason"] == (
        "Threshold Crossed: no datapoints were received for 2 periods and 2 missing "
        "datapoints were treated as [Breaching]."
    )
    (envelope,) = _notifications(aws, url, 1)
    assert json.loads(envelope["Message"])["NewStateValue"] == "ALARM"
    history = cw.describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate")
    (item,) = history["AlarmHistoryItems"]
    assert item["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"
    data = json.loads(item["HistoryData"])
    assert data["oldState"]["stateValue"] == "INSUFFICIENT_DATA"
    assert data["newState"]["stateValue"] == "ALARM"


def test_data_with_other_dimensions_does_not_move_the_alarm(cw):
    name, cluster = _name("dims"), _name("cluster")
    cw.put_metric_alarm(
        AlarmName=name, Namespace="ECS/ContainerInsights", MetricName="TaskCount",
        Dimensions=[{"Name": "ClusterName", "Value": cluster}], Statistic="Average",
        Period=300, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="LessThanThreshold",
    )  # fmt: skip
    _put(cw, "ECS/ContainerInsights", "TaskCount", {"ClusterName": "another"}, (30, 0))
    extra = {"ClusterName": cluster, "ServiceName": "web"}
    _put(cw, "ECS/ContainerInsights", "TaskCount", extra, (30, 0))
    time.sleep(0.5)
    alarm = _state(cw, name)
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Unchecked: Initial alarm creation"


def test_cpu_above_80_percent_alarms_and_history_keeps_the_update(cw):
    name, instance = _name("cpu"), f"i-{uuid.uuid4().hex[:17]}"
    definition = {
        "AlarmName": name, "Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
        "Dimensions": [{"Name": "InstanceId", "Value": instance}], "Statistic": "Average",
        "Period": 300, "EvaluationPeriods": 1, "Threshold": 80.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }  # fmt: skip
    cw.put_metric_alarm(**definition)
    _put(cw, "AWS/EC2", "CPUUtilization", {"InstanceId": instance}, (60, 70), (30, 80))
    alarm = _wait_state(cw, name, "OK")  # average 75 is within the threshold
    assert "1 out of the last 1 datapoints [75.0 (" in alarm["StateReason"]
    _put(cw, "AWS/EC2", "CPUUtilization", {"InstanceId": instance}, (20, 100), (10, 100))
    alarm = _wait_state(cw, name, "ALARM")  # average 87.5
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints")
    assert "[87.5 (" in alarm["StateReason"]
    assert "was greater than the threshold (80.0)" in alarm["StateReason"]

    cw.put_metric_alarm(**{**definition, "AlarmDescription": "CPU above 80 %"})
    updated = _state(cw, name)  # AWS: an update leaves the state as it is
    assert (updated["StateValue"], updated["StateReason"]) == ("ALARM", alarm["StateReason"])
    assert updated["AlarmDescription"] == "CPU above 80 %"

    items = cw.describe_alarm_history(AlarmName=name)["AlarmHistoryItems"]
    kinds = [(i["HistoryItemType"], i["HistorySummary"]) for i in items]
    assert kinds == [
        ("ConfigurationUpdate", f'Alarm "{name}" updated'),
        ("StateUpdate", "Alarm updated from OK to ALARM"),
        ("StateUpdate", "Alarm updated from INSUFFICIENT_DATA to OK"),
        ("ConfigurationUpdate", f'Alarm "{name}" created'),
    ]
    page = cw.describe_alarm_history(AlarmName=name, MaxRecords=3, ScanBy="TimestampAscending")
    assert len(page["AlarmHistoryItems"]) == 3 and page["NextToken"]
    assert page["AlarmHistoryItems"][0]["HistorySummary"] == f'Alarm "{name}" created'
    rest = cw.describe_alarm_history(
        AlarmName=name, MaxRecords=3, ScanBy="TimestampAscending", NextToken=page["NextToken"]
    )
    assert len(rest["AlarmHistoryItems"]) == 1 and "NextToken" not in rest


def test_metric_math_error_rate_alarm(cw, aws, topic_queue):
    topic, url = topic_queue
    lb = f"app/{_name('alb')}/0123456789abcdef"

    def metric(query_id: str, metric_name: str) -> dict[str, Any]:
        stat = {"Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": metric_name,
                           "Dimensions": [{"Name": "LoadBalancer", "Value": lb}]},
                "Period": 60, "Stat": "Sum"}  # fmt: skip
        return {"Id": query_id, "MetricStat": stat, "ReturnData": False}

    name = _name("error-rate")
    cw.put_metric_alarm(
        AlarmName=name, EvaluationPeriods=1, Threshold=5.0,
        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
        AlarmActions=[topic],
        Metrics=[
            {"Id": "error_rate", "Label": "5xx %", "ReturnData": True,
             "Expression": "100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / requests"},
            metric("target_5xx", "HTTPCode_Target_5XX_Count"),
            metric("elb_5xx", "HTTPCode_ELB_5XX_Count"),
            metric("requests", "RequestCount"),
        ],
    )  # fmt: skip
    dims = [{"Name": "LoadBalancer", "Value": lb}]
    cw.put_metric_data(
        Namespace="AWS/ApplicationELB",
        MetricData=[
            {"MetricName": "RequestCount", "Value": 100, "Timestamp": _ago(20), "Dimensions": dims},
            {"MetricName": "HTTPCode_Target_5XX_Count", "Value": 1, "Timestamp": _ago(20),
             "Dimensions": dims},
        ],
    )  # fmt: skip
    _wait_state(cw, name, "OK")  # 1 % (the ELB's own 5xx are missing: FILL 0)
    time.sleep(0.3)
    assert _state(cw, name)["StateValue"] == "OK"
    _put(cw, "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": lb}, (15, 9))
    alarm = _wait_state(cw, name, "ALARM")  # (1 + 9) of 100
    assert "[10.0 (" in alarm["StateReason"]
    assert "greater than the threshold (5.0)" in alarm["StateReason"]
    (envelope,) = _notifications(aws, url, 1)
    trigger = json.loads(envelope["Message"])["Trigger"]
    assert trigger["Period"] == 60 and trigger["Threshold"] == 5.0
    assert trigger["TreatMissingData"] == "notBreaching"
    assert trigger["Metrics"][0] == {
        "Id": "error_rate", "Label": "5xx %", "ReturnData": True,
        "Expression": "100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / requests",
    }  # fmt: skip
    requests = trigger["Metrics"][3]["MetricStat"]
    assert requests["Metric"] == {
        "Dimensions": [{"value": lb, "name": "LoadBalancer"}],
        "MetricName": "RequestCount", "Namespace": "AWS/ApplicationELB",
    }  # fmt: skip
    assert (requests["Period"], requests["Stat"]) == (60, "Sum")


def test_two_of_three_datapoints_to_alarm(cw):
    name, queue = _name("m-of-n"), _name("queue")
    cw.put_metric_alarm(
        AlarmName=name, Namespace="Custom/Jobs", MetricName="Backlog",
        Dimensions=[{"Name": "Queue", "Value": queue}], Statistic="Maximum", Period=60,
        EvaluationPeriods=3, DatapointsToAlarm=2, Threshold=10.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching",
    )  # fmt: skip
    _put(cw, "Custom/Jobs", "Backlog", {"Queue": queue}, (150, 12))
    alarm = _wait_state(cw, name, "OK")  # 1 of 3 breaching, the missing two are within
    _put(cw, "Custom/Jobs", "Backlog", {"Queue": queue}, (30, 10))
    alarm = _wait_state(cw, name, "ALARM")  # 2 of 3 (>= 10), the middle one still missing
    assert alarm["StateReason"].startswith("Threshold Crossed: 2 out of the last 3 datapoints")
    assert "(minimum 2 datapoints for OK -> ALARM transition)." in alarm["StateReason"]


def test_set_alarm_state_runs_actions_and_disabled_actions_run_none(cw, aws, topic_queue):
    topic, url = topic_queue
    name, quiet = _name("manual"), _name("quiet")
    for alarm_name, enabled in ((name, True), (quiet, False)):
        cw.put_metric_alarm(
            AlarmName=alarm_name, Namespace="Custom/Manual", MetricName="Signal",
            Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0,
            ComparisonOperator="GreaterThanThreshold", ActionsEnabled=enabled,
            AlarmActions=[topic], TreatMissingData="ignore",
        )  # fmt: skip
        cw.set_alarm_state(AlarmName=alarm_name, StateValue="ALARM", StateReason="drill")
    (envelope,) = _notifications(aws, url, 1)
    message = json.loads(envelope["Message"])
    assert (message["AlarmName"], message["NewStateReason"]) == (name, "drill")
    assert (message["NewStateValue"], message["OldStateValue"]) == ("ALARM", "INSUFFICIENT_DATA")
    history = cw.describe_alarm_history(AlarmName=quiet, HistoryItemType="StateUpdate")
    assert [i["HistorySummary"] for i in history["AlarmHistoryItems"]] == [
        "Alarm updated from INSUFFICIENT_DATA to ALARM"
    ]
    assert (
        cw.describe_alarm_history(AlarmName=quiet, HistoryItemType="Action")["AlarmHistoryItems"]
        == []
    )
    actions = cw.describe_alarm_history(AlarmName=name, HistoryItemType="Action")
    assert [i["HistorySummary"] for i in actions["AlarmHistoryItems"]] == [
        f"Successfully executed action {topic}"
    ]


def test_set_alarm_state_errors_as_aws(cw):
    with pytest.raises(cw.exceptions.ResourceNotFound):
        cw.set_alarm_state(AlarmName=_name("absent"), StateValue="ALARM", StateReason="x")
    name = _name("invalid")
    cw.put_metric_alarm(
        AlarmName=name, Namespace="Custom/Manual", MetricName="Signal", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    with pytest.raises(cw.exceptions.InvalidFormatFault):
        cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="x",
                           StateReasonData="not json")  # fmt: skip
    with pytest.raises(cw.exceptions.InvalidNextToken):
        cw.describe_alarm_history(AlarmName=name, NextToken="garbage")
