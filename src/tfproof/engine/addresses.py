"""Terraform addresses and reference expressions, as plain strings: split, key, walk.

`module.a["x"].aws_b.c[0]` is split into its parts, keyed by instance, and its
module prefix found; a configuration expression's `references` are walked with
the attribute path they sit under. The plan index builds on these.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tfproof.plan import INDEX_PATTERN, KEY_PATTERN

SKIP_PREFIXES = ("local.", "each.", "count.", "path.", "self.", "terraform.")


DATA_RE = re.compile(r"^data\.([a-zA-Z0-9_-]+)\.([a-zA-Z0-9_-]+)(\[[^\]]*\])?")


REF_RE = re.compile(r"^([a-zA-Z0-9_-]+)\.([a-zA-Z0-9_-]+)(\[[^\]]*\])?")


MODULE_RE = re.compile(r"^module\.([a-zA-Z0-9_-]+)(\[[^\]]*\])?(?:\.([a-zA-Z0-9_-]+))?")


_INSTANCE_KEY_RE = re.compile(rf"\[({KEY_PATTERN})\]$")


def walk_refs(expr: Any, path: str) -> Iterator[tuple[str, list[str]]]:
    """(attribute path, references) for every expression under `expr`."""
    if isinstance(expr, dict):
        refs = expr.get("references")
        if isinstance(refs, list):
            yield path, refs
            return
        for key, value in expr.items():
            if key in ("constant_value",):
                continue
            yield from walk_refs(value, f"{path}.{key}" if path else key)
    elif isinstance(expr, list):
        for item in expr:
            yield from walk_refs(item, path)


def module_prefix(address: str) -> str:
    """`module.a["x"].module.b.aws_s3_bucket.c[0]` -> `module.a["x"].module.b.`."""
    parts = split_address(address)
    out = []
    for index, part in enumerate(parts[:-2]):
        if index % 2 == 1 and parts[index - 1] == "module":
            out.append(f"module.{part}")
    return "".join(p + "." for p in out)


_PART_RE = re.compile(rf"(?:[^.\[]+|{INDEX_PATTERN})+")


def split_address(address: str) -> list[str]:
    """Split an address on dots outside brackets and quotes."""
    if "[" not in address:
        return [part for part in address.split(".") if part]
    return _PART_RE.findall(address)


def instance_key(address: str) -> str | None:
    """The `[...]` key of an instance address (`"x"` or `0`), None when unindexed."""
    match = _INSTANCE_KEY_RE.search(address)
    return match.group(1) if match else None
