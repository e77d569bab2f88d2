"""The real-account guard, with the embedded moto server standing in for an account."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tfproof.sandbox.interface import SandboxRefused
from tfproof.sandbox.kinds import EMBEDDED_ACCOUNT_ID, AwsSandbox, sandbox_from_settings
from tfproof.sandbox.records import new_run_id, runs_dir
from tfproof.sandbox.runner import SandboxRun
from tfproof.sandbox.server import MotoServer
from tfproof.settings import with_overrides

from .conftest import MINI_ROOT

pytestmark = pytest.mark.integration

WRONG_ACCOUNT = "210987654321"


@pytest.fixture()
def standin(tmp_path):
    with MotoServer(tmp_path / "moto.log") as server:
        yield server


def _untouched(server: MotoServer) -> list[str]:
    """Everything an apply would have left in the stand-in account (empty when untouched)."""
    sandbox = AwsSandbox(EMBEDDED_ACCOUNT_ID, endpoint=server.url)
    found = [b["Name"] for b in sandbox.client("s3").list_buckets()["Buckets"]]
    tagged = sandbox.client("resourcegroupstaggingapi").get_resources()
    found += [m["ResourceARN"] for m in tagged["ResourceTagMappingList"]]
    vpcs = sandbox.client("ec2").describe_vpcs()["Vpcs"]
    found += [v["VpcId"] for v in vpcs if not v.get("IsDefault")]
    return found


def test_mismatching_account_refuses_before_touching_anything(standin):
    run_id = new_run_id()
    run = SandboxRun(AwsSandbox(WRONG_ACCOUNT, endpoint=standin.url), MINI_ROOT, run_id=run_id)
    with pytest.raises(SandboxRefused) as refused:
        run.prepare()
    message = str(refused.value)
    assert "Refusing to touch AWS account ********9012" in message
    assert "********4321" in message and WRONG_ACCOUNT not in message
    assert EMBEDDED_ACCOUNT_ID not in message  # ids are masked, never printed in clear
    assert not (runs_dir() / run_id).exists(), "a refused run must leave no scratch copy or state"
    assert _untouched(standin) == []


def test_matching_account_passes_the_guard(standin):
    assert AwsSandbox(EMBEDDED_ACCOUNT_ID, endpoint=standin.url).verify() == EMBEDDED_ACCOUNT_ID


def test_cli_refuses_mismatching_account_with_exit_2(standin):
    env = dict(os.environ, TFPROOF_SANDBOX="aws", TFPROOF_SANDBOX_ACCOUNT_ID=WRONG_ACCOUNT,
               TFPROOF_SANDBOX_ENDPOINT=standin.url)  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "tfproof.cli", "sandbox", "check", "--root", str(MINI_ROOT)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Refusing to touch AWS account ********9012" in proc.stderr
    assert proc.stdout == ""
    assert _untouched(standin) == []


@pytest.mark.parametrize("account", ["", "12345", "not-an-account"])
def test_real_account_mode_needs_a_valid_account_id(account):
    with pytest.raises(SandboxRefused, match="TFPROOF_SANDBOX_ACCOUNT_ID"):
        sandbox_from_settings(with_overrides(sandbox="aws", sandbox_account_id=account))


def test_unknown_sandbox_kind_fails_closed():
    from tfproof.errors import InputError

    with pytest.raises(InputError, match="TFPROOF_SANDBOX='prod' is not valid"):
        sandbox_from_settings(with_overrides(sandbox="prod"))
