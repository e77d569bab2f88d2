"""Parts of a plan document the index reads besides managed resources: data sources, default tags.

Data sources are read at plan time (prior state) or deferred to apply (a
resource change with mode `data`); provider `default_tags` reach every resource
of that provider. Both are pure functions of the plan document.
"""

from __future__ import annotations

from typing import Any

from tfproof.plan import Resource


def data_sources(raw: dict[str, Any]) -> list[Resource]:
    """Data sources with what the plan knows of them (read now, or deferred to apply)."""
    found: dict[str, Resource] = {}
    prior = (raw.get("prior_state") or {}).get("values", {}).get("root_module", {})
    stack = [prior]
    while stack:
        module = stack.pop()
        stack.extend(module.get("child_modules", []))
        for item in module.get("resources", []):
            if item.get("mode") == "data":
                found[item["address"]] = _data_resource(item["address"], item, {}, item)
    for change in raw.get("resource_changes", []):
        if change.get("mode") == "data":
            body = change.get("change", {})
            found[change["address"]] = _data_resource(
                change["address"], change, body.get("after_unknown") or {},
                {"values": body.get("after") or {}},
            )
    return list(found.values())


def _data_resource(
    address: str, item: dict[str, Any], unknown: dict[str, Any], values: dict[str, Any]
) -> Resource:
    return Resource(
        address=address, type=item.get("type", ""), name=item.get("name", ""),
        module_address=item.get("module_address", ""), index=item.get("index"),
        values=values.get("values") or {}, unknown=unknown, sensitive={},
    )


def provider_default_tags(raw: dict[str, Any], resource: Resource) -> dict[str, Any] | None:
    """The provider default_tags that apply to `resource` ({} none, None = not constant)."""
    providers = raw.get("configuration", {}).get("provider_config", {})
    key = resource.config.get("provider_config_key", "aws")
    config = providers.get(key) or providers.get(key.split(":")[-1]) or {}
    blocks = config.get("expressions", {}).get("default_tags")
    if not blocks:
        return {}
    merged: dict[str, Any] = {}
    for block in blocks if isinstance(blocks, list) else [blocks]:
        tags = block.get("tags", {}) if isinstance(block, dict) else {}
        if "constant_value" not in tags:
            return None
        merged.update(tags["constant_value"] or {})
    return merged
