"""Literal credentials in resource arguments, and secret-named variables not marked sensitive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource, config_address
from tfproof.redact import is_secret_name

RESOURCE_TYPES = ("*",)


def literal_secrets(expressions: Any, path: str = "") -> Iterator[str]:
    """Paths of secret-named arguments whose configuration is a non-empty constant."""
    if isinstance(expressions, dict):
        for key, expr in expressions.items():
            here = f"{path}.{key}" if path else key
            if isinstance(expr, dict) and "constant_value" in expr and is_secret_name(key):
                if expr["constant_value"] not in (None, "", False):
                    yield here
            elif isinstance(expr, (dict, list)):
                yield from literal_secrets(expr, here)
    elif isinstance(expressions, list):
        for item in expressions:
            yield from literal_secrets(item, path)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Judged only where the configuration is known (plan JSON carries it)."""
    if not resource.config:
        return None
    found = index.memo(
        "secrets_literal", config_address(resource.address),
        lambda: sorted(set(literal_secrets(resource.expressions))),
    )
    if found:
        return Verdict.fail("literal credential in " + ", ".join(found))
    return None


def _is_flag(name: str, variable: dict[str, Any]) -> bool:
    """`create_cache_secret = true` names a secret but holds a switch, not a credential."""
    default = variable.get("default")
    return isinstance(default, (bool, int, float)) or name.startswith(_FLAG_PREFIXES)


_FLAG_PREFIXES = ("create_", "enable_", "use_", "manage_", "rotate_", "is_", "has_")


def evaluate_plan(index: PlanIndex) -> Iterator[Verdict]:
    """Secret-named variables of every module must be sensitive."""
    for path, module in index.modules():
        prefix = "".join(f"module.{p}." for p in path)
        for name, variable in (module.get("variables") or {}).items():
            if not is_secret_name(name) or _is_flag(name, variable):
                continue
            address = f"{prefix}var.{name}"
            if variable.get("sensitive"):
                yield Verdict("passed", f"{address} is sensitive", address)
            else:
                yield Verdict("failed", f"secret variable {address} is not sensitive", address)


export_check(globals())
