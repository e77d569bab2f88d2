"""S3 replication on the embedded server behaves as AWS documents it (boto3, then Terraform).

AWS: S3 User Guide "Replicating objects", "Replication status information", "Replicating
delete markers", "Replicating encrypted objects"; API PutBucketReplication.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tfproof.sandbox.kinds import EmbeddedSandbox
from tfproof.sandbox.runner import SandboxRun

pytestmark = pytest.mark.integration

ROLE = "arn:aws:iam::123456789012:role/replication"
_NAMES = itertools.count()


@pytest.fixture(scope="module")
def s3(aws: Callable[..., Any]) -> Any:
    return aws("s3", "us-east-1")


@pytest.fixture(scope="module")
def s3_west(aws: Callable[..., Any]) -> Any:
    return aws("s3", "us-west-2")


def _bucket(client: Any, stem: str, versioned: bool = True) -> str:
    name = f"repl-{stem}-{next(_NAMES)}"
    region = client.meta.region_name
    extra = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    client.create_bucket(Bucket=name, **extra)
    if versioned:
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def _pair(s3: Any, s3_west: Any, *rules: dict[str, Any]) -> tuple[str, str]:
    """A versioned source in us-east-1 replicating to a versioned bucket in us-west-2."""
    source, target = _bucket(s3, "src"), _bucket(s3_west, "dst")
    for rule in rules:
        rule.setdefault("Destination", {})["Bucket"] = f"arn:aws:s3:::{target}"
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={
        "Role": ROLE, "Rules": list(rules)})
    return source, target


def _v1(**extra: Any) -> dict[str, Any]:
    return {"ID": "all", "Status": "Enabled", "Prefix": "", **extra}


def _v2(selection: dict[str, Any], priority: int = 1, markers: str = "Disabled",
        **extra: Any) -> dict[str, Any]:
    return {"ID": f"rule-{priority}", "Status": "Enabled", "Priority": priority,
            "Filter": selection, "DeleteMarkerReplication": {"Status": markers}, **extra}


def _present(client: Any, bucket: str, key: str) -> bool:
    """HeadObject finds the key (False on AWS's 404, any other error fails the test)."""
    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "404", error
        return False
    return True


def _code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


# -- what a replica is --------------------------------------------------------------------------
def test_a_put_object_replicates_body_metadata_tags_and_statuses(s3, s3_west):
    source, target = _pair(s3, s3_west, _v1())
    put = s3.put_object(Bucket=source, Key="docs/a.txt", Body=b"hello", ContentType="text/plain",
                        Metadata={"owner": "team-a"}, Tagging="class=internal&tier=1")
    replica = s3_west.get_object(Bucket=target, Key="docs/a.txt")
    assert replica["Body"].read() == b"hello"
    assert replica["ContentType"] == "text/plain"
    assert replica["Metadata"] == {"owner": "team-a"}
    assert replica["ReplicationStatus"] == "REPLICA"
    assert replica["VersionId"] == put["VersionId"]  # a replica keeps the version id
    assert replica["ETag"] == put["ETag"]
    tags = s3_west.get_object_tagging(Bucket=target, Key="docs/a.txt")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("class", "internal"), ("tier", "1")]
    assert s3.head_object(Bucket=source, Key="docs/a.txt")["ReplicationStatus"] == "COMPLETED"
    assert s3.get_object(Bucket=source, Key="docs/a.txt")["ReplicationStatus"] == "COMPLETED"


def test_only_objects_written_after_the_configuration_replicate(s3, s3_west):
    source, target = _bucket(s3, "src"), _bucket(s3_west, "dst")
    s3.put_object(Bucket=source, Key="before", Body=b"1")
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [
        _v1(Destination={"Bucket": f"arn:aws:s3:::{target}"})]})
    s3.put_object(Bucket=source, Key="after", Body=b"2")
    assert not _present(s3_west, target, "before")
    assert "ReplicationStatus" not in s3.head_object(Bucket=source, Key="before")
    assert s3_west.get_object(Bucket=target, Key="after")["Body"].read() == b"2"


def test_a_bucket_without_replication_sets_no_status(s3):
    plain = _bucket(s3, "plain")
    s3.put_object(Bucket=plain, Key="k", Body=b"x")
    assert "ReplicationStatus" not in s3.head_object(Bucket=plain, Key="k")


def test_destination_storage_class_applies_else_the_source_class(s3, s3_west):
    source, target = _pair(s3, s3_west, _v1(Destination={"StorageClass": "STANDARD_IA"}))
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert s3_west.head_object(Bucket=target, Key="k")["StorageClass"] == "STANDARD_IA"
    source, target = _pair(s3, s3_west, _v1())
    s3.put_object(Bucket=source, Key="k", Body=b"x", StorageClass="ONEZONE_IA")
    assert s3_west.head_object(Bucket=target, Key="k")["StorageClass"] == "ONEZONE_IA"


def test_multipart_uploads_and_copies_replicate(s3, s3_west):
    source, target = _pair(s3, s3_west, _v1())
    upload = s3.create_multipart_upload(Bucket=source, Key="big", ContentType="text/csv",
                                        Metadata={"m": "1"})
    part = s3.upload_part(Bucket=source, Key="big", UploadId=upload["UploadId"], PartNumber=1,
                          Body=b"a,b\n")
    s3.complete_multipart_upload(Bucket=source, Key="big", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"ETag": part["ETag"],
                                                             "PartNumber": 1}]})
    replica = s3_west.get_object(Bucket=target, Key="big")
    assert (replica["Body"].read(), replica["ContentType"], replica["Metadata"]) == (
        b"a,b\n", "text/csv", {"m": "1"})
    assert s3.head_object(Bucket=source, Key="big")["ReplicationStatus"] == "COMPLETED"
    s3.copy_object(Bucket=source, Key="copy", CopySource={"Bucket": source, "Key": "big"})
    assert s3_west.get_object(Bucket=target, Key="copy")["Body"].read() == b"a,b\n"
    assert s3.head_object(Bucket=source, Key="copy")["ReplicationStatus"] == "COMPLETED"


def test_tag_changes_reach_the_replica(s3, s3_west):
    source, target = _pair(s3, s3_west, _v1())
    s3.put_object(Bucket=source, Key="k", Body=b"x", Tagging="a=1")
    s3.put_object_tagging(Bucket=source, Key="k", Tagging={"TagSet": [{"Key": "b", "Value": "2"}]})
    assert s3_west.get_object_tagging(Bucket=target, Key="k")["TagSet"] == [
        {"Key": "b", "Value": "2"}]
    s3.delete_object_tagging(Bucket=source, Key="k")
    assert s3_west.get_object_tagging(Bucket=target, Key="k")["TagSet"] == []


def test_replicas_are_not_replicated_again(s3, s3_west):
    source, middle = _pair(s3, s3_west, _v1())
    last = _bucket(s3, "last")
    s3_west.put_bucket_replication(Bucket=middle, ReplicationConfiguration={"Role": ROLE, "Rules": [
        _v1(Destination={"Bucket": f"arn:aws:s3:::{last}"})]})
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert s3_west.head_object(Bucket=middle, Key="k")["ReplicationStatus"] == "REPLICA"
    assert not _present(s3, last, "k")
    s3_west.put_object(Bucket=middle, Key="own", Body=b"y")  # the middle's own writes do
    assert s3.get_object(Bucket=last, Key="own")["Body"].read() == b"y"


# -- which rule applies ---------------------------------------------------------------------------
def test_v1_prefix_and_disabled_rules(s3, s3_west):
    source, target = _pair(s3, s3_west, _v1(Prefix="docs/"))
    s3.put_object(Bucket=source, Key="docs/in", Body=b"x")
    s3.put_object(Bucket=source, Key="logs/out", Body=b"x")
    assert s3_west.head_object(Bucket=target, Key="docs/in")["ReplicationStatus"] == "REPLICA"
    assert not _present(s3_west, target, "logs/out")
    assert "ReplicationStatus" not in s3.head_object(Bucket=source, Key="logs/out")
    source, target = _pair(s3, s3_west, _v1(Status="Disabled"))
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert not _present(s3_west, target, "k")


def test_v2_filters_by_prefix_tag_and_both(s3, s3_west):
    source, target = _pair(s3, s3_west, _v2({"Prefix": "a/"}))
    s3.put_object(Bucket=source, Key="a/1", Body=b"x")
    s3.put_object(Bucket=source, Key="b/1", Body=b"x")
    assert _present(s3_west, target, "a/1") and not _present(s3_west, target, "b/1")

    source, target = _pair(s3, s3_west, _v2({"Tag": {"Key": "dr", "Value": "yes"}}))
    s3.put_object(Bucket=source, Key="tagged", Body=b"x", Tagging="dr=yes")
    s3.put_object(Bucket=source, Key="other", Body=b"x", Tagging="dr=no")
    assert _present(s3_west, target, "tagged") and not _present(s3_west, target, "other")

    tags = [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    both = {"And": {"Prefix": "p/", "Tags": tags}}
    source, target = _pair(s3, s3_west, _v2(both))
    s3.put_object(Bucket=source, Key="p/all", Body=b"x", Tagging="a=1&b=2")
    s3.put_object(Bucket=source, Key="p/half", Body=b"x", Tagging="a=1")
    s3.put_object(Bucket=source, Key="q/all", Body=b"x", Tagging="a=1&b=2")
    assert _present(s3_west, target, "p/all")
    assert not _present(s3_west, target, "p/half") and not _present(s3_west, target, "q/all")


def test_the_highest_priority_rule_wins(s3, s3_west):
    source, target = _pair(
        s3, s3_west,
        _v2({"Prefix": ""}, priority=1, Destination={"StorageClass": "GLACIER"}),
        _v2({"Prefix": "hot/"}, priority=5, Destination={"StorageClass": "STANDARD_IA"}),
    )  # fmt: skip
    s3.put_object(Bucket=source, Key="hot/x", Body=b"x")
    s3.put_object(Bucket=source, Key="cold/x", Body=b"x")
    assert s3_west.head_object(Bucket=target, Key="hot/x")["StorageClass"] == "STANDARD_IA"
    assert s3_west.head_object(Bucket=target, Key="cold/x")["StorageClass"] == "GLACIER"


def test_kms_objects_replicate_only_when_the_rule_selects_them(s3, s3_west):
    replica_key = "arn:aws:kms:us-west-2:123456789012:key/replica"
    source, target = _pair(s3, s3_west, _v1())
    s3.put_object(Bucket=source, Key="kms", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId="arn:aws:kms:us-east-1:123456789012:key/source")
    s3.put_object(Bucket=source, Key="sse-s3", Body=b"x", ServerSideEncryption="AES256")
    assert not _present(s3_west, target, "kms")
    assert "ReplicationStatus" not in s3.head_object(Bucket=source, Key="kms")
    assert s3_west.head_object(Bucket=target, Key="sse-s3")["ServerSideEncryption"] == "AES256"

    source, target = _pair(s3, s3_west, _v1(
        SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        Destination={"EncryptionConfiguration": {"ReplicaKmsKeyID": replica_key}}))
    s3.put_object(Bucket=source, Key="kms", Body=b"secret", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId="arn:aws:kms:us-east-1:123456789012:key/source")
    replica = s3_west.get_object(Bucket=target, Key="kms")
    assert replica["Body"].read() == b"secret"
    assert (replica["ServerSideEncryption"], replica["SSEKMSKeyId"]) == ("aws:kms", replica_key)


def test_each_destination_gets_a_replica_and_a_gone_one_fails_the_status(s3, s3_west):
    source, first = _pair(s3, s3_west, _v2({"Prefix": ""}, priority=1))
    second, gone = _bucket(s3_west, "second"), _bucket(s3_west, "gone")
    rules = s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"]["Rules"] + [
        _v2({"Prefix": ""}, priority=2, Destination={"Bucket": f"arn:aws:s3:::{second}"})]
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={
        "Role": ROLE, "Rules": rules})
    s3.put_object(Bucket=source, Key="both", Body=b"x")
    assert _present(s3_west, first, "both") and _present(s3_west, second, "both")
    assert s3.head_object(Bucket=source, Key="both")["ReplicationStatus"] == "COMPLETED"

    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [
        *rules, _v2({"Prefix": ""}, priority=3, Destination={"Bucket": f"arn:aws:s3:::{gone}"})]})
    s3_west.delete_bucket(Bucket=gone)  # after the configuration: AWS reports FAILED
    s3.put_object(Bucket=source, Key="some", Body=b"x")
    assert _present(s3_west, first, "some") and _present(s3_west, second, "some")
    assert s3.head_object(Bucket=source, Key="some")["ReplicationStatus"] == "FAILED"


# -- deletes --------------------------------------------------------------------------------------
def test_delete_markers_replicate_under_v1_rules(s3, s3_west):
    source, target = _pair(s3, s3_west, _v1())
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=source, Key="k")
    assert not _present(s3_west, target, "k")
    markers = s3_west.list_object_versions(Bucket=target, Prefix="k")["DeleteMarkers"]
    assert [m["VersionId"] for m in markers] == [marker["VersionId"]]


def test_v2_delete_markers_replicate_only_when_enabled(s3, s3_west):
    source, target = _pair(s3, s3_west, _v2({"Prefix": ""}))
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    s3.delete_object(Bucket=source, Key="k")
    assert s3_west.get_object(Bucket=target, Key="k")["Body"].read() == b"x"
    source, target = _pair(s3, s3_west, _v2({"Prefix": ""}, markers="Enabled"))
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    s3.delete_objects(Bucket=source, Delete={"Objects": [{"Key": "k"}]})
    assert not _present(s3_west, target, "k")


def test_deleting_a_version_is_not_replicated(s3, s3_west):
    source, target = _pair(s3, s3_west, _v1())
    version = s3.put_object(Bucket=source, Key="k", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=source, Key="k", VersionId=version)
    assert s3_west.get_object(Bucket=target, Key="k", VersionId=version)["Body"].read() == b"x"


# -- the configuration ----------------------------------------------------------------------------
def test_put_bucket_replication_refusals(s3, s3_west):
    unversioned = _bucket(s3, "unversioned", versioned=False)
    source, target = _bucket(s3, "src"), _bucket(s3_west, "dst")
    plain_target = _bucket(s3_west, "plain", versioned=False)

    def put(bucket: str, rule: dict[str, Any], to: str = target) -> Callable[[], Any]:
        rule.setdefault("Destination", {})["Bucket"] = f"arn:aws:s3:::{to}"
        return lambda: s3.put_bucket_replication(
            Bucket=bucket, ReplicationConfiguration={"Role": ROLE, "Rules": [rule]})

    assert _code(put(unversioned, _v1())) == "InvalidRequest"
    assert _code(put(source, _v1(), to="repl-no-such-bucket")) == "InvalidRequest"
    assert _code(put(source, _v1(), to=plain_target)) == "InvalidRequest"
    without_markers = _v2({"Prefix": ""})
    del without_markers["DeleteMarkerReplication"]
    assert _code(put(source, without_markers)) == "InvalidRequest"
    tag_markers = _v2({"Tag": {"Key": "a", "Value": "b"}}, markers="Enabled")
    assert _code(put(source, tag_markers)) == "InvalidRequest"
    kms_without_key = _v1(SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}})
    assert _code(put(source, kms_without_key)) == "InvalidRequest"
    assert _code(lambda: s3.get_bucket_replication(Bucket=source)) == \
        "ReplicationConfigurationNotFoundError"


def test_get_bucket_replication_returns_rules_as_put(s3, s3_west):
    kms = "arn:aws:kms:us-west-2:123456789012:key/replica"
    v1 = _v1(ID="v1", Prefix="docs/",
             SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}},
             Destination={"StorageClass": "STANDARD", "EncryptionConfiguration": {
                 "ReplicaKmsKeyID": kms}})
    v2 = _v2({"And": {"Prefix": "p/", "Tags": [{"Key": "a", "Value": "1"}]}}, priority=3)
    source, target = _pair(s3, s3_west, v1, v2)
    config = s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"]
    assert config["Role"] == ROLE
    rules = {r["ID"]: r for r in config["Rules"]}
    assert rules["v1"] == {
        "ID": "v1", "Prefix": "docs/", "Status": "Enabled",
        "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        "Destination": {"Bucket": f"arn:aws:s3:::{target}", "StorageClass": "STANDARD",
                        "EncryptionConfiguration": {"ReplicaKmsKeyID": kms}},
    }  # fmt: skip
    assert rules["rule-3"] == {
        "ID": "rule-3", "Priority": 3, "Status": "Enabled",
        "Filter": {"And": {"Prefix": "p/", "Tags": [{"Key": "a", "Value": "1"}]}},
        "DeleteMarkerReplication": {"Status": "Disabled"},
        "Destination": {"Bucket": f"arn:aws:s3:::{target}"},
    }  # fmt: skip


# -- Terraform ------------------------------------------------------------------------------------
ROOT = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
}
provider "aws" {
  region = "us-east-1"
}
provider "aws" {
  alias  = "replica"
  region = "us-west-2"
}
resource "aws_s3_bucket" "replica" {
  provider      = aws.replica
  bucket        = "tfrepl-documents-replica"
  force_destroy = true
  versioning { enabled = true }
}
resource "aws_iam_role" "replication" {
  name = "tfrepl-s3-replication"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{
    Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "s3.amazonaws.com" } }] })
}
# as infra/modules/s3-bucket writes it: one V1 rule, every object, to the replica region
resource "aws_s3_bucket" "documents" {
  bucket        = "tfrepl-documents"
  force_destroy = true
  versioning { enabled = true }
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
    }
  }
  replication_configuration {
    role = aws_iam_role.replication.arn
    rules {
      id     = "replicate-all-to-us-west-2"
      status = "Enabled"
      prefix = ""
      destination {
        bucket        = aws_s3_bucket.replica.arn
        storage_class = "STANDARD_IA"
      }
    }
  }
}
"""


def test_terraform_replication_configuration_replicates(moto_server, tmp_path, monkeypatch):
    if not os.environ.get("TFPROOF_CACHE_DIR"):  # as `make` sets it: the provider mirror
        monkeypatch.setenv("TFPROOF_CACHE_DIR", str(Path(__file__).parents[3] / ".cache/tfproof"))
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(ROOT)
    sandbox = EmbeddedSandbox(url=moto_server.url)
    run = SandboxRun(sandbox, root)
    try:
        run.prepare()
        run.apply()
        s3, west = sandbox.client("s3", "us-east-1"), sandbox.client("s3", "us-west-2")
        s3.put_object(Bucket="tfrepl-documents", Key="doc.txt", Body=b"terraform",
                      ContentType="text/plain")
        replica = west.get_object(Bucket="tfrepl-documents-replica", Key="doc.txt")
        assert (replica["Body"].read(), replica["ReplicationStatus"]) == (b"terraform", "REPLICA")
        assert replica["StorageClass"] == "STANDARD_IA"
        assert s3.head_object(Bucket="tfrepl-documents", Key="doc.txt")[
            "ReplicationStatus"] == "COMPLETED"
        assert run.pending_changes() == []
    finally:
        report = run.teardown()
    SandboxRun.check_clean(report)
    names = {b["Name"] for b in sandbox.client("s3").list_buckets()["Buckets"]}
    assert not {"tfrepl-documents", "tfrepl-documents-replica"} & names
