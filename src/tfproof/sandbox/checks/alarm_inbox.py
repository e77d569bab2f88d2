"""Where the alarm checks read notifications, and the probe copies they drive on real accounts.

`Inbox` subscribes one run-tagged SQS queue to each alarm topic (the same `_probe_queue`
the other alarm checks use) and keeps every CloudWatch notification that arrives, so that
alarms sharing a topic are told apart by the message (AlarmName, NewStateValue,
StateChangeTime), never by arrival order.

`probe_copy`: AWS reserves the `AWS/` namespaces for its services (PutMetricData's
Namespace: "you should not specify a namespace that begins with AWS/"; a real account
rejects it), so on a real account an alarm on such a metric is driven through a
run-tagged copy: the same rule, dimensions and actions, on the namespace
`Tfproof/Probe/<run>/AWS/...`. Its notifications go through the same topics, KMS key
and policies as the alarm's; the dimensions are still checked against the applied resources.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from tfproof.sandbox.checks.alarms import _probe_queue
from tfproof.sandbox.checks.base import LiveContext

_COPIED = (
    "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
    "MetricName", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
    "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator",
    "TreatMissingData", "EvaluateLowSampleCountPercentile", "ThresholdMetricId",
)  # fmt: skip
SKEW = timedelta(seconds=5)  # a notification this much older than the phase's start still counts


def sns_topics(arns: list[str]) -> list[str]:
    """The SNS topics among an alarm's actions."""
    return [a for a in arns if a.count(":") >= 5 and a.split(":")[2] == "sns"]


def topic_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def _when(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    except (TypeError, ValueError):
        return None


class Inbox:
    """Probe queues on the alarm topics and the notifications they received."""

    def __init__(self, ctx: LiveContext) -> None:
        self.ctx = ctx
        self.queues: dict[str, tuple[str, str]] = {}  # topic -> (queue url, subscription)
        self.received: list[tuple[str, dict[str, Any]]] = []  # (topic, CloudWatch message)
        self.errors: dict[str, str] = {}

    def subscribe(self, topics: list[str]) -> None:
        for topic in topics:
            if topic in self.queues or topic in self.errors:
                continue
            try:
                url, _arn, sub = _probe_queue(self.ctx, topic)
            except Exception as error:  # a topic that does not exist, a denied subscribe
                self.errors[topic] = f"cannot subscribe a probe queue: {error}"
            else:
                self.queues[topic] = (url, sub)

    def poll(self) -> None:
        """Move every message waiting on the probe queues into `received`."""
        sqs = self.ctx.client("sqs")
        for topic, (url, _sub) in self.queues.items():
            while True:
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                               WaitTimeSeconds=0).get("Messages", [])  # fmt: skip
                for msg in messages:
                    try:
                        body = json.loads(msg["Body"])
                        message = json.loads(body.get("Message", "{}"))
                    except (ValueError, AttributeError):
                        message = {}
                    if isinstance(message, dict):
                        self.received.append((topic, message))
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
                if not messages:
                    break

    def found(self, topic: str, alarm: str, change: tuple[str, str],
              since: datetime) -> dict[str, Any] | None:  # fmt: skip
        """The notification of `alarm` changing from `change[0]` to `change[1]` at or after
        `since` (give or take the clocks' skew), on `topic`."""
        for seen_on, message in self.received:
            when = _when(message.get("StateChangeTime", ""))
            if (seen_on == topic and message.get("AlarmName") == alarm
                    and (message.get("OldStateValue"), message.get("NewStateValue")) == change
                    and when is not None and when >= since - SKEW):  # fmt: skip
                return message
        return None

    def close(self) -> None:
        sns, sqs = self.ctx.client("sns"), self.ctx.client("sqs")
        for url, sub in self.queues.values():
            try:
                sns.unsubscribe(SubscriptionArn=sub)
            finally:
                sqs.delete_queue(QueueUrl=url)
        self.queues.clear()


def probe_prefix(ctx: LiveContext, alarm: dict[str, Any]) -> str:
    """A probe namespace prefix when the alarm's metrics are AWS's own and the sandbox is a
    real account (see the module docstring); "" to drive the alarm itself."""
    namespaces = [alarm.get("Namespace") or ""] + [
        q["MetricStat"]["Metric"]["Namespace"] for q in alarm.get("Metrics") or []
        if "MetricStat" in q]  # fmt: skip
    reserved = any(n.startswith("AWS/") for n in namespaces)
    return f"Tfproof/Probe/{ctx.run_id}/" if reserved and ctx.sandbox.kind != "embedded" else ""


def probe_copy(ctx: LiveContext, alarm: dict[str, Any], prefix: str) -> str:
    """Create the run-tagged copy of `alarm` on the probe namespace; its name."""
    name = f"tfproof-probe-{ctx.run_id}-{alarm['AlarmName']}"[:255]
    args = {k: alarm[k] for k in _COPIED if alarm.get(k) not in (None, "", [])}
    if alarm.get("Namespace"):
        args["Namespace"] = prefix + alarm["Namespace"]
    if alarm.get("Metrics"):
        args["Metrics"] = []
        for query in alarm["Metrics"]:
            query = {k: v for k, v in query.items() if k != "AccountId"}
            if "MetricStat" in query:
                stat = query["MetricStat"]
                metric = {**stat["Metric"], "Namespace": prefix + stat["Metric"]["Namespace"]}
                query["MetricStat"] = {**stat, "Metric": metric}
            args["Metrics"].append(query)
    ctx.client("cloudwatch").put_metric_alarm(AlarmName=name, Tags=ctx.run_tags(), **args)
    return name
