"""ALARMS, live: the alarms exist as planned and notify a subscribed topic.

That they also move on data and deliver their notifications is `alarm_drive`'s check.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from tfproof.sandbox.checks.base import LiveContext
from tfproof.sandbox.livecheck import LiveCheck, outcome

CONTROL = "ALARMS"
_FIELDS = (
    ("metric_name", "MetricName"),
    ("namespace", "Namespace"),
    ("comparison_operator", "ComparisonOperator"),
    ("threshold", "Threshold"),
    ("evaluation_periods", "EvaluationPeriods"),
    ("period", "Period"),
    ("statistic", "Statistic"),
)


def _describe(ctx: LiveContext, name: str) -> dict[str, Any] | None:
    alarms = ctx.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return alarms[0] if alarms else None


def _same(planned: Any, actual: Any) -> bool:
    if isinstance(actual, int | float) and planned is not None:
        return float(planned) == float(actual)
    return bool(planned == actual)


def alarms_match_plan(ctx: LiveContext) -> list[LiveCheck]:
    """Every planned alarm exists with its metric, direction, threshold, periods and statistic."""
    out = []
    for res in ctx.resources("aws_cloudwatch_metric_alarm"):
        name = res.values["alarm_name"]
        alarm = _describe(ctx, name)
        if alarm is None:
            out.append(outcome("alarm exists", CONTROL, False, f"{name} not found", res.address))
            continue
        queries = res.values.get("metric_query") or []
        # a metric-math alarm has no metric of its own: compare its queries instead
        fields = _FIELDS if not queries else _FIELDS[2:5]
        wrong = [
            f"{api}={alarm.get(api)!r} (planned {res.values.get(tf)!r})"
            for tf, api in fields
            if not _same(res.values.get(tf), alarm.get(api))
        ]
        if queries:
            planned_ids = sorted(q["id"] for q in queries)
            actual_ids = sorted(m["Id"] for m in alarm.get("Metrics", []))
            if planned_ids != actual_ids:
                wrong.append(f"metric queries {actual_ids} (planned {planned_ids})")
            what = f"metric math over {', '.join(actual_ids)}"
        else:
            what = (f"{alarm.get('MetricName')} over {alarm.get('Period')}s "
                    f"({alarm.get('Statistic')})")
        out.append(outcome(
            "alarm matches plan", CONTROL, not wrong,
            "; ".join(wrong) or f"{what} {alarm['ComparisonOperator']} {alarm['Threshold']:g} "
            f"x{alarm['EvaluationPeriods']}",
            res.address,
        ))  # fmt: skip
    if not out:
        out.append(outcome("alarm exists", CONTROL, False, "the applied env has no alarm"))
    return out


def alarm_actions(ctx: LiveContext) -> list[LiveCheck]:
    """Every alarm has actions; each names an SNS topic that exists and has a subscriber."""
    out: list[LiveCheck] = []
    sns = ctx.client("sns")
    topics: dict[str, tuple[bool, int]] = {}
    for res in ctx.resources("aws_cloudwatch_metric_alarm"):
        alarm = _describe(ctx, res.values["alarm_name"])
        actions = (alarm or {}).get("AlarmActions", [])
        if not actions:
            out.append(outcome("alarm has actions", CONTROL, False, "no alarm action", res.address))
            continue
        problems = []
        for arn in actions:
            if ":sns:" not in arn:
                continue
            if arn not in topics:
                try:
                    sns.get_topic_attributes(TopicArn=arn)
                    subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
                    topics[arn] = (True, len(subs))
                except sns.exceptions.NotFoundException:
                    topics[arn] = (False, 0)
            exists, subscribers = topics[arn]
            if not exists:
                problems.append(f"topic {arn} does not exist")
            elif not subscribers:
                problems.append(f"topic {arn} has no subscriber")
        if not any(":sns:" in a for a in actions):
            problems.append("no action is an SNS topic")
        out.append(outcome(
            "alarm notifies a subscribed topic", CONTROL, not problems,
            "; ".join(problems) or f"{len(actions)} action(s), topic(s) exist with subscribers",
            res.address,
        ))  # fmt: skip
    return out


def _probe_queue(ctx: LiveContext, topic_arn: str) -> tuple[str, str, str]:
    """A run-tagged SQS queue subscribed to the topic; returns (url, queue arn, sub arn)."""
    sqs, sns = ctx.client("sqs"), ctx.client("sns")
    name = f"tfproof-probe-{secrets.token_hex(4)}"
    url = sqs.create_queue(QueueName=name, tags={"TfproofRun": ctx.run_id})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
        }],
    }  # fmt: skip
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    sub = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn,
                        ReturnSubscriptionArn=True)["SubscriptionArn"]  # fmt: skip
    return url, arn, sub
