"""Literal credentials in resource arguments, and secret-named variables not marked sensitive.

A literal is a constant of the configuration whose redacted form holds the
redaction marker: a credential-named argument (`password = "..."`), a
credential-named key at any depth of a constant map (a Lambda's
`environment.variables.DB_PASSWORD`), a credential-named name/value pair inside
a JSON string (an ECS container definition's environment), an
`export PASSWORD=...` line in a script (`user_data`, also base64-encoded). The
plan tfproof keeps is already redacted, so the value itself is gone; applying
the same masking again (`tfproof.secrets.text.mask_value`, idempotent) finds the
markers and also judges a plan that was built in memory without redaction.

An argument built only from literals by a function (`jsonencode([...])`,
`base64encode(...)`) has no `constant_value` in the plan's configuration but
also no reference, so its planned value is the literal and is judged the same
way. Values that come from variables or other references are not literals.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource, config_address
from tfproof.secrets.redact import is_leaf, is_secret_name, secret_pair
from tfproof.secrets.text import marker_paths, mask_value

RESOURCE_TYPES = ("*",)

# arguments where people write credentials although no schema marks them sensitive:
# a resource with one of these (or a credential-named argument) is judged, and passes
# when none holds a literal
CARRIERS = frozenset({"environment", "container_definitions", "user_data", "user_data_base64"})


def _item(values: Any, number: int) -> Any:
    return values[number] if isinstance(values, list) and number < len(values) else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _literal_value(expression: dict[str, Any], planned: Any) -> tuple[bool, Any]:
    """(is a literal, its value): a constant, or the planned value of a reference-free call."""
    if "constant_value" in expression:
        return True, expression["constant_value"]
    if not expression.get("references") and planned is not None:
        return True, planned
    return False, None


def _leaf(key: str, expression: dict[str, Any], planned: Any, path: str) -> Iterator[str]:
    literal, value = _literal_value(expression, planned)
    if not literal or value in (None, "") or isinstance(value, bool):
        return
    if is_secret_name(key) and isinstance(value, int | float):
        yield path  # `pin = 1234`: a number under a credential name is still written down
        return
    masked, _ = mask_value(value, key)
    yield from marker_paths(masked, path)


def _pair(block: dict[str, Any]) -> str | None:
    """The name of a credential-named `setting { name = ...  value = "..." }` with a text value."""
    label = secret_pair(block)
    constant = block["value"]["constant_value"] if label else None
    return label if isinstance(constant, str) and constant else None


def literal_secrets(expressions: Any, values: Any = None, path: str = "") -> Iterator[str]:
    """Paths of literal credentials in configuration expressions (planned `values` beside)."""
    if isinstance(expressions, list):
        for number, block in enumerate(expressions):
            yield from literal_secrets(block, _item(values, number), path)
        return
    if not isinstance(expressions, dict):
        return
    pair = _pair(expressions)
    if pair:
        yield _join(path, pair)
    for key, expression in expressions.items():
        if pair and key == "value":
            continue
        here = _join(path, key)
        planned = values.get(key) if isinstance(values, dict) else None
        if is_leaf(expression):
            yield from _leaf(key, expression, planned, here)
        else:
            yield from literal_secrets(expression, planned, here)


def carriers(expressions: Any, path: str = "") -> Iterator[str]:
    """Configured arguments that could hold a credential (judged even when none does)."""
    if isinstance(expressions, list):
        for block in expressions:
            yield from carriers(block, path)
    elif isinstance(expressions, dict):
        for key, expression in expressions.items():
            here = _join(path, key)
            if key in CARRIERS or is_secret_name(key):
                yield here
            elif not is_leaf(expression):
                yield from carriers(expression, here)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Judged only where the configuration is known (plan JSON carries it)."""
    if not resource.config:
        return None
    found, carried = index.memo(
        "secrets_literal", config_address(resource.address),
        lambda: (sorted(set(literal_secrets(resource.expressions, resource.values))),
                 sorted(set(carriers(resource.expressions)))),
    )
    if found:
        return Verdict.fail("literal credential in " + ", ".join(found))
    if carried:
        return Verdict.ok("no literal credential in " + ", ".join(carried))
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
