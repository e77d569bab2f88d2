"""CloudWatch metric alarms that evaluate themselves and run their actions, as on AWS.

moto 5.2.5 stores alarms and metric data but never evaluates an alarm, never runs an
action and has no DescribeAlarmHistory. This extension follows AWS's "Using Amazon
CloudWatch alarms" and "Configuring how CloudWatch alarms treat missing data":

- a new alarm starts in INSUFFICIENT_DATA ("Unchecked: Initial alarm creation"); updating an
  alarm (PutMetricAlarm on an existing name) keeps its state;
- an alarm is evaluated when data for its metric (namespace, name, exact dimension set) is
  put, and every `TIMER_SECONDS` by a daemon thread (so missing data counts as time passes);
- the datapoints are the statistic per Period over the most recent EvaluationPeriods periods
  ending at the server's clock (`cloudwatch_math`); ALARM when DatapointsToAlarm (M, default
  N) of them breach; TreatMissingData: `breaching`/`notBreaching` fill missing periods,
  `missing`/`ignore` judge the present ones (no data at all: INSUFFICIENT_DATA resp. keep the
  state), with AWS's rule that an alarm goes to ALARM when its oldest breaching datapoint is
  at least M periods old and nothing more recent is within the threshold;
- a state change sets StateReason (AWS's "Threshold Crossed: ..." text), StateReasonData,
  adds a StateUpdate history item and, when ActionsEnabled, runs the new state's actions:
  an SNS topic gets CloudWatch's JSON notification through moto's SNS (so SQS subscribers
  receive it). SetAlarmState does the same, as on AWS.

The parts: `cloudwatch_datapoints` (the datapoints per period), `cloudwatch_math` (metric-math
expressions), `cloudwatch_eval` (the state and its reason), `cloudwatch_notify` (history,
SNS notification, DescribeAlarmHistory); this module patches them onto moto's backend and
runs the timer.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from tfproof.sandbox.moto_ext import Extension
from tfproof.sandbox.moto_ext import cloudwatch_notify as notify
from tfproof.sandbox.moto_ext.cloudwatch_datapoints import (
    alarm_period,
    math_points,
    metric_points,
    period_starts,
)
from tfproof.sandbox.moto_ext.cloudwatch_eval import decide
from tfproof.sandbox.moto_ext.cloudwatch_notify import Delivery

TIMER_SECONDS = 10.0
LOG = logging.getLogger(__name__)
_MARK = "_tfproof_alarm_evaluation"
_KEPT_ON_UPDATE = ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp")
MetricKey = tuple[str, str, frozenset[tuple[str, str]]]


def evaluate_alarm(self: Any, alarm: Any, data: list[Any], now: datetime) -> Delivery | None:
    """CloudWatchBackend.evaluate_alarm: one metric alarm over its latest periods; on a change
    of state, update and record it, and return the actions to run (composite alarms are not
    evaluated)."""
    if alarm.rule is not None:
        return None
    period, n = alarm_period(alarm), int(alarm.evaluation_periods or 1)
    starts = period_starts(now, period, n)
    counts = None
    if alarm.metric_data_queries:
        try:
            values = math_points(alarm.metric_data_queries, data, starts, period)
        except ValueError as error:  # unsupported expression: every period is missing
            LOG.warning("alarm %s: %s", alarm.name, error)
            values = [None] * n
    else:
        stat = alarm.extended_statistic or alarm.statistic
        name, dims = alarm.metric_name, alarm.dimensions
        points = metric_points(data, alarm.namespace, name, dims, stat, alarm.unit, starts, period)
        values, counts = [v for v, _ in points], [c for _, c in points]
    decision = decide(alarm, starts, values, now, counts)
    if decision is None or decision[0] == alarm.state_value:
        return None
    state, reason, reason_data = decision
    old, old_reason = alarm.state_value, alarm.state_reason
    alarm.update_state(reason, json.dumps(reason_data), state)
    return notify.changed(self, alarm, old, old_reason)


class _Pair(NamedTuple):
    name: str
    value: str


def _key(namespace: str, name: str, dimensions: Iterable[Any]) -> MetricKey:
    return namespace, name, frozenset((d.name, d.value) for d in dimensions)


def _watched(alarm: Any) -> set[MetricKey]:
    """The metrics an alarm reads: its own, or those of its metric-math queries."""
    keys = {_key(alarm.namespace, alarm.metric_name, alarm.dimensions)}
    for q in alarm.metric_data_queries:
        if q.metric_stat:
            metric = q.metric_stat.metric
            keys.add(_key(metric.namespace, metric.metric_name, metric.dimensions))
    return keys


def evaluate_alarms(self: Any, metrics: set[MetricKey] | None = None) -> None:
    """CloudWatchBackend.evaluate_alarms: every metric alarm, or those reading one of the
    metrics just put (namespace, name and exact dimensions), at the server's current time."""
    from moto.core.utils import utcnow

    with notify.LOCK:
        alarms = list(self.alarms.values())
        if metrics is not None:
            alarms = [a for a in alarms if _watched(a) & metrics]
        data, now = (self.get_all_metrics(), utcnow()) if alarms else ([], None)
        deliveries = [self.evaluate_alarm(alarm, data, now) for alarm in alarms]
    for delivery in deliveries:
        if delivery is not None:
            notify.deliver(self, delivery)


def _put_metric_alarm(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def put_metric_alarm(self: Any, *args: Any, **kwargs: Any) -> Any:
        """A new alarm starts INSUFFICIENT_DATA; AWS: an update leaves its state unchanged."""
        name = kwargs.get("name", args[0] if args else None)
        with notify.LOCK:
            old = self.alarms.get(name)
            alarm = original(self, *args, **kwargs)
            if old is not None:
                for attr in _KEPT_ON_UPDATE:
                    setattr(alarm, attr, getattr(old, attr))
            else:
                alarm.state_value = "INSUFFICIENT_DATA"
            verb, kind = ("updated", "Update") if old is not None else ("created", "Create")
            data = {"version": "1.0", "type": kind, "alarmArn": alarm.alarm_arn}
            summary = f'Alarm "{alarm.name}" {verb}'
            notify.record(self, alarm, "ConfigurationUpdate", summary, data)
        return alarm

    return put_metric_alarm


def _patch_backend(backend_cls: type) -> None:
    put_data, set_state = backend_cls.put_metric_data, backend_cls.set_alarm_state
    delete = backend_cls.delete_alarms

    @functools.wraps(put_data)
    def put_metric_data(self: Any, namespace: str, metric_data: list[dict[str, Any]]) -> None:
        put_data(self, namespace, metric_data)
        dims = [
            [_Pair(d["Name"], d["Value"]) for d in m.get("Dimensions", [])] for m in metric_data
        ]
        touched = {
            _key(namespace, m["MetricName"], d) for m, d in zip(metric_data, dims, strict=True)
        }
        try:
            self.evaluate_alarms(touched)
        except Exception:  # the data is stored; the timer retries the evaluation
            LOG.exception("evaluating alarms after PutMetricData failed")

    @functools.wraps(set_state)
    def set_alarm_state(
        self: Any, alarm_name: str, reason: str, reason_data: str, state_value: str
    ) -> None:
        with notify.LOCK:
            alarm = self.alarms.get(alarm_name)
            old, old_reason = (alarm.state_value, alarm.state_reason) if alarm else (None, None)
            set_state(self, alarm_name, reason, reason_data, state_value)
            # AWS runs the actions only when the state differs
            changed = old != state_value
            delivery = (
                notify.changed(self, self.alarms[alarm_name], str(old), old_reason)
                if changed
                else None
            )
        if delivery is not None:
            notify.deliver(self, delivery)

    @functools.wraps(delete)
    def delete_alarms(self: Any, alarm_names: list[str]) -> None:
        with notify.LOCK:
            delete(self, alarm_names)

    backend_cls.put_metric_data = put_metric_data
    backend_cls.put_metric_alarm = _put_metric_alarm(backend_cls.put_metric_alarm)
    backend_cls.set_alarm_state = set_alarm_state
    backend_cls.delete_alarms = delete_alarms
    backend_cls.evaluate_alarm = evaluate_alarm
    backend_cls.evaluate_alarms = evaluate_alarms


def _tick() -> None:
    """One timer round: every CloudWatch backend with alarms, in every account and region."""
    from moto.cloudwatch.models import cloudwatch_backends

    for account in list(cloudwatch_backends.values()):
        for backend in list(account.values()):
            if backend.alarms:
                backend.evaluate_alarms()


def _run_timer(stop: threading.Event) -> None:
    while not stop.wait(TIMER_SECONDS):
        try:
            _tick()
        except Exception:  # a bad round must not end the timer; the next one retries
            LOG.exception("periodic alarm evaluation failed")


def install() -> bool:
    """Patch moto's CloudWatch backend and responses, start the timer; False if moto evaluates
    alarms itself (any backend or Alarm method whose name speaks of evaluation)."""
    from moto.cloudwatch import models, responses

    backend_cls = models.CloudWatchBackend
    if getattr(backend_cls, _MARK, False):
        return True
    names = [n for n in dir(backend_cls) + dir(models.Alarm) if not n.startswith("__")]
    if any("evaluat" in n.lower() for n in names):
        return False
    _patch_backend(backend_cls)
    if not hasattr(backend_cls, "describe_alarm_history"):
        backend_cls.describe_alarm_history = notify.describe_alarm_history
        responses.CloudWatchResponse.describe_alarm_history = notify.describe_alarm_history_response
    setattr(backend_cls, _MARK, True)
    threading.Thread(
        target=_run_timer, args=(threading.Event(),), name="tfproof-alarm-timer", daemon=True
    ).start()
    return True


EXTENSION = Extension(
    name="cloudwatch",
    service="cloudwatch",
    behaviour=(
        "Metric alarms evaluate themselves as AWS documents ('Using Amazon CloudWatch alarms', "
        "'Configuring how CloudWatch alarms treat missing data'): on PutMetricData and every "
        f"{TIMER_SECONDS:g} s, the statistic (Average, Sum, Minimum, Maximum, SampleCount, pNN) "
        "per Period over the last EvaluationPeriods periods of the metric with the exact "
        "dimensions, or a metric-math expression (ids, numbers, + - * /, parentheses, FILL); "
        "DatapointsToAlarm M of N; the four threshold comparisons; TreatMissingData missing, "
        "ignore, breaching, notBreaching. New alarms start INSUFFICIENT_DATA. A state change "
        "(or SetAlarmState) sets StateReason/StateReasonData, is kept in DescribeAlarmHistory "
        "and, when ActionsEnabled, publishes CloudWatch's JSON notification to the new state's "
        "SNS topic actions (SQS subscribers receive it)."
    ),
    limits=(
        "Periods end at the server's clock (AWS aligns them and evaluates a longer evaluation "
        "range); EC2, Auto Scaling, Systems Manager and Lambda actions are not run; composite "
        "alarms, anomaly-detection thresholds, EvaluateLowSampleCountPercentile and metric-math "
        "functions other than FILL are not evaluated (such an alarm's data counts as missing); "
        "an SNS topic's KMS key policy is not checked."
    ),
    install=install,
)
