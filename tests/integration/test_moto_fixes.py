"""The embedded server's moto fixes behave as AWS does (TLS, bucket policy conditions, logging)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tfproof.sandbox.kinds import EmbeddedSandbox
from tfproof.sandbox.server import MotoServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    with MotoServer(tmp_path_factory.mktemp("moto") / "moto.log") as server:
        assert server.url.startswith("https://")
        yield EmbeddedSandbox(url=server.url).client("s3")


def _deny_when_secure_transport_is(value: str, bucket: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": [value]}},
        }],
    })  # fmt: skip


def test_deny_insecure_transport_lets_tls_requests_through(s3):
    s3.create_bucket(Bucket="tls-only-bucket")
    s3.put_bucket_policy(Bucket="tls-only-bucket",
                         Policy=_deny_when_secure_transport_is("false", "tls-only-bucket"))
    s3.put_object(Bucket="tls-only-bucket", Key="k", Body=b"x")
    assert s3.get_object(Bucket="tls-only-bucket", Key="k")["Body"].read() == b"x"


def test_a_deny_whose_condition_holds_still_denies(s3):
    s3.create_bucket(Bucket="deny-tls-bucket")
    s3.put_bucket_policy(Bucket="deny-tls-bucket",
                         Policy=_deny_when_secure_transport_is("true", "deny-tls-bucket"))
    with pytest.raises(ClientError, match=r"403|Forbidden|AccessDenied"):
        s3.put_object(Bucket="deny-tls-bucket", Key="k", Body=b"x")


def test_logging_to_a_bucket_with_a_wildcard_principal_policy(s3):
    s3.create_bucket(Bucket="log-target-bucket")
    s3.create_bucket(Bucket="logged-bucket")
    s3.put_bucket_policy(Bucket="log-target-bucket", Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            json.loads(_deny_when_secure_transport_is("false", "log-target-bucket"))[
                "Statement"][0],
            {"Sid": "Logs", "Effect": "Allow",
             "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::log-target-bucket/*"},
        ],
    }))  # fmt: skip
    s3.put_bucket_logging(Bucket="logged-bucket", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "log-target-bucket", "TargetPrefix": "s3/"}})
    assert s3.get_bucket_logging(Bucket="logged-bucket")["LoggingEnabled"]["TargetBucket"] == \
        "log-target-bucket"
