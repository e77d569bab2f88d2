"""tfproof's checkov worker gives exactly plain `checkov -f`'s verdicts, only faster and smaller.

The worker (tfproof.checkov.worker) drives checkov's terraform_plan runner
without the CLI, reads the plan through checkov's plain-JSON path and hands
checkov only the resource types the mapped checks read. None of that may change
a verdict: the reference is the real `checkov -f plan.json --check <mapped>`.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import tfproof.checkov.runner as checkov_runner
from tfproof.checkov.partition import trim_plan
from tfproof.checkov.runner import (
    checkov_command,
    offline_env,
    parse_report,
    run_checkov,
)
from tfproof.checkov.worker import readable_types
from tfproof.engine.catalog import checkov_resource_types, load_checkov_map
from tfproof.plan import Plan


def _plain_checkov(plan: Plan, checks: list[str], folder: Path) -> set[tuple[str, str, bool]]:
    """Stock checkov on the plan file, restricted to `checks`, as the user would run it."""
    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(plan.raw))
    env = offline_env()
    env.pop("CHECKOV_MAX_IAC_FILE_SIZE", None)  # checkov's default plan reader
    proc = subprocess.run(
        [*checkov_command(), "-f", str(plan_file), "--framework", "terraform_plan",
         "--skip-download", "-o", "json", "--compact", "--check", ",".join(checks)],
        capture_output=True, text=True, env=env, cwd=folder, timeout=1800, check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr[-800:]
    return {(r.check, r.resource, r.passed) for r in parse_report(proc.stdout)}


@pytest.mark.plan
@pytest.mark.checkov
@pytest.mark.slow
def test_worker_verdicts_equal_plain_checkov(sandbox_plan: Plan, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFPROOF_CACHE_DIR", str(tmp_path / "cache"))
    checks = sorted(load_checkov_map())
    stock = _plain_checkov(sandbox_plan, checks, tmp_path)
    ours = run_checkov(sandbox_plan.raw, checks, use_cache=False,
                       resource_types=set(checkov_resource_types()))
    mine = {(r.check, r.resource, r.passed) for r in ours}
    assert {c for c, _, _ in stock if c.startswith("CKV2_")}, "no graph check ran"
    assert {p for _, _, p in stock} == {True, False}
    assert mine == stock, json.dumps(sorted(map(list, mine ^ stock)))[:3000]

    # the same plan again comes from the content-hashed cache: no worker runs
    def no_worker(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("checkov ran although the cache holds this plan")

    monkeypatch.setattr(checkov_runner.lifecycle, "popen", no_worker)  # workers start by popen
    again = run_checkov(sandbox_plan.raw, checks, resource_types=set(checkov_resource_types()))
    assert again == ours


@pytest.mark.checkov
def test_graph_checks_keep_the_types_they_connect_to() -> None:
    """Trimming by the checks' own resource types alone would cut graph connections.

    CKV2_AWS_11 (VPC flow logs) looks at aws_vpc but passes through a connected
    aws_flow_log; CKV2_AWS_5 (security group attached) through e.g. aws_vpc_endpoint;
    CKV_AWS_18 (S3 access logging) through aws_s3_bucket_logging. None of them is a
    type the checks are declared for, and without them checkov would fail those
    resources where plain checkov passes them.
    """
    types = readable_types(sorted(load_checkov_map()))
    assert types is not None
    assert set(checkov_resource_types()) <= types
    assert {"aws_flow_log", "aws_vpc_endpoint", "aws_s3_bucket_logging"} <= types


@pytest.mark.plan
def test_trim_keeps_configuration_and_data_and_only_the_given_types(sandbox_plan: Plan) -> None:
    raw = sandbox_plan.raw
    trimmed = trim_plan(raw, {"aws_s3_bucket", "aws_security_group"})
    kept = Plan(trimmed)
    assert {r.type for r in kept.resources.values()} == {"aws_s3_bucket", "aws_security_group"}
    assert set(kept.resources) == {a for a, r in sandbox_plan.resources.items()
                                   if r.type in ("aws_s3_bucket", "aws_security_group")}
    assert trimmed["configuration"] == raw["configuration"]
    data_changes = [c["address"] for c in raw.get("resource_changes", []) if c["mode"] == "data"]
    assert data_changes == [c["address"] for c in trimmed["resource_changes"]
                            if c["mode"] == "data"]
    assert "prior_state" not in trimmed
