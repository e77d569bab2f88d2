"""alb: internet-facing, HTTPS only with a TLS 1.2+ policy, path rules to one target group per
service, access logs to a private, encrypted, TLS-only bucket; port 80 only as an opt-in
redirect."""

from __future__ import annotations

import pytest
from tftest import TerraformPlanOutput

from tfproof_dev import tftest_plans

from .support import (
    assert_private_versioned_bucket,
    assert_tagged,
    assert_tls_only_bucket_policy,
    config_statements,
    constant,
    of_type,
    refs,
    resources,
    unknown,
)

pytestmark = pytest.mark.plan

M = "module.this."
LOGS = "module.logs."  # the log bucket is an s3-bucket module call
SERVICES = {"search": 8003, "code": 8008}
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-4333-8444-555555555555"


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("alb")


@pytest.fixture(scope="module")
def given_certificate(example_plan) -> TerraformPlanOutput:
    """An issued certificate passed in, HTTP redirect opted in."""
    return example_plan("alb", certificate_arn=CERTIFICATE, enable_http_redirect="true")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def _expressions(plan: TerraformPlanOutput, config_address: str) -> dict:
    """The configuration expressions of a resource (its address without instance keys)."""
    return tftest_plans.config(plan, config_address)["expressions"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    expected = {
        f"{M}{LOGS}aws_s3_bucket.this",
        f"{M}{LOGS}aws_s3_bucket_public_access_block.this",
        f"{M}{LOGS}aws_s3_bucket_policy.this",
        f"{M}aws_acm_certificate.this[0]",
        f"{M}aws_lb.this",
        f"{M}aws_lb_listener.https",
    }
    for service in SERVICES:
        expected.add(f'{M}aws_lb_target_group.this["{service}"]')
        expected.add(f'{M}aws_lb_listener_rule.this["{service}"]')
    assert set(resources(plan)) == expected


@pytest.mark.control("AUDIT-LOGS")
def test_load_balancer_public_hardened_and_logging(plan: TerraformPlanOutput, this) -> None:
    lb = this.resources["aws_lb.this"]["values"]
    assert lb["name"] == "gen-ai-alb"
    assert lb["internal"] is False
    assert lb["load_balancer_type"] == "application"
    assert lb["drop_invalid_header_fields"] is True
    assert lb["enable_deletion_protection"] is True
    assert lb["subnets"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    assert lb["security_groups"] == ["sg-0123456789abcdef0"]
    (logs,) = lb["access_logs"]
    assert (logs["enabled"], logs["prefix"]) == (True, "alb")
    (logs_config,) = _expressions(plan, f"{M}aws_lb.this")["access_logs"]
    assert "module.logs.id" in logs_config["bucket"]["references"]


@pytest.mark.control("ENC-TRANSIT")
def test_https_listener_tls12_policy_with_the_created_certificate(
    plan: TerraformPlanOutput, this
) -> None:
    listener = this.resources["aws_lb_listener.https"]["values"]
    assert (listener["port"], listener["protocol"]) == (443, "HTTPS")
    assert listener["ssl_policy"] == "ELBSecurityPolicy-TLS-1-2-2017-01"
    # local.certificate_arn is the created certificate when none is given (ARN known at apply).
    address = f"{M}aws_lb_listener.https"
    assert tftest_plans.refs(plan, address, "certificate_arn") == ["local.certificate_arn"]
    assert unknown(plan, address).get("certificate_arn")
    (default,) = listener["default_action"]
    assert default["type"] == "fixed-response"
    assert default["fixed_response"][0]["status_code"] == "404"
    certificate = this.resources["aws_acm_certificate.this[0]"]["values"]
    assert (certificate["domain_name"], certificate["validation_method"]) == (
        "api.example.com",
        "DNS",
    )


@pytest.mark.control("ENC-TRANSIT", "NET-MIN")
def test_no_plain_http_listener_by_default(plan: TerraformPlanOutput) -> None:
    assert [r["values"]["port"] for r in of_type(plan, "aws_lb_listener")] == [443]


@pytest.mark.control("ENC-TRANSIT")
def test_given_certificate_is_used_and_port_80_only_redirects(
    given_certificate: TerraformPlanOutput,
) -> None:
    assert f"{M}aws_acm_certificate.this[0]" not in resources(given_certificate)
    this = given_certificate.modules["module.this"]
    https = this.resources["aws_lb_listener.https"]["values"]
    assert https["certificate_arn"] == CERTIFICATE
    redirect = this.resources["aws_lb_listener.http_redirect[0]"]["values"]
    assert (redirect["port"], redirect["protocol"]) == (80, "HTTP")
    (action,) = redirect["default_action"]
    assert action["type"] == "redirect"
    (target,) = action["redirect"]
    assert (target["port"], target["protocol"], target["status_code"]) == (
        "443",
        "HTTPS",
        "HTTP_301",
    )


@pytest.mark.parametrize(("service", "port"), sorted(SERVICES.items()))
def test_target_group_per_service_with_health_check(this, service: str, port: int) -> None:
    group = this.resources[f'aws_lb_target_group.this["{service}"]']["values"]
    assert group["name"] == f"gen-ai-{service}"
    assert (group["port"], group["protocol"], group["target_type"]) == (port, "HTTP", "ip")
    assert group["vpc_id"] == "vpc-0123456789abcdef0"
    (check,) = group["health_check"]
    assert (check["enabled"], check["path"], check["matcher"]) == (True, "/health", "200-399")
    assert check["port"] == "traffic-port"


@pytest.mark.parametrize(("service", "priority"), [("code", 100), ("search", 101)])
def test_path_rule_forwards_to_its_own_target_group(
    plan: TerraformPlanOutput, this, service: str, priority: int
) -> None:
    address = f'{M}aws_lb_listener_rule.this["{service}"]'
    rule = this.resources[f'aws_lb_listener_rule.this["{service}"]']["values"]
    assert rule["priority"] == priority
    (condition,) = rule["condition"]
    assert condition["path_pattern"] == [{"values": [f"/{service}", f"/{service}/*"]}]
    (action,) = rule["action"]
    assert action["type"] == "forward"
    assert "aws_lb_listener.https.arn" in refs(plan, address, "listener_arn")
    (forward,) = _expressions(plan, f"{M}aws_lb_listener_rule.this")["action"]
    # aws_lb_target_group.this[each.key].arn: the rule's own service's group.
    target_refs = set(forward["target_group_arn"]["references"])
    assert target_refs == {"aws_lb_target_group.this", "each.key"}


@pytest.mark.control("ENC-REST", "ENC-TRANSIT", "NET-PRIVATE")
def test_log_bucket_private_sse_s3_tls_only_and_expiring(plan: TerraformPlanOutput, this) -> None:
    bucket_address = f"{M}{LOGS}aws_s3_bucket.this"
    # ALB log delivery does not support SSE-KMS: SSE-S3 is the strongest option (README).
    assert_private_versioned_bucket(plan, bucket_address, "AES256")
    assert_tls_only_bucket_policy(
        plan, f"{M}{LOGS}aws_s3_bucket_policy.this", "aws_s3_bucket.this"
    )
    bucket = this.child_modules["module.logs"].resources["aws_s3_bucket.this"]["values"]
    assert bucket["bucket"] == "gen-ai-example-alb-logs"
    assert bucket["acl"] == "private"
    assert bucket["logging"] == [
        {
            "target_bucket": "gen-ai-example-access-logs",
            "target_prefix": "s3/gen-ai-example-alb-logs/",
        }
    ]
    assert bucket["lifecycle_rule"][0]["expiration"][0]["days"] == 365


@pytest.mark.control("AUDIT-LOGS")
def test_log_bucket_writable_by_the_regions_elb_account_only_under_the_prefix(
    plan: TerraformPlanOutput,
) -> None:
    policy = config_statements(plan, f"{M}data.aws_iam_policy_document.logs")
    # These statements reach the bucket policy through the s3-bucket module's policy_documents.
    call = plan.configuration["root_module"]["module_calls"]["this"]["module"][
        "module_calls"
    ]["logs"]
    merged = call["expressions"]["policy_documents"]["references"]
    assert "data.aws_iam_policy_document.logs.json" in merged
    service = policy["AllowLogDeliveryService"]
    assert constant(service["actions"]) == ["s3:PutObject"]
    (principal,) = service["principals"]
    assert constant(principal["identifiers"]) == ["logdelivery.elasticloadbalancing.amazonaws.com"]
    # The ELB-account statement is a dynamic block (us-east-1 has an ELB account): it is not in the
    # configuration JSON, so the lookup table is checked instead.
    accounts = plan.configuration["root_module"]["module_calls"]["this"]["module"][
        "variables"
    ]["elb_account_ids"]["default"]
    assert accounts["us-east-1"] == "127311923021"


@pytest.mark.control("TAGS")
def test_every_resource_merges_module_tags(plan: TerraformPlanOutput) -> None:
    assert_tagged(plan)
