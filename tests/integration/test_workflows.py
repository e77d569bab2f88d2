"""The GitHub workflows parse, run the right sessions, and keep the nightly run safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTION_RE = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[\w.-]+$")


def _load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict), f"{name} is not a mapping"
    # YAML 1.1 reads the bare key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return data


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_workflow_syntax(name):
    data = _load(name)
    assert data.get("name") and data["on"], f"{name}: a workflow needs name and on"
    assert data.get("jobs"), f"{name}: no jobs"
    for job_id, job in data["jobs"].items():
        assert re.match(r"^[A-Za-z_][\w-]*$", job_id), job_id
        assert job.get("runs-on"), f"{name}/{job_id}: runs-on missing"
        assert isinstance(job.get("timeout-minutes"), int), f"{name}/{job_id}: unbounded job"
        steps = job.get("steps")
        assert steps, f"{name}/{job_id}: no steps"
        for step in steps:
            assert ("uses" in step) != ("run" in step), f"{name}/{job_id}: {step}"
            if "uses" in step:
                assert step["uses"] == "./" or ACTION_RE.match(step["uses"]), (  # ./: action.yml
                    f"unpinned or malformed action {step['uses']}")
            for expr in re.findall(r"\$\{\{(.*?)\}\}", str(step)):
                assert expr.strip(), f"empty expression in {name}/{job_id}"


def test_pull_request_runs_lint_unit_compliance():
    data = _load("pull-request.yml")
    assert "pull_request" in data["on"]
    job = data["jobs"]["checks"]
    assert job["strategy"]["matrix"]["session"] == ["lint", "unit", "compliance"]
    assert any("make ${{ matrix.session }}" in s.get("run", "") for s in job["steps"])
    assert "id-token" not in (data.get("permissions") or {}), "PRs get no cloud identity"


def test_nightly_uses_oidc_against_the_named_account_and_publishes_evidence():
    data = _load("nightly.yml")
    assert data["on"]["schedule"][0]["cron"].count(" ") == 4
    assert data["permissions"]["id-token"] == "write"
    assert data["env"]["TFPROOF_SANDBOX"] == "aws"
    assert "SANDBOX_ACCOUNT_ID" in data["env"]["TFPROOF_SANDBOX_ACCOUNT_ID"]
    steps = data["jobs"]["integration"]["steps"]
    text = yaml.safe_dump(steps)
    assert "aws-actions/configure-aws-credentials" in text and "role-to-assume" in text
    assert "aws-access-key-id" not in text, "no stored keys: OIDC only"
    runs = [s.get("run", "") for s in steps]
    assert any("make integration" in r for r in runs)
    cleanup = [s for s in steps if "sandbox cleanup" in s.get("run", "")]
    assert cleanup and cleanup[-1].get("if") == "always()", "the last cleanup must always run"
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert upload and upload[0].get("if") == "always()" and "reports/" in upload[0]["with"]["path"]
    assert data["concurrency"]["cancel-in-progress"] is False
