"""Redaction of sensitive values in plan JSON, before it is cached, scanned or archived.

`terraform show -json` writes sensitive values in clear and marks them in a
parallel `*_sensitive` structure. Every plan tfproof keeps passes through here
first, so no password, auth token or secret string reaches the cache, a report
or the evidence bundle. Literal secrets in the configuration (a password written
in HCL) are replaced too; the policies only need to know that a literal is
there, not what it is.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "**REDACTED**"

_SECRET_KEY = re.compile(
    r"(^|_)(password|passwd|secret|secret_string|secret_binary|token|auth_token|"
    r"access_key|secret_key|private_key|master_password|api_key|credentials?)$",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """True for attribute or variable names that conventionally hold credentials."""
    return bool(_SECRET_KEY.search(name))


def _mask(value: Any, sensitive: Any) -> Any:
    """Replace every leaf of `value` that `sensitive` marks true."""
    if sensitive is True:
        return REDACTED if value is not None else None
    if isinstance(value, dict) and isinstance(sensitive, dict):
        return {k: _mask(v, sensitive.get(k, False)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(sensitive, list):
        return [
            _mask(v, sensitive[i] if i < len(sensitive) else False) for i, v in enumerate(value)
        ]
    return value


def _mask_names(value: Any) -> Any:
    """Defensive pass: credential-named string attributes are masked whatever the schema says."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if is_secret_name(key) and isinstance(item, str) and item and item != REDACTED:
                out[key] = REDACTED
            else:
                out[key] = _mask_names(item)
        return out
    if isinstance(value, list):
        return [_mask_names(v) for v in value]
    return value


def _module_values(module: dict[str, Any]) -> None:
    for resource in module.get("resources", []):
        # Terraform omits `values` when every attribute is unknown; adding `"values": null`
        # would make checkov's plan parser crash ("this method receives only dicts").
        if resource.get("values") is None:
            resource.pop("values", None)
            continue
        resource["values"] = _mask_names(
            _mask(resource["values"], resource.get("sensitive_values", {}))
        )
    for child in module.get("child_modules", []):
        _module_values(child)


def _configuration(module: dict[str, Any]) -> None:
    for resource in module.get("resources", []):
        _config_expressions(resource.get("expressions", {}))
    for call in module.get("module_calls", {}).values():
        _config_expressions(call.get("expressions", {}))
        _configuration(call.get("module", {}))
    for name, variable in module.get("variables", {}).items():
        if "default" in variable and (variable.get("sensitive") or is_secret_name(name)):
            if variable["default"] is not None:
                variable["default"] = REDACTED


def _config_expressions(expressions: Any) -> None:
    if isinstance(expressions, dict):
        for key, expr in expressions.items():
            if (
                isinstance(expr, dict)
                and "constant_value" in expr
                and is_secret_name(key)
                and expr["constant_value"] not in (None, "")
            ):
                expr["constant_value"] = REDACTED
            else:
                _config_expressions(expr)
    elif isinstance(expressions, list):
        for item in expressions:
            _config_expressions(item)


def redact_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """Redact a plan JSON document in place and return it."""
    config_vars = plan.get("configuration", {}).get("root_module", {}).get("variables", {})
    for name, variable in plan.get("variables", {}).items():
        if config_vars.get(name, {}).get("sensitive") or is_secret_name(name):
            if variable.get("value") is not None:
                variable["value"] = REDACTED
    for key in ("planned_values", "prior_state"):
        section = plan.get(key)
        if not isinstance(section, dict):
            continue
        values = section.get("values", section)
        if "root_module" in values:
            _module_values(values["root_module"])
        for output in values.get("outputs", {}).values():
            if output.get("sensitive"):
                output["value"] = REDACTED
    for change in plan.get("resource_changes", []) + plan.get("resource_drift", []):
        body = change.get("change", {})
        for side in ("before", "after"):
            body[side] = _mask_names(_mask(body.get(side), body.get(f"{side}_sensitive", False)))
    for output in plan.get("output_changes", {}).values():
        for side in ("before", "after"):
            if output.get(f"{side}_sensitive"):
                output[side] = REDACTED
    _configuration(plan.get("configuration", {}).get("root_module", {}))
    return plan
