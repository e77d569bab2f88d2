"""The engine's read-only model of a plan: managed resources with what policies need.

Tests read plans as tftest's objects (tfproof_dev.tftest_plans); this model is
the engine's own, for what tftest does not carry. Values known only after apply
are kept apart (`Resource.unknown`) so that a policy can tell "not set" from
"not known yet". Each resource also
carries its configuration block (expressions and references), which is where
relations live that the planned values cannot show: a security group rule's
target, a bucket policy's bucket, a literal secret.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tfproof import plan_reader
from tfproof.errors import InputError
from tfproof.secrets.redact import redact_plan

# one `[...]` index: a number, or a quoted key whose `]`, `.` and `\"` are part of the key
KEY_PATTERN = r'"(?:[^"\\]|\\.)*"|[^\]"]*'
INDEX_PATTERN = rf"\[(?:{KEY_PATTERN})\]"
_INDEX_RE = re.compile(INDEX_PATTERN)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector during a burst of allocation (plan parsing, one scan).

    Parsing a plan JSON or indexing and judging every resource allocates
    millions of long-lived containers; each automatic collection walks all of
    them, so with the collector running the time grows faster than the plan.
    Reference counting still frees everything acyclic at once; the rare cycle
    made meanwhile is collected once the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def config_address(address: str) -> str:
    """Configuration address of an instance: `module.a["x"].aws_b.c[0]` -> `module.a.aws_b.c`."""
    if "[" not in address:
        return address
    return _INDEX_RE.sub("", address)


@dataclass
class Resource:
    """One planned managed resource instance."""

    address: str
    type: str
    name: str
    module_address: str
    index: Any
    values: dict[str, Any]
    unknown: dict[str, Any]
    sensitive: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)
    actions: tuple[str, ...] = ("create",)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        """A planned value, or `default` when unset."""
        value = self.values.get(key)
        return default if value is None else value

    def is_unknown(self, key: str) -> bool:
        """True when the attribute is only known after apply."""
        return bool(self.unknown.get(key))

    @property
    def expressions(self) -> dict[str, Any]:
        """The configuration expressions of this resource (constant_value / references)."""
        return self.config.get("expressions", {})

    def references(self, attribute: str) -> list[str]:
        """Addresses referenced by one configuration attribute (e.g. `bucket`)."""
        expr = self.expressions.get(attribute)
        if isinstance(expr, dict):
            return list(expr.get("references", []))
        return []

    @property
    def tags(self) -> dict[str, str]:
        """Effective tags: tags_all (provider default_tags merged) when planned, else tags."""
        return dict(self.values.get("tags_all") or self.values.get("tags") or {})


def _walk_modules(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield module
    for child in module.get("child_modules", []):
        yield from _walk_modules(child)


def _walk_config(
    module: dict[str, Any], prefix: str = ""
) -> Iterator[tuple[str, dict[str, Any]]]:
    for resource in module.get("resources", []):
        yield (prefix + resource["address"], resource)
    for name, call in module.get("module_calls", {}).items():
        yield from _walk_config(call.get("module", {}), f"{prefix}module.{name}.")


class Plan:
    """A plan JSON document with resources indexed by address."""

    def __init__(self, raw: dict[str, Any], name: str = "plan", *, checked: bool = False) -> None:
        if not checked:
            plan_reader.validate(raw, name)
        self.raw = raw
        self.name = name

    @classmethod
    def load(cls, path: Path | str) -> Plan:
        """Read a user's plan JSON file: refuse anything unusable, redact before any copy."""
        with gc_paused():
            raw = plan_reader.load(path)
        try:
            redacted = redact_plan(raw)
        except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
            # the schema checks the members tfproof judges; redaction walks every value, and
            # a value it cannot walk must stop the run, never reach a copy unredacted
            raise InputError(
                f"{path} could not be redacted ({type(exc).__name__}: {exc}): a value has a "
                "type `terraform show -json` never writes, so nothing was judged. Scan the "
                "unmodified output of `terraform show -json PLANFILE`."
            ) from exc
        return cls(redacted, name=str(path), checked=True)

    @cached_property
    def configs(self) -> dict[str, dict[str, Any]]:
        """Configuration blocks by configuration address (no instance keys)."""
        root = self.raw.get("configuration", {}).get("root_module", {})
        return dict(_walk_config(root))

    @cached_property
    def resources(self) -> dict[str, Resource]:
        """Managed resource instances by full address."""
        unknown_by_address: dict[str, dict[str, Any]] = {}
        actions_by_address: dict[str, tuple[str, ...]] = {}
        for change in self.raw.get("resource_changes", []):
            if change.get("deposed"):
                # a deposed object (an earlier create_before_destroy's leftover) has its own
                # delete change at the same address: it says nothing of the current object
                continue
            body = change.get("change", {})
            unknown_by_address[change["address"]] = body.get("after_unknown") or {}
            actions_by_address[change["address"]] = tuple(body.get("actions", ()))
        out: dict[str, Resource] = {}
        root = self.raw.get("planned_values", {}).get("root_module", {})
        for module in _walk_modules(root):
            for item in module.get("resources", []):
                if item.get("mode") != "managed":
                    continue
                address = item["address"]
                out[address] = Resource(
                    address=address,
                    type=item["type"],
                    name=item["name"],
                    module_address=module.get("address", ""),
                    index=item.get("index"),
                    values=item.get("values") or {},
                    unknown=unknown_by_address.get(address, {}),
                    sensitive=item.get("sensitive_values") or {},
                    config=self.configs.get(config_address(address), {}),
                    actions=actions_by_address.get(address, ("create",)),
                )
        return out

    def of_type(self, resource_type: str) -> list[Resource]:
        """All instances of one resource type, in address order."""
        return sorted(
            (r for r in self.resources.values() if r.type == resource_type),
            key=lambda r: r.address,
        )

    def __len__(self) -> int:
        return len(self.resources)

    def __repr__(self) -> str:
        return f"Plan({self.name!r}, {len(self)} resources)"
