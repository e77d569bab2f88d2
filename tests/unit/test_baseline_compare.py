"""A report against a baseline: new failures gate, known ones stay failed and visible, fixed
entries say what they are now; keys match after scrubbing, never by line or message."""

from __future__ import annotations

import json

import pytest

from tfproof.baseline import compare, document
from tfproof.findings import Finding, ScanReport
from tfproof.secrets.scrub import forget_all, remember
from tfproof.secrets.text import REDACTED


def finding(resource: str, status: str = "failed", check: str = "TFP_ENC_REST_S3",
            **extra) -> Finding:
    return Finding(control="ENC-REST", check=check, source="tfproof", resource=resource,
                   status=status, severity="high", message=f"{resource} is wrong", **extra)


def baseline_of(*findings: Finding) -> document.Baseline:
    return document.from_findings(findings, "base.json")


def test_new_known_and_fixed():
    before = baseline_of(finding("a"), finding("b"), finding("c"), finding("d"), finding("e"))
    report = ScanReport(target="t", findings=[
        finding("a", line=7, file="main.tf"),  # known: moved and re-worded changes nothing
        finding("b", "passed"), finding("c", "waived"), finding("d", "advisory"),  # fixed
        finding("new"),
    ])
    compare.apply(report, before)
    marks = {f.resource: f.baseline for f in report.findings}
    assert marks == {"a": "known", "b": None, "c": None, "d": None, "new": "new"}
    assert [f.resource for f in report.new_failed] == ["new"]
    assert report.summary["failed"] == 2, "a known failure is still a failure"
    assert report.baseline == {
        "against": "base.json", "new": 1, "known": 1,
        "fixed": [{"control": "ENC-REST", "check": "TFP_ENC_REST_S3", "resource": r, "now": now}
                  for r, now in (("b", "passed"), ("c", "waived"), ("d", "advisory"),
                                 ("e", "absent"))],
    }


def test_only_known_failures_do_not_gate_but_stay_in_the_contract():
    report = ScanReport(target="t", findings=[finding("a")])
    compare.apply(report, baseline_of(finding("a")))
    assert report.new_failed == [] and report.failed
    doc = report.to_json()
    assert doc["findings"][0]["status"] == "failed" and doc["findings"][0]["baseline"] == "known"
    assert doc["summary"]["failed"] == 1
    assert doc["baseline"] == {"against": "base.json", "new": 0, "known": 1, "fixed": []}


def test_without_a_baseline_the_contract_is_unchanged():
    report = ScanReport(target="t", findings=[finding("a"), finding("b", "passed")])
    doc = report.to_json()
    assert "baseline" not in doc and all("baseline" not in f for f in doc["findings"])
    assert report.new_failed == report.failed


def test_a_different_check_or_control_or_root_is_new():
    report = ScanReport(target="t", findings=[
        finding("a", check="TFP_OTHER"), finding("a", root="envs/prod"),
    ])
    compare.apply(report, baseline_of(finding("a")))
    assert [f.baseline for f in report.findings] == ["new", "new"]
    assert report.baseline["fixed"][0]["now"] == "absent"


def test_root_of_a_many_root_scan_is_part_of_the_identity(tmp_path):
    failures = [finding("a", root="envs/prod"), finding("a", root="envs/dev")]
    path = tmp_path / "b.json"
    path.write_text(document.render(failures))
    assert '"root": "envs/dev"' in path.read_text()
    report = ScanReport(target="t", findings=[finding("a", root="envs/prod")])
    compare.apply(report, document.read(path))
    assert report.findings[0].baseline == "known"
    assert report.baseline["fixed"] == [{"control": "ENC-REST", "check": "TFP_ENC_REST_S3",
                                         "resource": "a", "root": "envs/dev", "now": "absent"}]


@pytest.fixture()
def secret():
    value = "for-each-key-s3cr3t"
    remember(value)
    yield value
    forget_all()


def test_a_secret_in_an_address_is_neither_written_nor_a_reason_to_fail(tmp_path, secret):
    failing = finding(f'aws_s3_bucket.b["{secret}"]')
    path = tmp_path / "b.json"
    path.write_text(document.render([failing]))
    assert secret not in path.read_text() and REDACTED in path.read_text()
    report = ScanReport(target="t", findings=[finding(f'aws_s3_bucket.b["{secret}"]')])
    compare.apply(report, document.read(path))
    assert report.findings[0].baseline == "known"
    assert secret not in json.dumps(report.baseline)


def test_two_addresses_that_scrub_alike_are_written_once(secret):
    text = document.render([finding(f'b["{secret}"]'), finding(f'b["{secret}x"]'),
                            finding(f'b["x{secret}"]')])
    rows = json.loads(text)["failures"]
    assert len(rows) == len({json.dumps(r, sort_keys=True) for r in rows}), "no duplicates"


def test_entries_of_a_root_left_out_are_neither_known_nor_fixed():
    report = ScanReport(target="infra", findings=[finding("a", "passed", root="envs/b")],
                        roots=[{"path": "envs/a", "skipped": "cannot be planned here"},
                               {"path": "envs/b", "resources": 1, "summary": {}}])
    compare.apply(report, baseline_of(finding("a", root="envs/a"), finding("a", root="envs/b")))
    assert [(e["root"], e["now"]) for e in report.baseline["fixed"]] == [("envs/b", "passed")]
    assert any("not scanned here (envs/a)" in note for note in report.notes)


def test_entries_of_a_root_this_run_did_not_touch_are_not_fixed():
    """`--changed` scans only the roots a change reaches: the others' failures still stand."""
    report = ScanReport(target="changed files", findings=[finding("a", "passed", root="envs/b")],
                        roots=[{"path": "envs/b", "resources": 1, "summary": {}}])
    compare.apply(report, baseline_of(finding("a", root="envs/c"), finding("a", root="envs/b")))
    assert [(e["root"], e["now"]) for e in report.baseline["fixed"]] == [("envs/b", "passed")]
    assert any("not scanned here (envs/c)" in note for note in report.notes)
