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

from tfproof.plan import Plan, Resource

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
