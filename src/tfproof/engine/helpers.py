"""Small readers shared by the custom policies (blocks, IAM documents, CIDRs, booleans).

Plan JSON has quirks a policy must not trip on: nested blocks are lists, a
provider may omit an attribute or leave it unknown, IAM documents are JSON
strings whose Action/Resource may be a string or a list. These helpers absorb
that once so each policy reads like its rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tfproof.plan import Resource

WORLD_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


def block(values: dict[str, Any], name: str) -> dict[str, Any]:
    """The first instance of a nested block (`{}` when absent)."""
    value = values.get(name)
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else {}
    return value if isinstance(value, dict) else {}


def blocks(values: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """Every instance of a nested block."""
    value = values.get(name)
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return [value] if isinstance(value, dict) else []


def unknown(resource: Resource, *path: str) -> bool:
    """True when the attribute at `path` (or any part of it) is known only after apply."""
    node: Any = resource.unknown
    for part in path:
        if node is True:
            return True
        if isinstance(node, list):
            if any(item is True or (isinstance(item, dict) and _any_true(item)) for item in node):
                return True
            return False
        if not isinstance(node, dict):
            return False
        node = node.get(part)
    return node is True or (isinstance(node, (dict, list)) and _any_true(node))


def unset_on_create(resource: Resource, attribute: str) -> bool:
    """An optional+computed argument the configuration never sets, on a resource being created.

    The provider leaves it unknown in the plan, but AWS applies its default (off for
    every encryption and versioning switch the policies read), so it is not "unknown".
    """
    return "create" in resource.actions and attribute not in resource.expressions


def _any_true(node: Any) -> bool:
    if node is True:
        return True
    if isinstance(node, dict):
        return any(_any_true(v) for v in node.values())
    if isinstance(node, list):
        return any(_any_true(v) for v in node)
    return False


def truthy(value: Any) -> bool:
    """Terraform booleans arrive as bools or strings."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on", "enabled")
    return bool(value)


def as_list(value: Any) -> list[Any]:
    """A scalar or list as a list (None -> [])."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_document(text: Any) -> dict[str, Any] | None:
    """An IAM / resource policy document from a JSON string (None when not JSON)."""
    if isinstance(text, dict):
        return text
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return None
    return doc if isinstance(doc, dict) else None


def statements(doc: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """The statements of a policy document, always as dicts."""
    if not doc:
        return
    for statement in as_list(doc.get("Statement")):
        if isinstance(statement, dict):
            yield statement


def lower_keys(mapping: Any) -> dict[str, Any]:
    """A condition block with case-insensitive keys (IAM keys are case-insensitive)."""
    if not isinstance(mapping, dict):
        return {}
    return {str(k).lower(): v for k, v in mapping.items()}


def resource_tags(resource: Resource) -> dict[str, Any]:
    """Effective tags: tags_all (provider default_tags merged) when planned, else tags."""
    values = resource.values
    if isinstance(values.get("tags_all"), dict) and values["tags_all"]:
        return values["tags_all"]
    return values.get("tags") or {}


def ports_overlap(from_port: Any, to_port: Any, protocol: Any) -> tuple[int, int]:
    """The inclusive port range a rule opens (all ports for protocol -1 / all)."""
    if str(protocol).lower() in ("-1", "all"):
        return (0, 65535)
    try:
        low, high = int(from_port), int(to_port)
    except (TypeError, ValueError):
        return (0, 65535)
    return (low, high)
