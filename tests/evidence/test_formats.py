"""The auditor-facing formats: OSCAL (validated by the real OSCAL model), CSV, compare."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from pathlib import Path

import pytest
from trestle.oscal.assessment_results import AssessmentResults

from tfproof.errors import InputError
from tfproof.evidence import csvout, oscal
from tfproof.evidence.bundle import BundleWriter
from tfproof.evidence.compare import compare, describe, load_previous
from tfproof.evidence.manifest import ManifestData
from tfproof.findings import Finding
from tfproof.secrets.scrub import SecretGuard

pytestmark = pytest.mark.plan


def test_oscal_document_is_valid_oscal_assessment_results(make_evidence):
    evidence = make_evidence()
    doc = oscal.assessment_results(evidence)
    model = AssessmentResults.model_validate(doc["assessment-results"])  # NIST's model (trestle)
    ar = doc["assessment-results"]
    assert set(ar) >= {"uuid", "metadata", "import-ap", "results"}
    assert set(ar["metadata"]) >= {"title", "last-modified", "version", "oscal-version"}
    assert re.fullmatch(r"1\.1\.\d+", ar["metadata"]["oscal-version"])
    uuid.UUID(ar["uuid"])
    result = ar["results"][0]
    assert set(result) >= {"uuid", "title", "description", "start", "end", "reviewed-controls",
                           "findings", "observations"}
    selected = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert [c["control-id"] for c in selected] == [c["id"] for c in evidence["controls"]]
    states = {f["target"]["target-id"]: f["target"].get("status", {}).get("state")
              for f in result["findings"]}
    verdicts = {c["id"]: c["status"] for c in evidence["controls"]}
    for cid, verdict in verdicts.items():
        expected = {"failed": "not-satisfied", "passed": "satisfied", "waived": "satisfied",
                    "not_checked": None}[verdict]
        assert states[cid] == expected, cid
    observed = {o["uuid"] for o in result["observations"]}
    for finding in result["findings"]:
        for related in finding.get("related-observations", []):
            assert related["observation-uuid"] in observed
    assert len(model.results[0].findings or []) == len(evidence["controls"])
    # deterministic for one run id
    assert oscal.assessment_results(evidence) == doc


def test_controls_csv_one_row_per_control_and_resource(make_evidence):
    evidence = make_evidence()
    rows = list(csv.DictReader(io.StringIO(csvout.to_csv(evidence))))
    assert tuple(rows[0]) == csvout.COLUMNS
    assert {r["control"] for r in rows} == {c["id"] for c in evidence["controls"]}
    pairs = [(r["control"], r["env"], r["resource"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    enc_db = next(r for r in rows if r["control"] == "ENC-REST"
                  and r["resource"].startswith("aws_db_instance."))
    assert enc_db["resource_status"] == "failed"
    assert enc_db["failed_checks"] == "CKV_AWS_16"
    assert enc_db["max_severity"] == "high"
    assert enc_db["nist_800_53"].split(";")[0] == "SC-28"
    enc_bucket = next(r for r in rows if r["control"] == "ENC-REST"
                      and r["resource"].startswith("aws_s3_bucket."))
    assert (enc_bucket["passed_checks"], enc_bucket["advisory_checks"]) == (
        "CKV_AWS_19", "CKV_AWS_145")
    tags = next(r for r in rows if r["control"] == "TAGS")
    assert (tags["resource_status"], tags["waiver_owner"]) == ("waived", "ana@example.org")
    live = next(r for r in rows if r["control"] == "ALARMS")
    assert live["env"] == "sandbox (live)" and live["live_checks"].endswith("=passed")
    cost = next(r for r in rows if r["control"] == "COST")
    assert cost["resource"] == "" and cost["control_status"] == "not_checked"


def test_csv_neutralises_spreadsheet_formulas(make_evidence):
    evil = Finding("TAGS", "X", "tfproof", "aws_s3_bucket.documents", "failed", "low",
                   "=HYPERLINK(\"http://evil\")")
    rows = list(csv.DictReader(io.StringIO(csvout.to_csv(make_evidence(extra_findings=[evil])))))
    tags = next(r for r in rows if r["control"] == "TAGS" and r["resource"].endswith("documents"))
    assert tags["messages"].startswith("'=")


def _sealed(out: Path, evidence: dict) -> Path:
    writer = BundleWriter(out, evidence["run"]["id"], SecretGuard([]))
    writer.write_json("evidence.json", evidence)
    return writer.finish(ManifestData(
        run_id=evidence["run"]["id"], started=evidence["run"]["started"],
        finished=evidence["run"]["finished"], git=evidence["run"]["git"],
        versions=evidence["run"]["versions"], sandbox=evidence["run"]["sandbox"],
        envs=["sandbox"], layers_run=[], command=[], inputs={},
    ))


def test_compare_names_regressions_recoveries_and_waivers(make_evidence, scratch_dir: Path):
    before = make_evidence(enc_rest="passed", waiver_expires="2999-01-01",
                           run_id="20250101T000000Z-aaaaaaa")
    previous = load_previous(_sealed(scratch_dir, before))
    after = make_evidence(enc_rest="failed", waiver_expires="2020-01-01",
                          run_id="20250102T000000Z-bbbbbbb")
    delta = compare(previous, after)
    assert delta["previous"]["run_id"] == "20250101T000000Z-aaaaaaa"
    assert delta["controls"]["regressed"] == [
        {"id": "ENC-REST", "before": "passed", "after": "failed"}
    ]
    assert delta["findings"]["new_failures"] == [
        next(f["key"] for c in after["controls"] for f in c["findings"]
             if f["check"] == "CKV_AWS_16")
    ]
    assert [w["owner"] for w in delta["waivers"]["expired"]] == ["ana@example.org"]
    back = compare(after, before)
    assert back["controls"]["recovered"] == [
        {"id": "ENC-REST", "before": "failed", "after": "passed"}
    ]
    assert back["findings"]["fixed"] == delta["findings"]["new_failures"]
    assert any("regressed: ENC-REST (passed -> failed)" in line for line in describe(delta))


def test_compare_new_waiver_and_lost_coverage(make_evidence):
    base = make_evidence()
    current = json.loads(json.dumps(base))
    current["waivers"].append({"check": "CKV_AWS_19", "resource": "*", "owner": "bo",
                               "expires": "2999-01-01", "status": "active", "matched": 0})
    backup = next(c for c in current["controls"] if c["id"] == "BACKUP")
    backup["status"] = "not_checked"
    delta = compare(base, current)
    assert [w["owner"] for w in delta["waivers"]["new"]] == ["bo"]
    assert delta["controls"]["lost_coverage"] == [
        {"id": "BACKUP", "before": "passed", "after": "not_checked"}
    ]


def test_compare_refuses_a_tampered_previous_bundle(make_evidence, scratch_dir: Path):
    bundle = _sealed(scratch_dir, make_evidence())
    path = bundle / "evidence.json"
    path.write_text(path.read_text().replace('"failed"', '"passed"', 1))
    with pytest.raises(InputError, match="modified after it was written"):
        load_previous(bundle)
    with pytest.raises(InputError, match=r"no evidence\.json"):
        load_previous(scratch_dir)
