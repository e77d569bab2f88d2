"""Helpers shared by the module tests: where the examples live and how to read their plans.

Plans are tftest's `TerraformPlanOutput`; `resources`, `values`, `of_type`, `unknown` and
`refs` (tfproof_dev.tftest_plans) read across its module tree.

Every example root passes `tags = { Owner = "platform-tests" }` to its module
and sets provider default_tags Environment/Project, so a resource carrying
`Owner` in its own `tags` proves the module merged `var.tags`, and `tags_all`
proves the provider defaults reached it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tftest import TerraformPlanOutput

from tfproof.plan import config_address
from tfproof_dev import tftest_plans

# the readers, importable with the helpers from one place
from tfproof_dev.tftest_plans import of_type as of_type
from tfproof_dev.tftest_plans import resources as resources
from tfproof_dev.tftest_plans import unknown as unknown
from tfproof_dev.tftest_plans import values as values

MODULES = Path(__file__).resolve().parents[3] / "infra" / "modules"
EXAMPLE_ACCOUNT = "123456789012"  # AWS documentation's example account id
EXAMPLE_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"
MODULE_TAGS = {"Owner": "platform-tests"}
DEFAULT_TAGS = {"Environment": "test", "Project": "gen-ai-services"}
WORLD = {"0.0.0.0/0", "::/0"}


def example_dir(module: str) -> Path:
    """The example root of one module."""
    return MODULES / module / "examples" / "basic"


def taggable(plan: TerraformPlanOutput) -> list[str]:
    """Addresses of resources whose type takes tags in provider 3.39 (they plan a `tags_all`)."""
    return [a for a, r in resources(plan).items()
            if "tags_all" in (r.get("values") or {}) or "tags_all" in unknown(plan, a)]


def assert_tagged(plan: TerraformPlanOutput) -> None:
    """Every taggable resource merges the module's tags with a Name and gets the default tags."""
    addresses = taggable(plan)
    assert addresses, "no taggable resource: the tag check would prove nothing"
    problems = []
    for address in addresses:
        planned = values(plan, address)
        own = planned.get("tags") or {}
        effective = planned.get("tags_all") or own
        if not MODULE_TAGS.items() <= own.items() or not own.get("Name"):
            problems.append(f"{address}: tags {own}")
        if not DEFAULT_TAGS.items() <= effective.items():
            problems.append(f"{address}: tags_all {effective}")
    assert problems == []


def statements(document: str) -> dict[str, dict[str, Any]]:
    """An IAM policy JSON (as planned) by statement Sid."""
    out = {}
    for statement in json.loads(document)["Statement"]:
        out[statement["Sid"]] = statement
    return out


def as_list(value: Any) -> list[Any]:
    """IAM accepts a string or a list for Action/Resource/values: compare as lists."""
    return value if isinstance(value, list) else [value]


def config_statements(plan: TerraformPlanOutput, data_address: str) -> dict[str, dict[str, Any]]:
    """Statements of an `aws_iam_policy_document` from the configuration, by sid.

    Used where the rendered policy is unknown at plan time (it embeds the ARN
    of a resource not created yet); constant parts (effect, actions,
    conditions) are still visible in the configuration.
    """
    config = tftest_plans.config(plan, data_address)["expressions"]
    out = {}
    for statement in config.get("statement", []):
        out[statement["sid"]["constant_value"]] = statement
    return out


def constant(expression: dict[str, Any]) -> Any:
    """The constant value of a configuration expression (KeyError when it is not constant)."""
    return expression["constant_value"]


def world_ingress(plan: TerraformPlanOutput) -> list[tuple[str, int, int]]:
    """(address, from, to) of every ingress rule open to 0.0.0.0/0 or ::/0."""
    out = []
    for item in of_type(plan, "aws_security_group_rule"):
        rule = item["values"]
        cidrs = set(rule.get("cidr_blocks") or []) | set(rule.get("ipv6_cidr_blocks") or [])
        if rule["type"] == "ingress" and cidrs & WORLD:
            out.append((item["address"], rule["from_port"], rule["to_port"]))
    groups = of_type(plan, "aws_security_group") + of_type(plan, "aws_default_security_group")
    for group in groups:
        for rule in group["values"].get("ingress") or []:
            cidrs = set(rule.get("cidr_blocks") or []) | set(rule.get("ipv6_cidr_blocks") or [])
            if cidrs & WORLD:
                out.append((group["address"], rule["from_port"], rule["to_port"]))
    return out



def refs(plan: TerraformPlanOutput, address: str, attribute: str) -> set[str]:
    """What one configuration attribute references, without instance keys (`aws_x.y[0].id` ->
    `aws_x.y.id`)."""
    return {config_address(r) for r in tftest_plans.refs(plan, address, attribute)}


def assert_tls_only_bucket_policy(
    plan: TerraformPlanOutput, policy_address: str, bucket: str
) -> None:
    """The policy at `policy_address` sits on `bucket` and denies every request without TLS.

    The rendered policy embeds the bucket ARN (unknown until apply), so the
    statement is read from the configuration and the wiring from references.
    """
    module = tftest_plans.module_address(policy_address)
    assert f"{bucket}.id" in refs(plan, policy_address, "bucket"), policy_address
    (document,) = [r for r in refs(plan, policy_address, "policy") if r.endswith(".json")]
    prefix = f"{config_address(module)}." if module else ""
    deny = config_statements(plan, prefix + document.removesuffix(".json"))["DenyInsecureTransport"]
    assert constant(deny["effect"]) == "Deny"
    assert constant(deny["actions"]) == ["s3:*"]
    principals = [(constant(p["type"]), constant(p["identifiers"])) for p in deny["principals"]]
    assert principals == [("*", ["*"])]
    conditions = [
        (constant(c["test"]), constant(c["variable"]), constant(c["values"]))
        for c in deny["condition"]
    ]
    assert conditions == [("Bool", "aws:SecureTransport", ["false"])]
    assert {config_address(r) for r in deny["resources"]["references"]} == {f"{bucket}.arn", bucket}


def assert_private_versioned_bucket(
    plan: TerraformPlanOutput, bucket_address: str, algorithm: str
) -> None:
    """Versioned, encrypted by default with `algorithm`, and blocked from any public use."""
    bucket = values(plan, bucket_address)
    assert bucket["versioning"][0]["enabled"] is True, bucket_address
    (rule,) = bucket["server_side_encryption_configuration"][0]["rule"]
    (default,) = rule["apply_server_side_encryption_by_default"]
    assert default["sse_algorithm"] == algorithm, bucket_address
    block_address = bucket_address.replace("aws_s3_bucket.", "aws_s3_bucket_public_access_block.")
    block = values(plan, block_address)
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls",
             "restrict_public_buckets")
    assert {key: block[key] for key in flags} == dict.fromkeys(flags, True), block_address
    module = tftest_plans.module_address(bucket_address)
    local = bucket_address.removeprefix(f"{module}.") if module else bucket_address
    assert f"{config_address(local)}.id" in refs(plan, block_address, "bucket")
