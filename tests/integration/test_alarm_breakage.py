"""The live alarm checks catch a broken health alarm, each way, by its behaviour.

One real apply (fixtures/broken_alarms) on the embedded moto server holds the monitoring
module's cluster health alarm as written and three broken copies: the wrong direction
(GreaterThanThreshold), a dimension naming a cluster that is not the applied one, and no
actions. `drive_alarms` drives all four with data and reads the probe queue: the correct
alarm passes every step, each broken one fails with its cause in the detail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tfproof.sandbox.checks.alarm_drive import drive_alarms
from tfproof.sandbox.kinds import EmbeddedSandbox
from tfproof.sandbox.live import LiveRun
from tfproof.sandbox.livecheck import FAILED, PASSED, LiveCheck
from tfproof.sandbox.runner import SandboxRun

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("alarm-breakage")]

ROOT = Path(__file__).parent / "fixtures" / "broken_alarms"
STEP_SECONDS = 8.0  # the embedded server evaluates on PutMetricData: a correct alarm needs ~1 s
WATCH, SETTLE, FIRE, RECOVER = (
    "alarm watches applied resources",
    "alarm settles in OK on healthy data",
    "alarm fires and notifies on unhealthy data",
    "alarm recovers and notifies on healthy data",
)


@pytest.fixture(scope="module")
def checks() -> Iterator[dict[str, dict[str, LiveCheck]]]:
    """Every alarm's checks by alarm key and check name, from one apply (torn down after)."""
    started = time.monotonic()
    live = LiveRun(EmbeddedSandbox(), ROOT)
    with live:
        assert live.context is not None
        alarms = live.context.resources("aws_cloudwatch_metric_alarm")
        assert len(alarms) == 4, [a.address for a in alarms]
        results = drive_alarms(live.context, alarms, timeout=STEP_SECONDS)
        queues = live.context.client("sqs").list_queues().get("QueueUrls", [])
    by_alarm: dict[str, dict[str, LiveCheck]] = {}
    for check in results:
        key = check.resource.split('["')[1].rstrip('"]')
        assert check.name not in by_alarm.setdefault(key, {}), check
        by_alarm[key][check.name] = check
    assert live.teardown_report is not None
    SandboxRun.check_clean(live.teardown_report)
    assert not [q for q in queues if "tfproof-probe" in q], "probe queues left behind"
    yield by_alarm
    assert time.monotonic() - started < 90


def _explain(checks: dict[str, LiveCheck]) -> str:
    return "\n".join(f"{c.status}: {c.name}: {c.detail}" for c in checks.values())


def test_the_correct_alarm_passes_every_step(checks):
    correct = checks["correct"]
    assert [c.status for c in correct.values()] == [PASSED] * 4, _explain(correct)
    assert "ClusterName=tfp-brk-cluster: each names an applied resource" in correct[WATCH].detail
    assert "put TaskCount=4 for ClusterName=tfp-brk-cluster" in correct[SETTLE].detail
    fire = correct[FIRE].detail
    assert "reached ALARM after" in fire and "(was OK)" in fire and "put TaskCount=0" in fire
    assert "OK -> ALARM notification from tfp-brk-alerts" in fire
    assert "ALARM -> OK notification from tfp-brk-alerts" in correct[RECOVER].detail


def test_the_wrong_direction_fails_on_healthy_data(checks):
    wrong = checks["wrong_direction"]
    assert wrong[SETTLE].status == FAILED, _explain(wrong)
    detail = wrong[SETTLE].detail
    assert detail.startswith("did not reach OK") and "put TaskCount=4" in detail
    assert (
        "cause: the alarm fires when TaskCount rises above 2 (GreaterThanThreshold), "
        "but fewer is the unhealthy side of TaskCount" in detail
    )
    # nothing after a failed step is claimed
    assert wrong[FIRE].status == wrong[RECOVER].status == FAILED
    assert wrong[FIRE].detail.startswith("not attempted")


def test_the_wrong_dimension_fails_and_says_which(checks):
    wrong = checks["wrong_dimension"]
    assert wrong[WATCH].status == FAILED, _explain(wrong)
    assert wrong[WATCH].detail == (
        "its dimension ClusterName=tfp-brk-no-such-cluster names no applied aws_ecs_cluster "
        "(applied: tfp-brk-cluster)"
    )
    # the cluster's healthy data never reaches it: missing data keeps it breaching
    settle = wrong[SETTLE]
    assert (
        settle.status == FAILED
        and "put TaskCount=4 for ClusterName=tfp-brk-cluster" in settle.detail
    )
    assert "cause: its dimension ClusterName=tfp-brk-no-such-cluster" in settle.detail


def test_no_action_fails_to_notify(checks):
    silent = checks["no_action"]
    assert silent[WATCH].status == silent[SETTLE].status == PASSED, _explain(silent)
    assert silent[FIRE].status == FAILED
    assert "reached ALARM" in silent[FIRE].detail
    assert "no SNS alarm action: nobody is notified" in silent[FIRE].detail
    assert silent[RECOVER].status == FAILED
    assert "no SNS OK action: nobody is notified" in silent[RECOVER].detail
