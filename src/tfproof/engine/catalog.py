"""The control catalog (policies/catalog.yaml) and the map from every check to exactly one control.

Both are data in `policies/` (catalog.yaml, checkov_map.yaml, one YAML per
custom policy) so that auditors and reviewers read them without Python, and a
test can prove that every check rolls up into one existing control and that no
mapping names a check that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tfproof.engine.policy import YAML_LOADER, load_policies, policies_dir
from tfproof.errors import InputError
from tfproof.waivers.schema import KnownIds


@dataclass(frozen=True)
class CheckovMapping:
    """One checkov built-in check: its control, and why it is advisory (None = enforced)."""

    check: str
    control: str
    advisory: str | None = None
    severity: str = "medium"


@dataclass
class Control:
    """One control of the catalog with the checks behind it."""

    id: str
    title: str
    seed: list[str]
    holds_when: str
    references: dict[str, list[str]]
    checks: list[str] = field(default_factory=list)  # custom policy IDs and checkov IDs
    advisory_checks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Framework:
    """A framework the catalog's `references` cite, at the version they were mapped against.

    A reference such as CIS "3.3" means a different control in another version of the
    benchmark, so every report names the version with it (`title`).
    """

    key: str  # the `references` key (cis, nist, soc2)
    label: str  # the short name reports group references by ("CIS", "NIST 800-53")
    name: str
    version: str
    title: str  # how reports cite it: "CIS AWS Foundations Benchmark v3.0.0"


class _FrameworkEntry(BaseModel):
    """One entry of catalog.yaml's `frameworks:` (extra fields are typos, so refused)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    label: str = Field(min_length=1)
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    title: str | None = None  # default "<name> <version>"


def _frameworks(data: Any, path: Path) -> dict[str, Framework]:
    entries = data.get("frameworks") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise InputError(f"{path} has no `frameworks:` mapping (reference key -> label, name, "
                         "version): reports cannot say which version a reference is from.")
    out = {}
    for key, entry in entries.items():
        try:
            valid = _FrameworkEntry.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}"
                                 for e in exc.errors(include_url=False, include_input=False))
            raise InputError(f"{path}: framework {key!r} is not `{{label, name, version}}` "
                             f"({problems}).") from exc
        title = valid.title or f"{valid.name} {valid.version}"
        if valid.version not in title:
            raise InputError(f"{path}: framework {key!r} has a title that does not name its "
                             f"version {valid.version!r}: {title!r}.")
        out[str(key)] = Framework(str(key), valid.label, valid.name, valid.version, title)
    return out


def load_frameworks(directory: Path | None = None) -> dict[str, Framework]:
    """The frameworks of catalog.yaml (`frameworks:`), by reference key, in file order."""
    return _load_frameworks((directory or policies_dir()) / "catalog.yaml")


@cache  # by path (not by `directory=None`: TFPROOF_POLICIES_DIR may differ between calls)
def _load_frameworks(path: Path) -> dict[str, Framework]:
    return _frameworks(_read_yaml(path), path)


def _read_yaml(path: Path) -> Any:
    try:  # libyaml's safe loader when PyYAML has it (policy.py's: every scan reads these)
        return yaml.load(path.read_text(), Loader=YAML_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"Cannot read {path}: {exc}") from exc


def load_checkov_map(path: Path | None = None) -> dict[str, CheckovMapping]:
    """checkov check ID -> mapping, from policies/checkov_map.yaml."""
    return _load_checkov_map(path or policies_dir() / "checkov_map.yaml")


@cache  # by path: the default and the catalog's explicit path are one entry
def _load_checkov_map(path: Path) -> dict[str, CheckovMapping]:
    data = _read_yaml(path) or {}
    out = {}
    for check, entry in (data.get("checks") or {}).items():
        if not isinstance(entry, dict) or not entry.get("control"):
            raise InputError(f"{path}: {check} names no control.")
        out[check] = CheckovMapping(
            check=check,
            control=entry["control"],
            advisory=entry.get("advisory"),
            severity=entry.get("severity", "low" if entry.get("advisory") else "medium"),
        )
    return out


@cache
def checkov_resource_types(path: Path | None = None) -> frozenset[str]:
    """Resource types the mapped checkov checks read (policies/checkov_resource_types.txt)."""
    path = path or policies_dir() / "checkov_resource_types.txt"
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}.") from exc
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def load_catalog(directory: Path | None = None) -> list[Control]:
    """Every control of catalog.yaml with the custom policies and checkov checks behind it."""
    directory = directory or policies_dir()
    data = _read_yaml(directory / "catalog.yaml") or {}
    frameworks = _frameworks(data, directory / "catalog.yaml")
    controls = []
    for entry in data.get("controls", []):
        controls.append(
            Control(
                id=entry["id"],
                title=entry["title"],
                seed=list(entry.get("seed", [])),
                holds_when=entry.get("holds_when", ""),
                references={k: list(v or []) for k, v in (entry.get("references") or {}).items()},
            )
        )
    for control in controls:
        unknown = sorted(set(control.references) - set(frameworks))
        if unknown:
            raise InputError(
                f"{directory / 'catalog.yaml'}: control {control.id} cites {', '.join(unknown)}, "
                f"which `frameworks:` does not name (it names {', '.join(frameworks)}). Add the "
                "framework with its version, or fix the reference key."
            )
    by_id = {c.id: c for c in controls}
    for policy in load_policies(directory / "checks"):
        if policy.control not in by_id:
            raise InputError(f"Policy {policy.id} maps to unknown control {policy.control}.")
        by_id[policy.control].checks.append(policy.id)
    for mapping in load_checkov_map(directory / "checkov_map.yaml").values():
        if mapping.control not in by_id:
            raise InputError(f"checkov {mapping.check} maps to unknown control {mapping.control}.")
        target = by_id[mapping.control]
        (target.advisory_checks if mapping.advisory else target.checks).append(mapping.check)
    return controls


def known_ids(directory: Path | None = None) -> KnownIds:
    """The IDs a waiver may name, from policies/ (catalog, custom policies, checkov map)."""
    controls = load_catalog(directory)
    return KnownIds(
        controls=frozenset(c.id for c in controls),
        check_control={check: c.id for c in controls for check in (*c.checks, *c.advisory_checks)},
    )
