"""Helpers shared by the module tests: where the examples live and how to read their plans.

Every example root passes `tags = { Owner = "platform-tests" }` to its module
and sets provider default_tags Environment/Project, so a resource carrying
`Owner` in its own `tags` proves the module merged `var.tags`, and `tags_all`
proves the provider defaults reached it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tfproof.plan import Plan, Resource, config_address

MODULES = Path(__file__).resolve().parents[3] / "infra" / "modules"
EXAMPLE_ACCOUNT = "123456789012"  # AWS documentation's example account id
EXAMPLE_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"
MODULE_TAGS = {"Owner": "platform-tests"}
DEFAULT_TAGS = {"Environment": "test", "Project": "gen-ai-services"}
WORLD = {"0.0.0.0/0", "::/0"}


def example_dir(module: str) -> Path:
    """The example root of one module."""
    return MODULES / module / "examples" / "basic"


def taggable(plan: Plan) -> list[Resource]:
    """Resources whose type takes tags in provider 3.39 (they plan a `tags_all`)."""
    return [r for r in plan.resources.values() if "tags_all" in r.values or "tags_all" in r.unknown]


def assert_tagged(plan: Plan) -> None:
    """Every taggable resource merges the module's tags with a Name and gets the default tags."""
    resources = taggable(plan)
    assert resources, "no taggable resource: the tag check would prove nothing"
    problems = []
    for resource in resources:
        own = resource.get("tags", {})
        if not MODULE_TAGS.items() <= own.items() or not own.get("Name"):
            problems.append(f"{resource.address}: tags {own}")
        if not DEFAULT_TAGS.items() <= resource.tags.items():
            problems.append(f"{resource.address}: tags_all {resource.tags}")
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


def config_statements(plan: Plan, data_address: str) -> dict[str, dict[str, Any]]:
    """Statements of an `aws_iam_policy_document` from the configuration, by sid.

    Used where the rendered policy is unknown at plan time (it embeds the ARN
    of a resource not created yet); constant parts (effect, actions,
    conditions) are still visible in the configuration.
    """
    config = plan.configs[data_address]["expressions"]
    out = {}
    for statement in config.get("statement", []):
        out[statement["sid"]["constant_value"]] = statement
    return out


def constant(expression: dict[str, Any]) -> Any:
    """The constant value of a configuration expression (KeyError when it is not constant)."""
    return expression["constant_value"]


def world_ingress(plan: Plan) -> list[tuple[str, int, int]]:
    """(address, from, to) of every ingress rule open to 0.0.0.0/0 or ::/0."""
    out = []
    for rule in plan.of_type("aws_security_group_rule"):
        cidrs = set(rule.get("cidr_blocks", [])) | set(rule.get("ipv6_cidr_blocks", []))
        if rule["type"] == "ingress" and cidrs & WORLD:
            out.append((rule.address, rule["from_port"], rule["to_port"]))
    for group in plan.of_type("aws_security_group") + plan.of_type("aws_default_security_group"):
        for rule in group.get("ingress", []):
            cidrs = set(rule.get("cidr_blocks") or []) | set(rule.get("ipv6_cidr_blocks") or [])
            if cidrs & WORLD:
                out.append((group.address, rule["from_port"], rule["to_port"]))
    return out



def refs(resource: Resource, attribute: str) -> set[str]:
    """What one configuration attribute references, without instance keys (`aws_x.y[0].id` ->
    `aws_x.y.id`)."""
    return {config_address(r) for r in resource.references(attribute)}


def assert_tls_only_bucket_policy(plan: Plan, policy_address: str, bucket: str) -> None:
    """The policy at `policy_address` sits on `bucket` and denies every request without TLS.

    The rendered policy embeds the bucket ARN (unknown until apply), so the
    statement is read from the configuration and the wiring from references.
    """
    policy = plan.resources[policy_address]
    assert f"{bucket}.id" in refs(policy, "bucket"), policy_address
    (document,) = [r for r in refs(policy, "policy") if r.endswith(".json")]
    prefix = f"{config_address(policy.module_address)}." if policy.module_address else ""
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


def assert_private_versioned_bucket(plan: Plan, bucket_address: str, algorithm: str) -> None:
    """Versioned, encrypted by default with `algorithm`, and blocked from any public use."""
    bucket = plan.resources[bucket_address]
    assert bucket["versioning"][0]["enabled"] is True, bucket_address
    (rule,) = bucket["server_side_encryption_configuration"][0]["rule"]
    (default,) = rule["apply_server_side_encryption_by_default"]
    assert default["sse_algorithm"] == algorithm, bucket_address
    block_address = bucket_address.replace("aws_s3_bucket.", "aws_s3_bucket_public_access_block.")
    block = plan.resources[block_address]
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls",
             "restrict_public_buckets")
    assert {key: block[key] for key in flags} == dict.fromkeys(flags, True), block_address
    local = bucket_address.removeprefix(f"{bucket.module_address}.") if bucket.module_address \
        else bucket_address
    assert f"{config_address(local)}.id" in refs(block, "bucket")
