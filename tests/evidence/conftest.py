"""Fixtures of the evidence tests: the real catalog, a real plan, findings on its resources.

The findings lists here are small and hand-made on purpose: they exercise the
roll-up, the writers and the seals on the real addresses of a real offline
plan, without depending on what today's policies happen to find.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tfproof.engine.catalog import Control
from tfproof.evidence.catalog import load_controls
from tfproof.evidence.document import evidence_document
from tfproof.evidence.model import EnvScan, LayerInputs, TestResult
from tfproof.findings import Finding, ScanReport
from tfproof.plan import Plan
from tfproof.sandbox.livecheck import LiveCheck
from tfproof.terraform.planner import PlanRequest, plan_json

HERE = Path(__file__).resolve().parent
PLANTED = HERE / "fixtures" / "planted"
PLANTED_LITERAL = "Planted-Literal-Pw-7731"
PLANTED_TOKEN = "Planted-Var-Tok-4409"


@pytest.fixture(scope="session")
def controls() -> list[Control]:
    return load_controls()


@pytest.fixture(scope="session")
def planted_plan() -> dict[str, Any]:
    """The real offline plan of the planted-secrets root (already redacted by the planner)."""
    return plan_json(PlanRequest(path=PLANTED, variables={"api_token": PLANTED_TOKEN}))


@pytest.fixture(scope="session")
def make_evidence(
    controls: list[Control], planted_plan: dict[str, Any]
) -> Callable[..., dict[str, Any]]:
    """An evidence document over the planted plan's real resources, with given statuses."""
    addresses = sorted(Plan(planted_plan).resources)

    def _make(
        enc_rest: str = "failed",
        waiver_expires: str = "2999-01-01",
        run_id: str = "20250101T000000Z-abc1234",
        extra_findings: list[Finding] | None = None,
    ) -> dict[str, Any]:
        bucket = next(a for a in addresses if a.startswith("aws_s3_bucket."))
        db = next(a for a in addresses if a.startswith("aws_db_instance."))
        waiver = {"control": "TAGS", "resource": db, "reason": "legacy import",
                  "owner": "ana@example.org", "expires": waiver_expires}
        findings = [
            Finding("ENC-REST", "CKV_AWS_16", "checkov", db, enc_rest, "high",
                    "RDS storage is not encrypted", "main.tf", 41),
            Finding("ENC-REST", "CKV_AWS_19", "checkov", bucket, "passed", "high", "ok"),
            Finding("ENC-REST", "CKV_AWS_145", "checkov", bucket, "advisory", "low",
                    "KMS is stricter than the seed"),
            Finding("TAGS", "TFP_TAGS_001", "tfproof", db, "waived", "low",
                    "missing Project tag", waiver=waiver),
            Finding("SECRETS", "TFP_SECRETS_001", "tfproof", db, "failed", "critical",
                    "literal password in the configuration", "main.tf", 48),
            Finding("NOT-A-CONTROL", "CKV_X", "checkov", bucket, "failed", "low", "stray"),
            *(extra_findings or []),
        ]
        inputs = LayerInputs(
            scans=[EnvScan("sandbox", str(PLANTED), "plans/sandbox.plan.json",
                           len(addresses), ScanReport(str(PLANTED), findings))],
            tests=[
                TestResult("tests/unit/test_backup.py::test_rds_backups", "passed", "plan",
                           ["BACKUP"], 0.1, attribution="marker"),
                TestResult("tests/unit/test_tags.py::test_tags", "passed", "plan", ["TAGS"],
                           attribution="name"),
                TestResult("tests/integration/test_alarms.py::test_health_alarm", "passed",
                           "live", ["ALARMS"], attribution="marker"),
                TestResult("tests/unit/test_misc.py::test_unrelated", "passed", "plan", []),
            ],
            live_checks=[
                LiveCheck("health alarm notifies SNS", "ALARMS", "passed", "1 action",
                          "aws_cloudwatch_metric_alarm.health"),
                LiveCheck("redis snapshots", "DR", "skipped",
                          "the embedded sandbox lacks cross-region replication", ""),
            ],
            layers_run=["plan", "policy", "live"],
        )
        run = {
            "id": run_id,
            "started": "2025-01-01T00:00:00Z",
            "finished": "2025-01-01T00:02:00Z",
            "envs": ["sandbox"],
            "targets": [{"name": "sandbox", "path": "tests/evidence/fixtures/planted",
                         "plan_file": "plans/sandbox.plan.json", "resources": len(addresses)}],
            "layers_requested": ["plan", "policy", "live"],
            "layers_run": ["plan", "policy", "live"],
            "sandbox": {"kind": "embedded", "account_id": "123456789012"},
            "git": {"commit": "abc1234" + "0" * 33, "short": "abc1234", "dirty": False},
            "versions": {"tfproof": "0.1.0", "terraform": "1.x", "provider_aws": "3.39.0",
                         "checkov": "3.3.30", "moto": "5.2.5", "python": "3.11"},
            "command": ["tfproof", "audit"],
            "inputs": {},
        }
        waivers = [dict(waiver, status="active" if waiver_expires > "2025" else "expired",
                        matched=1, waived=[f"sandbox|TFP_TAGS_001|{db}"])]
        return evidence_document(run, list(controls), inputs, waivers)

    return _make


PLANTED_TESTS = {
    "unit/test_planted.py": '''
import os

import pytest


@pytest.mark.control("ENC-REST")
def test_bucket_encrypted():
    assert True


def test_tags_present():
    assert True


@pytest.mark.control("SECRETS")
def test_failure_message_carries_the_secret():
    # pytest prints both sides of a failed comparison: the planted token reaches
    # junit.xml, the pytest log and the failure message unless the guard scrubs it
    assert os.environ["TF_VAR_api_token"] == "something else"


@pytest.mark.skip(reason="the embedded sandbox lacks budgets")
@pytest.mark.control("COST")
def test_budget_live():
    pass
''',
    "integration/test_live.py": '''
import json
import os

import pytest


@pytest.mark.control("ALARMS")
def test_writes_live_checks():
    out = os.environ["TFPROOF_LIVE_CHECKS_OUT"]
    token = os.environ["TF_VAR_api_token"]
    with open(out, "w") as handle:
        json.dump({"sandbox": {"account_id": "123456789012"}, "checks": [
            {"name": "token stored", "control": "SECRETS", "status": "passed",
             "detail": "read back " + token, "resource": "aws_ssm_parameter.token"},
            {"name": "budget exists", "control": "COST", "status": "skipped",
             "detail": "the embedded sandbox lacks budgets", "resource": ""},
        ]}, handle)
''',
}


def run_cli(*args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real `tfproof` CLI in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "tfproof.cli", *args],
        capture_output=True, text=True, check=False, cwd=cwd,
        env={**os.environ, **(env or {})}, timeout=900,
    )


@pytest.fixture(scope="session")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One real `tfproof audit` of the planted root: real plan, real scan, a real pytest run."""
    base = tmp_path_factory.mktemp("audit")
    tests = base / "tests"
    for rel, text in PLANTED_TESTS.items():
        (tests / rel).parent.mkdir(parents=True, exist_ok=True)
        (tests / rel).write_text(text)
    out = base / "reports"
    proc = run_cli("audit", "--target", str(PLANTED), "--tests", str(tests), "--out", str(out),
                   env={"TF_VAR_api_token": PLANTED_TOKEN})
    bundles = [p for p in out.iterdir() if not p.name.startswith(".")] if out.is_dir() else []
    return {"proc": proc, "out": out, "bundle": bundles[0] if len(bundles) == 1 else None,
            "tests": tests}


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory, make_evidence, planted_plan) -> Path:
    """One sealed bundle for the tamper tests, never modified: every test works on a copy."""
    from .tamper_support import seal_bundle

    return seal_bundle(tmp_path_factory.mktemp("pristine"), make_evidence, planted_plan)


@pytest.fixture()
def bundle(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sealed bundle that a test may forge."""
    from .tamper_support import RUN

    return Path(shutil.copytree(pristine, tmp_path / RUN))
