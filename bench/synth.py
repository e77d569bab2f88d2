"""Synthetic plans of N resources, grown from one real plan so checkov and tfproof see real shapes.

A real plan (the production env's, or any root module the user names) is
replicated: copy k of the whole root module is wrapped in `module.copyk`, in
planned_values, resource_changes, relevant_attributes and configuration
(as a module call), so every address is renamed consistently and references
inside a copy stay resolvable. The last copy is truncated to reach exactly N
managed resources. Nothing is invented: every resource body is a real planned
resource of the real provider.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Any


def managed_count(raw: dict[str, Any]) -> int:
    """Managed resource instances in planned_values (the unit every size is counted in)."""
    return sum(1 for _ in _managed(raw.get("planned_values", {}).get("root_module", {})))


def _managed(module: dict[str, Any]) -> Any:
    for item in module.get("resources", []):
        if item.get("mode") == "managed":
            yield item
    for child in module.get("child_modules", []):
        yield from _managed(child)


def _prefix(address: str, prefix: str) -> str:
    return f"{prefix}.{address}" if address else prefix


def _wrap_planned(module: dict[str, Any], prefix: str, keep: set[str] | None) -> dict[str, Any]:
    """Rename one planned module tree under `prefix`; `keep` limits managed resources."""
    out: dict[str, Any] = {"address": _prefix(module.get("address", ""), prefix)}
    resources = []
    for item in module.get("resources", []):
        if keep is not None and item.get("mode") == "managed" and item["address"] not in keep:
            continue
        renamed = dict(item)
        renamed["address"] = _prefix(item["address"], prefix)
        resources.append(renamed)
    if resources:
        out["resources"] = resources
    children = [_wrap_planned(c, prefix, keep) for c in module.get("child_modules", [])]
    children = [c for c in children if c.get("resources") or c.get("child_modules")]
    if children:
        out["child_modules"] = children
    return out


def _wrap_change(change: dict[str, Any], prefix: str) -> dict[str, Any]:
    renamed = dict(change)
    renamed["address"] = _prefix(change["address"], prefix)
    renamed["module_address"] = _prefix(change.get("module_address", ""), prefix)
    if "previous_address" in change:
        renamed["previous_address"] = _prefix(change["previous_address"], prefix)
    return renamed


def replicate(raw: dict[str, Any], size: int) -> dict[str, Any]:
    """A plan of exactly `size` managed resources made of renamed copies of `raw`."""
    base = managed_count(raw)
    if base == 0:
        raise ValueError("the source plan has no managed resources to replicate")
    if size < 1:
        raise ValueError("size must be at least 1")
    copies = math.ceil(size / base)
    order = [item["address"] for item in _managed(raw["planned_values"]["root_module"])]
    root = raw["planned_values"]["root_module"]
    root_config = raw.get("configuration", {}).get("root_module", {})
    children: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    relevant: list[dict[str, Any]] = []
    calls: dict[str, Any] = {}
    for k in range(copies):
        name = f"copy{k}"
        prefix = f"module.{name}"
        remaining = size - k * base
        keep = None if remaining >= base else set(order[:remaining])
        children.append(_wrap_planned(root, prefix, keep))
        for change in raw.get("resource_changes", []):
            managed = change.get("mode") == "managed"
            if keep is not None and managed and change["address"] not in keep:
                continue
            changes.append(_wrap_change(change, prefix))
        for attr in raw.get("relevant_attributes", []):
            relevant.append({**attr, "resource": _prefix(attr["resource"], prefix)})
        # Configuration is per module, not per instance: each copy calls the whole root.
        calls[name] = {"source": f"./copies/{name}", "module": root_config}
    out = {key: value for key, value in raw.items() if key not in {"prior_state"}}
    out["planned_values"] = {"root_module": {"child_modules": children}}
    out["resource_changes"] = changes
    if "relevant_attributes" in raw:
        out["relevant_attributes"] = relevant
    configuration = copy.copy(raw.get("configuration", {}))
    configuration["root_module"] = {"module_calls": calls}
    out["configuration"] = configuration
    return out


def write_plans(source: dict[str, Any], sizes: list[int], directory: Path) -> dict[int, Path]:
    """Write one synthetic plan per size (reused when already there with the same source)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = directory / "source.sha"
    digest = hashlib.sha256(json.dumps(source, sort_keys=True).encode()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != digest:
        for old in directory.glob("plan-*.json"):
            old.unlink()
    paths: dict[int, Path] = {}
    for size in sizes:
        path = directory / f"plan-{size}.json"
        if not path.exists():
            plan = replicate(source, size)
            addresses = [r["address"] for r in _managed(plan["planned_values"]["root_module"])]
            if len(addresses) != size or len(set(addresses)) != size:
                raise RuntimeError(f"synthetic plan of {size}: {len(set(addresses))} addresses")
            tmp = path.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(plan))
            tmp.replace(path)
        paths[size] = path
    stamp.write_text(digest + "\n")
    return paths
