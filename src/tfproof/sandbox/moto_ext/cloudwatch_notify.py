"""What a CloudWatch alarm's state change leaves behind: history, and its SNS notification.

AWS ("Using Amazon CloudWatch alarms"; the DescribeAlarmHistory API reference) records every
configuration update, state update and action of an alarm in its history, which outlives
the alarm, and publishes a JSON notification (the alarm, its old and new state and reason,
and the Trigger: metric or metric-math queries and rule) to the new state's SNS topic
actions when ActionsEnabled. moto 5.2.5 has neither; this module keeps
the history on the backend, builds the notification, publishes it through moto's SNS and
serves DescribeAlarmHistory. moto and botocore are imported inside functions only.
"""

from __future__ import annotations

import functools
import json
import threading
from datetime import datetime
from typing import Any

from tfproof.sandbox.moto_ext.cloudwatch_datapoints import alarm_period, iso

# guards every backend's alarms and history: evaluation, PutMetricAlarm, SetAlarmState and
# DeleteAlarms take it; SNS deliveries run outside it (a subscriber may be slow)
LOCK = threading.RLock()
_ACTIONS = {"ALARM": "alarm_", "OK": "ok_", "INSUFFICIENT_DATA": "insufficient_data_"}
Delivery = tuple[Any, str, str, list[str]]  # alarm, message, subject, SNS topic ARNs


@functools.lru_cache(maxsize=64)
def _region_long_name(region: str) -> str:
    """AWS names the region in a notification by its long name, e.g. "US East (N. Virginia)"."""
    from botocore.loaders import create_loader

    for partition in create_loader().load_data("endpoints")["partitions"]:
        if region in partition["regions"]:
            return str(partition["regions"][region].get("description", region))
    return region


def _dims(dimensions: list[Any]) -> list[dict[str, str]]:
    return [{"value": d.value, "name": d.name} for d in dimensions]


def _query(q: Any) -> dict[str, Any]:
    """One metric-math query as the notification's Trigger.Metrics lists it."""
    item: dict[str, Any] = {"Id": q.id}
    if q.label:
        item["Label"] = q.label
    if q.expression:
        item["Expression"] = q.expression
    if q.metric_stat:
        ms = q.metric_stat
        metric = {
            "Dimensions": _dims(ms.metric.dimensions),
            "MetricName": ms.metric.metric_name,
            "Namespace": ms.metric.namespace,
        }
        item["MetricStat"] = {"Metric": metric, "Period": ms.period, "Stat": ms.stat}
        if ms.unit:
            item["MetricStat"]["Unit"] = ms.unit
    marked = q.return_data in (True, "true", "True")
    item["ReturnData"] = marked or (q.return_data is None and bool(q.expression))
    return item


def _trigger(alarm: Any) -> dict[str, Any]:
    """The notification's Trigger: the alarm's metric (or metric-math queries) and rule."""
    rule: dict[str, Any] = {"Period": alarm_period(alarm)}
    rule["EvaluationPeriods"] = alarm.evaluation_periods
    if alarm.datapoints_to_alarm:
        rule["DatapointsToAlarm"] = alarm.datapoints_to_alarm
    rule["ComparisonOperator"] = alarm.comparison_operator
    rule["Threshold"] = float(alarm.threshold)
    rule["TreatMissingData"] = alarm.treat_missing_data or ""
    rule["EvaluateLowSampleCountPercentile"] = alarm.evaluate_low_sample_count_percentile or ""
    if alarm.metric_data_queries:
        return {**rule, "Metrics": [_query(q) for q in alarm.metric_data_queries]}
    if alarm.extended_statistic:
        stat = {"StatisticType": "ExtendedStatistic", "ExtendedStatistic": alarm.extended_statistic}
    else:  # AWS writes AVERAGE, SUM, MINIMUM, MAXIMUM, SAMPLE_COUNT
        name = "SAMPLE_COUNT" if alarm.statistic == "SampleCount" else str(alarm.statistic)
        stat = {"StatisticType": "Statistic", "Statistic": name.upper()}
    metric = {"MetricName": alarm.metric_name, "Namespace": alarm.namespace, **stat}
    return {**metric, "Unit": alarm.unit, "Dimensions": _dims(alarm.dimensions), **rule}


def _history(backend: Any) -> list[dict[str, Any]]:
    """The backend's alarm history; AWS keeps it after the alarm is deleted, so not on it."""
    return backend.__dict__.setdefault("alarm_history", [])  # type: ignore[no-any-return]


def record(backend: Any, alarm: Any, kind: str, summary: str, data: dict[str, Any]) -> None:
    """Append one history item (ConfigurationUpdate, StateUpdate or Action) for the alarm."""
    from moto.core.utils import utcnow

    item = {"AlarmName": alarm.name, "AlarmType": "CompositeAlarm" if alarm.rule else "MetricAlarm"}
    item.update(Timestamp=utcnow(), HistoryItemType=kind, HistorySummary=summary)
    _history(backend).append({**item, "HistoryData": json.dumps(data)})


def _message(backend: Any, alarm: Any, old: str) -> str:
    """The JSON CloudWatch publishes to an SNS action on a state change."""
    return json.dumps({
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": backend.account_id,
        "AlarmConfigurationUpdatedTimestamp": iso(alarm.configuration_updated_timestamp),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": iso(alarm.state_updated_timestamp),
        "Region": _region_long_name(alarm.region_name),
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old,
        "OKActions": alarm.ok_actions,
        "AlarmActions": alarm.alarm_actions,
        "InsufficientDataActions": alarm.insufficient_data_actions,
        "Trigger": _trigger(alarm),
    })  # fmt: skip


def changed(backend: Any, alarm: Any, old: str, old_reason: str | None) -> Delivery | None:
    """Record the state change; the new state's SNS actions to run, if ActionsEnabled."""
    new = alarm.state_value
    new_state = {"stateValue": new, "stateReason": alarm.state_reason}
    if alarm.state_reason_data:
        new_state["stateReasonData"] = json.loads(alarm.state_reason_data)
    old_state = {"stateValue": old, "stateReason": old_reason}
    summary = f"Alarm updated from {old} to {new}"
    data = {"version": "1.0", "oldState": old_state, "newState": new_state}
    record(backend, alarm, "StateUpdate", summary, data)
    actions = (getattr(alarm, f"{_ACTIONS[new]}actions") or []) if alarm.actions_enabled else []
    # EC2, Auto Scaling, SSM and Lambda actions are not run (limits)
    topics = [arn for arn in actions if len(arn.split(":")) >= 6 and arn.split(":")[2] == "sns"]
    if not topics:
        return None
    subject = f'{new}: "{alarm.name}" in {_region_long_name(alarm.region_name)}'[:100]
    return alarm, _message(backend, alarm, old), subject, topics


def deliver(backend: Any, delivery: Delivery) -> None:
    """Publish to each SNS topic through moto's SNS (outside the lock: a subscriber may be
    slow) and record each action's outcome in the alarm history, as AWS does."""
    from moto.sns.models import sns_backends

    alarm, message, subject, topics = delivery
    for arn in topics:
        _, _, _, region, account, *_ = arn.split(":")
        result = {"actionState": "Succeeded", "notificationResource": arn}
        try:
            sns_backends[account][region].publish(message, arn=arn, subject=subject)
        except Exception as error:  # AWS records a failed action; the evaluation goes on
            result.update(actionState="Failed", error=str(error))
        else:
            result["publishedMessage"] = message
        ok = result["actionState"] == "Succeeded"
        verb = "Successfully executed" if ok else "Failed to execute"
        with LOCK:
            record(backend, alarm, "Action", f"{verb} action {arn}", result)


def describe_alarm_history(
    self: Any,
    alarm_name: str | None = None,
    alarm_types: list[str] | None = None,
    item_type: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    scan_by: str | None = None,
) -> list[dict[str, Any]]:
    """CloudWatchBackend.describe_alarm_history: the items matching AWS's filters (only metric
    alarms unless AlarmTypes says otherwise), newest first unless TimestampAscending."""
    types = alarm_types or ["MetricAlarm"]
    items = [
        i
        for i in _history(self)
        if (not alarm_name or i["AlarmName"] == alarm_name)
        and i["AlarmType"] in types
        and (not item_type or i["HistoryItemType"] == item_type)
        and (start is None or i["Timestamp"] >= start)
        and (end is None or i["Timestamp"] < end)
    ]
    return items if scan_by == "TimestampAscending" else items[::-1]


@functools.lru_cache(maxsize=1)
def _invalid_next_token() -> type[Exception]:
    from moto.cloudwatch.exceptions import CloudWatchException

    return type("InvalidNextToken", (CloudWatchException,), {"code": "InvalidNextToken"})


def describe_alarm_history_response(self: Any) -> Any:
    """CloudWatchResponse.describe_alarm_history: parse as moto does, page by MaxRecords."""
    from moto.core.responses import ActionResult

    get = self._get_param
    items = self.cloudwatch_backend.describe_alarm_history(
        get("AlarmName"), get("AlarmTypes", []), get("HistoryItemType"),
        get("StartDate"), get("EndDate"), get("ScanBy"),
    )  # fmt: skip
    token, size = get("NextToken"), int(get("MaxRecords") or 100)
    if token is not None and not str(token).isdigit():
        raise _invalid_next_token()("The service returned an invalid next token.")
    first = int(token or 0)
    more = str(first + size) if first + size < len(items) else None
    return ActionResult({"AlarmHistoryItems": items[first : first + size], "NextToken": more})
