"""X-Ray sampling rules and tags on the embedded server (tfproof.sandbox.moto_ext.xray).

boto3 against a running server, then the platform's rule applied by the
bundled Terraform AWS provider: created, read back without drift, updated in
place and destroyed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tfproof.sandbox.kinds import EmbeddedSandbox
from tfproof.sandbox.runner import SandboxRun

pytestmark = pytest.mark.integration

REGION = "us-east-1"
ARN_PREFIX = f"arn:aws:xray:{REGION}:123456789012:sampling-rule/"


def _rule(name: str, **changes: object) -> dict[str, object]:
    rule: dict[str, object] = {
        "RuleName": name, "ResourceARN": "*", "Priority": 1000, "FixedRate": 0.05,
        "ReservoirSize": 1, "ServiceName": "*", "ServiceType": "*", "Host": "*",
        "HTTPMethod": "*", "URLPath": "*", "Version": 1,
    }  # fmt: skip
    rule.update(changes)
    return rule


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


@pytest.fixture()
def xray(aws):
    client = aws("xray", region=REGION)
    yield client
    for page in client.get_paginator("get_sampling_rules").paginate():
        for record in page["SamplingRuleRecords"]:
            if record["SamplingRule"]["RuleName"] != "Default":
                client.delete_sampling_rule(RuleName=record["SamplingRule"]["RuleName"])


def _rules(xray) -> dict[str, dict]:
    pages = xray.get_paginator("get_sampling_rules").paginate()
    return {r["SamplingRule"]["RuleName"]: r for p in pages for r in p["SamplingRuleRecords"]}


def test_the_default_rule_is_always_there_and_cannot_be_deleted(xray):
    default = _rules(xray)["Default"]
    assert default["SamplingRule"]["RuleARN"] == ARN_PREFIX + "Default"
    assert default["SamplingRule"]["Priority"] == 10000
    assert default["SamplingRule"]["FixedRate"] == 0.05
    assert default["SamplingRule"]["ReservoirSize"] == 1
    assert default["CreatedAt"].timestamp() == 0
    with pytest.raises(ClientError) as error:
        xray.delete_sampling_rule(RuleName="Default")
    assert _code(error) == "InvalidRequestException"
    with pytest.raises(ClientError) as error:
        xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "Default", "Host": "example"})
    assert _code(error) == "InvalidRequestException"
    updated = xray.update_sampling_rule(
        SamplingRuleUpdate={"RuleName": "Default", "FixedRate": 0.1}
    )["SamplingRuleRecord"]["SamplingRule"]
    assert updated["FixedRate"] == 0.1
    xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "Default", "FixedRate": 0.05})


def test_create_returns_the_record_and_the_rule_is_listed(xray):
    record = xray.create_sampling_rule(
        SamplingRule=_rule("api", Attributes={"tier": "web"}),
        Tags=[{"Key": "Owner", "Value": "platform"}],
    )["SamplingRuleRecord"]
    rule = record["SamplingRule"]
    assert rule["RuleARN"] == ARN_PREFIX + "api"
    assert (rule["Priority"], rule["FixedRate"], rule["Version"]) == (1000, 0.05, 1)
    assert rule["Attributes"] == {"tier": "web"}
    assert record["CreatedAt"] == record["ModifiedAt"] and record["CreatedAt"].timestamp() > 0
    assert _rules(xray)["api"]["SamplingRule"] == rule
    tags = xray.list_tags_for_resource(ResourceARN=rule["RuleARN"])["Tags"]
    assert tags == [{"Key": "Owner", "Value": "platform"}]


def test_create_rejects_a_duplicate_and_invalid_fields(xray):
    xray.create_sampling_rule(SamplingRule=_rule("dup"))
    with pytest.raises(ClientError) as error:
        xray.create_sampling_rule(SamplingRule=_rule("dup"))
    assert _code(error) == "InvalidRequestException"
    with pytest.raises(ClientError) as error:
        xray.create_sampling_rule(SamplingRule=_rule("Default"))
    assert _code(error) == "InvalidRequestException"
    with pytest.raises(ClientError) as error:
        xray.create_sampling_rule(SamplingRule=_rule("v2", Version=2))
    assert _code(error) == "InvalidRequestException"
    assert set(_rules(xray)) == {"Default", "dup"}


def test_update_changes_only_the_given_fields(xray):
    created = xray.create_sampling_rule(SamplingRule=_rule("upd", Attributes={"a": "1"}))
    record = xray.update_sampling_rule(
        SamplingRuleUpdate={"RuleName": "upd", "Priority": 10, "Attributes": {}}
    )["SamplingRuleRecord"]
    rule = record["SamplingRule"]
    assert (rule["Priority"], rule["FixedRate"], rule["Attributes"]) == (10, 0.05, {})
    assert record["CreatedAt"] == created["SamplingRuleRecord"]["CreatedAt"]
    assert record["ModifiedAt"] >= record["CreatedAt"]
    by_arn = xray.update_sampling_rule(
        SamplingRuleUpdate={"RuleARN": ARN_PREFIX + "upd", "ReservoirSize": 5}
    )["SamplingRuleRecord"]["SamplingRule"]
    assert (by_arn["Priority"], by_arn["ReservoirSize"]) == (10, 5)
    with pytest.raises(ClientError) as error:
        xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "absent", "Priority": 2})
    assert _code(error) == "InvalidRequestException"


def test_delete_returns_the_record_and_a_missing_rule_is_an_error(xray):
    xray.create_sampling_rule(SamplingRule=_rule("gone"))
    deleted = xray.delete_sampling_rule(RuleName="gone")["SamplingRuleRecord"]
    assert deleted["SamplingRule"]["RuleName"] == "gone"
    assert "gone" not in _rules(xray)
    with pytest.raises(ClientError) as error:
        xray.delete_sampling_rule(RuleName="gone")
    assert _code(error) == "InvalidRequestException"
    with pytest.raises(ClientError) as error:
        xray.list_tags_for_resource(ResourceARN=ARN_PREFIX + "gone")
    assert _code(error) == "ResourceNotFoundException"


def test_get_sampling_rules_pages_with_next_token(xray):
    for index in range(100):
        xray.create_sampling_rule(SamplingRule=_rule(f"r{index:03d}", Priority=index + 1))
    first = xray.get_sampling_rules()
    assert len(first["SamplingRuleRecords"]) == 100 and first["NextToken"]
    second = xray.get_sampling_rules(NextToken=first["NextToken"])
    assert len(second["SamplingRuleRecords"]) == 1 and "NextToken" not in second
    names = [r["SamplingRule"]["RuleName"] for r in first["SamplingRuleRecords"]]
    names += [r["SamplingRule"]["RuleName"] for r in second["SamplingRuleRecords"]]
    assert sorted(names) == sorted(["Default", *(f"r{i:03d}" for i in range(100))])


def test_tag_and_untag_a_rule(xray):
    arn = xray.create_sampling_rule(SamplingRule=_rule("tagged"))["SamplingRuleRecord"][
        "SamplingRule"
    ]["RuleARN"]
    two = [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    xray.tag_resource(ResourceARN=arn, Tags=two)
    xray.untag_resource(ResourceARN=arn, TagKeys=["a"])
    assert xray.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as error:
        xray.tag_resource(ResourceARN=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert _code(error) == "TooManyTagsException"
    with pytest.raises(ClientError) as error:
        xray.tag_resource(ResourceARN=ARN_PREFIX + "absent", Tags=[{"Key": "a", "Value": "1"}])
    assert _code(error) == "ResourceNotFoundException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


RULE_TF = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { Environment = "test" }
  }
}

resource "aws_xray_sampling_rule" "this" {
  rule_name      = "gen-ai-sampling"
  priority       = 1000
  version        = 1
  reservoir_size = 1
  fixed_rate     = FIXED_RATE
  host           = "*"
  http_method    = "*"
  url_path       = "*"
  service_name   = "*"
  service_type   = "*"
  resource_arn   = "*"
  attributes     = {}
  tags           = { Owner = "platform-tests", Name = "gen-ai-sampling" }
}
"""


def test_terraform_creates_reads_updates_and_destroys_the_platform_rule(tmp_path: Path):
    """As infra/modules/xray writes the rule (provider 3.39.0, default_tags), end to end."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(RULE_TF.replace("FIXED_RATE", "0.05"))
    run = SandboxRun(EmbeddedSandbox(), root)
    try:
        run.prepare()
        run.apply()
        [rule] = [r for r in run.state["values"]["root_module"]["resources"]]
        assert rule["values"]["arn"] == ARN_PREFIX + "gen-ai-sampling"
        assert rule["values"]["tags_all"]["Environment"] == "test"
        assert run.pending_changes() == []
        assert run.workspace is not None  # the run's scratch copy is what Terraform applies
        (run.workspace.root / "main.tf").write_text(RULE_TF.replace("FIXED_RATE", "0.1"))
        assert run.pending_changes() == ["aws_xray_sampling_rule.this (update)"]
        run.apply()
        assert run.state["values"]["root_module"]["resources"][0]["values"]["fixed_rate"] == 0.1
        assert run.pending_changes() == []
    finally:
        report = run.teardown()
    assert report.clean, report
    assert report.destroyed == 1
    shutil.rmtree(root, ignore_errors=True)
