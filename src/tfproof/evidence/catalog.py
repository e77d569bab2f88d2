"""The control catalog as the evidence needs it: id, title, the seed's words, framework refs.

The catalog is owned by the policy engine (`policies/catalog.yaml`, loaded by
`tfproof.engine.catalog.load_catalog`). This adapter turns its controls into
`ControlInfo`, whatever object shape the loader returns (attributes or
mapping), and names the frameworks the way auditors do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tfproof.errors import InputError
from tfproof.evidence.model import ControlInfo

FRAMEWORK_NAMES = {
    "cis": "CIS",
    "nist": "NIST 800-53",
    "nist_800_53": "NIST 800-53",
    "nist80053": "NIST 800-53",
    "soc2": "SOC 2",
    "soc_2": "SOC 2",
}


def _get(item: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(item, dict) and name in item:
            return item[name]
        if not isinstance(item, dict) and hasattr(item, name):
            return getattr(item, name)
    return default


def _frameworks(refs: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if not isinstance(refs, dict):
        return out
    for key, values in refs.items():
        name = FRAMEWORK_NAMES.get(str(key).lower().replace(" ", "_").replace("-", "_"), str(key))
        if isinstance(values, str):
            values = [values]
        out[name] = [str(v) for v in (values or [])]
    return out


def to_controls(items: Iterable[Any]) -> list[ControlInfo]:
    """`ControlInfo` for each catalog entry (attribute or mapping style)."""
    out = []
    for item in items:
        cid = _get(item, "id")
        if not cid:
            raise InputError(f"A control of the catalog has no id: {item!r}")
        seed = _get(item, "seed", "seed_words", "requirement", default=[])
        if isinstance(seed, list | tuple):
            seed = "; ".join(str(s) for s in seed)
        out.append(
            ControlInfo(
                id=str(cid),
                title=str(_get(item, "title", default="") or ""),
                requirement=str(seed or ""),
                holds_when=str(_get(item, "holds_when", "description", default="") or ""),
                frameworks=_frameworks(_get(item, "references", "frameworks", default={})),
                checks=tuple(str(c) for c in _get(item, "checks", default=[]) or []),
                advisory_checks=tuple(
                    str(c) for c in _get(item, "advisory_checks", default=[]) or []
                ),
            )
        )
    return out


def load_controls() -> list[ControlInfo]:
    """The catalog's controls, in catalog order, from the policy engine's loader."""
    from tfproof.engine.catalog import load_catalog

    controls = to_controls(load_catalog())
    if not controls:
        raise InputError("The control catalog is empty: policies/catalog.yaml lists no control.")
    return controls
