"""The judgement calls of docs/requirements.md, as the messages a user reads.

A verdict alone does not carry a decision: `encrypted = false` under an account EBS default
that is on fails either way, but the user must be told that AWS encrypts the volume anyway
and that the code, not the data, is wrong. Each case reads the provider-6 fixture root's plan
(`fixtures/provider6_resources/plan.json`), whose exact verdicts test_policies.py checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tfproof.engine.run import evaluate
from tfproof.plan import Plan

ROOT = Path(__file__).parent / "fixtures" / "provider6_resources" / "plan.json"


@pytest.fixture(scope="module")
def said() -> dict[tuple[str, str], tuple[str, str]]:
    """(check, address) -> (status, message), undecided verdicts as `unknown`."""
    result = evaluate(Plan.load(ROOT))
    out = {(f.check, f.resource): (f.status, f.message) for f in result.findings}
    out.update({(check, address): ("unknown", why) for check, address, why in result.undecided})
    return out


@pytest.mark.parametrize("address", ["aws_ebs_volume.fail_volume_plain_default_on",
                                     "aws_instance.fail_instance_root_plain_default_on"])
def test_plain_volume_under_an_encrypting_default_fails_and_says_why(said, address):
    status, message = said[("TFP_ENC_REST_EBS", address)]
    assert status == "failed"
    assert "encrypted = false" in message and "encryption by default is on" in message
    assert "encrypts" in message and "anyway" in message
    assert "replacement on every run" in message
    assert "the code says the opposite of what is deployed" in message


def test_a_plain_volume_without_a_default_is_just_unencrypted(said):
    status, message = said[("TFP_ENC_REST_EBS", "aws_ebs_volume.fail_volume_east_default_off")]
    assert status == "failed" and "encryption by default is off" in message
    assert "anyway" not in message


def test_serverless_snapshots_null_fail_and_at_apply_is_unknown(said):
    status, message = said[("TFP_BACKUP_REDIS",
                            "aws_elasticache_serverless_cache.fail_serverless_snapshots_null")]
    assert status == "failed"
    assert "no automatic snapshots" in message and "default" in message
    status, _ = said[("TFP_BACKUP_REDIS",
                      "aws_elasticache_serverless_cache.aux_serverless_snapshots_at_apply")]
    assert status == "unknown"


def test_deletion_protection_is_required_outside_production(said):
    status, message = said[("TFP_BACKUP_RDS", "aws_db_instance.fail_db_sandbox_unprotected")]
    assert status == "failed" and "no deletion protection" in message
