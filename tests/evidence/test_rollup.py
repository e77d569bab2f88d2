"""The roll-up: every control gets a verdict, the layers that proved it, and its evidence."""

from __future__ import annotations

import jsonschema
import pytest

from tfproof.evidence.model import LayerInputs, TestResult
from tfproof.evidence.rollup import audit_failed, rollup
from tfproof.evidence.schema import EVIDENCE
from tfproof.sandbox.livecheck import LiveCheck

pytestmark = pytest.mark.plan


def by_id(evidence):
    return {c["id"]: c for c in evidence["controls"]}


def test_every_catalog_control_is_reported_none_vanishes(make_evidence, controls):
    evidence = make_evidence()
    jsonschema.validate(evidence, EVIDENCE)
    assert [c["id"] for c in evidence["controls"]] == [c.id for c in controls]
    assert evidence["summary"]["controls_total"] == len(controls)
    assert sum(evidence["summary"]["controls"].values()) == len(controls)


def test_statuses_layers_and_links(make_evidence):
    controls = by_id(make_evidence())
    enc = controls["ENC-REST"]
    assert enc["status"] == "failed"
    assert enc["layers"]["policy"] == {
        "status": "failed", "passed": 1, "failed": 1, "waived": 0, "skipped": 0
    }
    assert "1 failing finding" in enc["reason"]
    assert {f["check"] for f in enc["findings"]} == {"CKV_AWS_16", "CKV_AWS_19", "CKV_AWS_145"}
    assert all(f["id"].startswith("F") and f["env"] == "sandbox" for f in enc["findings"])

    tags = controls["TAGS"]  # a waived failure plus a passing plan test
    assert tags["status"] == "waived"
    assert tags["proved_by"] == ["plan"]
    assert tags["tests"][0]["nodeid"] == "tests/unit/test_tags.py::test_tags"

    alarms = controls["ALARMS"]  # a live test and a live check
    assert alarms["status"] == "passed"
    assert alarms["proved_by"] == ["live"]
    assert alarms["live_checks"][0]["resource"] == "aws_cloudwatch_metric_alarm.health"

    backup = controls["BACKUP"]
    assert (backup["status"], backup["proved_by"]) == ("passed", ["plan"])


def test_controls_nothing_could_check_say_why(make_evidence):
    controls = by_id(make_evidence())
    dr = controls["DR"]  # only a skipped live check
    assert dr["status"] == "not_checked"
    assert "lacks cross-region replication" in dr["reason"]
    assert dr["layers"]["live"]["status"] == "skipped"
    cost = controls["COST"]  # nothing at all
    assert cost["status"] == "not_checked"
    assert cost["reason"].startswith("not checked: no finding, test or live check")


def test_advisory_never_fails_a_control(make_evidence):
    controls = by_id(make_evidence(enc_rest="passed"))
    enc = controls["ENC-REST"]
    assert enc["counts"]["findings"]["advisory"] == 1
    assert enc["status"] == "passed"
    assert enc["proved_by"] == ["policy"]


def test_evidence_that_fits_no_control_is_kept_and_its_failures_fail_the_audit(make_evidence):
    evidence = make_evidence(enc_rest="passed")
    unattributed = evidence["unattributed"]
    assert [f["control"] for f in unattributed["findings"]] == ["NOT-A-CONTROL"]
    assert [t["nodeid"] for t in unattributed["tests"]] == [
        "tests/unit/test_misc.py::test_unrelated"
    ]
    # SECRETS fails too; the stray failing finding is listed on its own
    assert evidence["summary"]["failing_controls"] == ["SECRETS"]
    assert evidence["summary"]["failing_unattributed"] == [
        "sandbox|CKV_X|aws_s3_bucket.documents|NOT-A-CONTROL"
    ]
    assert audit_failed(evidence)


def test_a_failing_test_or_live_check_fails_its_control(controls):
    inputs = LayerInputs(
        tests=[TestResult("tests/unit/test_x.py::test_backup_window", "failed", "plan",
                          ["BACKUP"], message="assert None == '03:00-04:00'")],
        live_checks=[LiveCheck("alarm fires", "ALARMS", "failed", "no action", "")],
    )
    result = rollup(list(controls), inputs)
    verdicts = {c["id"]: c for c in result["controls"]}
    assert verdicts["BACKUP"]["status"] == "failed"
    assert verdicts["BACKUP"]["layers"]["plan"]["status"] == "failed"
    assert verdicts["ALARMS"]["status"] == "failed"
    assert "1 failing live check" in verdicts["ALARMS"]["reason"]
    assert result["summary"]["failing_controls"] == ["BACKUP", "ALARMS"]  # catalog order


def test_a_run_with_no_failure_passes(controls):
    inputs = LayerInputs(
        tests=[TestResult("tests/unit/test_x.py::test_tags", "passed", "plan", ["TAGS"]),
               TestResult("tests/unit/test_x.py::test_skip", "skipped", "plan", ["DR"])],
    )
    result = rollup(list(controls), inputs)
    evidence = {"summary": result["summary"]}
    assert not audit_failed(evidence)
    assert result["summary"]["controls"]["passed"] == 1
