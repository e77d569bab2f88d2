"""The live layer's checks (tfproof.sandbox LiveCheck) and live-check files become evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tfproof.errors import TfproofError
from tfproof.evidence.live import read_live_checks, sandbox_account
from tfproof.evidence.model import LayerInputs
from tfproof.evidence.rollup import rollup
from tfproof.sandbox.kinds import EMBEDDED_ACCOUNT_ID
from tfproof.sandbox.livecheck import LiveCheck


def test_sandbox_records_convert_and_roll_up(controls):
    records = [
        LiveCheck("alarm notifies a subscribed topic", "ALARMS", "failed",
                  "topic has no subscriber", "module.monitoring.aws_sns_topic.x"),
        LiveCheck("nothing left after teardown", "", "passed", "destroyed 190"),
        LiveCheck("budget", "COST", "skipped", "moto lacks budgets"),
    ]
    checks = [LiveCheck.from_json(r.to_json()) for r in records]  # the file between processes
    assert checks == records
    assert [c.control for c in checks] == ["ALARMS", "", "COST"]
    result = rollup(list(controls), LayerInputs(live_checks=checks))
    verdicts = {c["id"]: c for c in result["controls"]}
    assert verdicts["ALARMS"]["status"] == "failed"
    assert verdicts["COST"]["status"] == "not_checked"
    assert "moto lacks budgets" in verdicts["COST"]["reason"]
    assert [c["name"] for c in result["unattributed"]["live_checks"]] == [
        "nothing left after teardown"
    ]
    assert result["summary"]["failing_unattributed"] == []


def test_live_check_file_in_both_shapes(tmp_path: Path):
    path = tmp_path / "live.json"
    assert read_live_checks(path) == ([], {})
    path.write_text(json.dumps([{"name": "a", "control": "TAGS", "status": "weird"}]))
    checks, sandbox = read_live_checks(path)
    assert checks[0].status == "failed" and sandbox == {}  # an unknown status never passes
    path.write_text(json.dumps({"sandbox": {"account_id": "1"}, "checks": []}))
    assert read_live_checks(path) == ([], {"account_id": "1"})


def test_sandbox_account(monkeypatch):
    assert sandbox_account("embedded") == EMBEDDED_ACCOUNT_ID
    monkeypatch.delenv("TFPROOF_SANDBOX_ACCOUNT_ID", raising=False)
    assert sandbox_account("aws") is None
    monkeypatch.setenv("TFPROOF_SANDBOX_ACCOUNT_ID", "210987654321")
    assert sandbox_account("aws") == "210987654321"


def test_a_live_check_entry_that_is_not_an_object_is_refused(tmp_path: Path):
    path = tmp_path / "live.json"
    path.write_text(json.dumps({"checks": [{"name": "a", "status": "passed"}, "passed"]}))
    with pytest.raises(TfproofError, match="not an object"):
        read_live_checks(path)
