"""Provider-4+ split S3 resources, tied by reference (plan JSON: provider 3 cannot plan them)."""

from __future__ import annotations

from pathlib import Path

from tfproof.engine.run import evaluate
from tfproof.plan import Plan

PLAN = Path(__file__).parent / "fixtures" / "plans" / "s3_split_provider4.json"


def _status(findings, check, address):
    return {f.status for f in findings if f.check == check and f.resource == address}


def test_split_resources_are_tied_to_their_bucket():
    findings = evaluate(Plan.load(PLAN)).findings
    for check in ("TFP_ENC_REST_S3", "TFP_BACKUP_S3_VERSIONING", "TFP_S3_PUBLIC_ACCESS_BLOCK",
                  "TFP_S3_ACCESS_LOGGING", "TFP_ENC_TRANSIT_S3_TLS"):
        assert _status(findings, check, "aws_s3_bucket.pass_split") == {"passed"}, check
    for check in ("TFP_ENC_REST_S3", "TFP_BACKUP_S3_VERSIONING", "TFP_S3_PUBLIC_ACCESS_BLOCK",
                  "TFP_ENC_TRANSIT_S3_TLS"):
        assert _status(findings, check, "aws_s3_bucket.fail_split") == {"failed"}, check
    assert not _status(findings, "TFP_S3_ACCESS_LOGGING", "aws_s3_bucket.fail_split")
    failed = {f.resource for f in findings if f.status == "failed"}
    assert failed == {"aws_s3_bucket.fail_split"}
