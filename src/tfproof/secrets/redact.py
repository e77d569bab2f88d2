"""Redaction of sensitive values in plan JSON, before it is cached, scanned or archived.

`terraform show -json` writes sensitive values in clear and marks them in a
parallel `*_sensitive` structure. Every plan tfproof keeps passes through here
first, so no password, auth token or secret string reaches the cache, a report
or the evidence bundle. Literal secrets in the configuration (a password written
in HCL, a `DB_PASSWORD` in a Lambda's environment map, a name/value pair in an
ECS container definition, an `export PASSWORD=...` line in user_data) are
replaced too, wherever they sit: the policies only need to know that a literal
is there, not what it is. How one value is masked lives in `tfproof.secrets.text`.

Every clear text replaced here is handed to the process-wide scrubber
(`tfproof.secrets.scrub.remember`), so a later message that quotes it (Terraform's own
diagnostics, a checkov message) prints the marker instead.
"""

from __future__ import annotations

from typing import Any

from tfproof.secrets.scrub import MIN_SECRET_LENGTH, remember
from tfproof.secrets.text import REDACTED, is_secret_key, is_secret_name, mask_value

__all__ = ["REDACTED", "is_leaf", "is_secret_name", "redact_plan", "secret_pair"]

_LEAF_KEYS = frozenset({"constant_value", "references"})


def is_leaf(expression: Any) -> bool:
    """A configuration expression of one argument (`constant_value` and/or `references`),
    not a nested block. `{}` is one too: a call without references (`jsonencode([...])`)."""
    return isinstance(expression, dict) and set(expression) <= _LEAF_KEYS


def secret_pair(block: dict[str, Any]) -> str | None:
    """The credential name of a `setting { name = "DB_PASSWORD"  value = "..." }` block whose
    name and value are both written as constants, else None."""
    name, value = block.get("name"), block.get("value")
    if not (is_leaf(name) and is_leaf(value) and "constant_value" in value):
        return None
    label = name.get("constant_value")
    return label if isinstance(label, str) and is_secret_key(label) else None


def _hide(value: Any, found: list[str]) -> str:
    """The marker for a value replaced whole (its clear text kept for the scrubber)."""
    if isinstance(value, str):
        found.append(value)
    return REDACTED


def _values(value: Any, sensitive: Any, found: list[str], key: str = "") -> Any:
    """Schema-sensitive leaves, and credentials by name and inside strings, in one walk."""
    masked, hits = mask_value(value, key, sensitive)
    found.extend(hits)
    return masked


def _module_values(module: dict[str, Any], found: list[str]) -> None:
    for resource in module.get("resources", []):
        # Terraform omits `values` when every attribute is unknown; adding `"values": null`
        # would make checkov's plan parser crash ("this method receives only dicts").
        if resource.get("values") is None:
            resource.pop("values", None)
            continue
        resource["values"] = _values(
            resource["values"], resource.get("sensitive_values", {}), found
        )
    for child in module.get("child_modules", []):
        _module_values(child, found)


def _configuration(module: dict[str, Any], found: list[str]) -> None:
    for resource in module.get("resources", []):
        _config_expressions(resource.get("expressions", {}), found)
    for call in module.get("module_calls", {}).values():
        _config_expressions(call.get("expressions", {}), found)
        _configuration(call.get("module", {}), found)
    for name, output in module.get("outputs", {}).items():
        expression = output.get("expression")
        if output.get("sensitive") and isinstance(expression, dict):
            _mask_constant(expression, found)
        else:
            _config_expressions({name: expression}, found)
    for name, variable in module.get("variables", {}).items():
        if "default" not in variable or variable["default"] is None:
            continue
        if variable.get("sensitive") or is_secret_name(name):
            variable["default"] = _hide(variable["default"], found)
        else:
            variable["default"] = _values(variable["default"], False, found, name)


def _mask_constant(expression: dict[str, Any], found: list[str]) -> None:
    """A whole constant replaced (a credential-named argument, a sensitive output)."""
    constant = expression.get("constant_value")
    # a boolean under a credential name is a switch (`manage_master_user_password = true`)
    if constant in (None, "") or isinstance(constant, bool):
        return
    expression["constant_value"] = _hide(constant, found)


def _config_expressions(expressions: Any, found: list[str]) -> None:
    """Constants of a resource's (or module call's) arguments and nested blocks, in place."""
    if isinstance(expressions, list):
        for item in expressions:
            _config_expressions(item, found)
        return
    if not isinstance(expressions, dict):
        return
    if secret_pair(expressions):
        _mask_constant(expressions["value"], found)
    for key, expr in expressions.items():
        if not is_leaf(expr):
            _config_expressions(expr, found)
        elif "constant_value" in expr:
            if is_secret_name(key):
                _mask_constant(expr, found)
            else:
                expr["constant_value"] = _values(expr["constant_value"], False, found, key)


def _remember(found: list[str]) -> None:
    """Hand the replaced clear texts to the scrubber (not the short ones: they would mangle
    ordinary words in every message, and the guard ignores them anyway)."""
    remember(*{v for v in found if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH})


def redact_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """Redact a plan JSON document in place and return it."""
    found: list[str] = []
    config_vars = plan.get("configuration", {}).get("root_module", {}).get("variables", {})
    for name, variable in plan.get("variables", {}).items():
        if variable.get("value") is None:
            continue
        if config_vars.get(name, {}).get("sensitive") or is_secret_name(name):
            variable["value"] = _hide(variable["value"], found)
        else:
            variable["value"] = _values(variable["value"], False, found, name)
    for key in ("planned_values", "prior_state"):
        section = plan.get(key)
        if not isinstance(section, dict):
            continue
        values = section.get("values", section)
        if "root_module" in values:
            _module_values(values["root_module"], found)
        for name, output in values.get("outputs", {}).items():
            if output.get("sensitive"):
                output["value"] = _hide(output.get("value"), found)
            elif "value" in output:
                output["value"] = _values(output["value"], False, found, name)
    for change in plan.get("resource_changes", []) + plan.get("resource_drift", []):
        body = change.get("change", {})
        for side in ("before", "after"):
            body[side] = _values(body.get(side), body.get(f"{side}_sensitive", False), found)
    for name, output in plan.get("output_changes", {}).items():
        for side in ("before", "after"):
            if output.get(f"{side}_sensitive"):
                output[side] = _hide(output.get(side), found)
            elif side in output:
                output[side] = _values(output[side], False, found, name)
    configuration = plan.get("configuration", {})
    for provider in configuration.get("provider_config", {}).values():
        _config_expressions(provider.get("expressions", {}), found)
    _configuration(configuration.get("root_module", {}), found)
    _remember(found)
    return plan
