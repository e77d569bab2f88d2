"""The seed's own Terraform: what stock checkov misses is reported; the seed's choices pass."""

from __future__ import annotations

import pytest

from tfproof.engine.scan import scan


@pytest.fixture(scope="module")
def seed_report(seed_plan):
    return scan(plan=seed_plan, checkov=True)


def _failed(report, control):
    return {f.resource for f in report.findings if f.status == "failed" and f.control == control}


@pytest.mark.plan
@pytest.mark.checkov
@pytest.mark.parametrize(("control", "address"), [
    ("NET-MIN", "aws_security_group.service"),           # 8000-8009 open to 0.0.0.0/0
    ("ENC-REST", "aws_db_instance.main"),                # no storage_encrypted
    ("ENC-TRANSIT", "aws_elasticache_cluster.redis"),    # Redis without TLS
    ("TRAIL", "aws_cloudtrail.main"),                    # no log file validation
    ("TAGS", "aws_security_group.service"),              # only a Name tag
    ("ALARMS", "aws_cloudwatch_metric_alarm.service_health"),  # inverted direction
    ("ALARMS", "aws_ecs_cluster.main"),                  # so no working health alarm; no CPU/memory
    ("ALARMS", "aws_db_instance.main"),                  # no "Disk Space < 20%" alarm
    ("COST", "aws_budgets_budget.monthly"),              # the 80 % notification has no subscriber
    ("NET-PRIVATE", "module.vpc.aws_vpc.this"),          # S3 endpoint on no route table
    ("DR", "aws_s3_bucket.documents"),                   # not replicated to us-west-2
])
def test_seed_failures_are_reported(seed_report, control, address):
    assert address in _failed(seed_report, control)


@pytest.mark.plan
@pytest.mark.checkov
def test_seed_choices_are_not_failed(seed_report):
    assert "aws_s3_bucket.documents" not in _failed(seed_report, "ENC-REST")
    assert not _failed(seed_report, "OBSERVABILITY")  # containerInsights and the X-Ray rule
    log_groups = {f.resource for f in seed_report.findings
                  if f.resource.startswith("aws_cloudwatch_log_group.")}
    assert len(log_groups) == 9
    assert not {f.resource for f in seed_report.findings if f.status == "failed"} & log_groups
    advisory = {(f.check, f.resource) for f in seed_report.findings if f.status == "advisory"}
    assert ("CKV_AWS_145", "aws_s3_bucket.documents") in advisory
    assert any(check == "CKV_AWS_338" for check, _ in advisory)
