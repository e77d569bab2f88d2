"""Custom policies: pure functions over one resource and the plan index, plus their metadata.

A policy is one file in `policies/checks/` (its logic, `evaluate(resource,
index)`) with a YAML file of the same name beside it (ID, title, severity,
control, risk, remediation with a Terraform snippet). The same function runs in
the engine's one-pass scan and inside checkov (`tfproof.engine.checkov_adapter`),
so the two paths agree by construction.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import yaml

from tfproof import settings
from tfproof.errors import InputError
from tfproof.findings import SEVERITIES

Outcome = Literal["passed", "failed", "unknown"]


@dataclass(frozen=True)
class Verdict:
    """One policy's answer for one resource; `unknown` = depends on values known after apply."""

    outcome: Outcome
    message: str
    address: str | None = None  # set only by plan-level policies

    @classmethod
    def ok(cls, message: str) -> Verdict:
        return cls("passed", message)

    @classmethod
    def fail(cls, message: str) -> Verdict:
        return cls("failed", message)

    @classmethod
    def unknown(cls, message: str) -> Verdict:
        return cls("unknown", message)


@dataclass
class Policy:
    """A loaded custom policy."""

    id: str
    title: str
    severity: str
    control: str
    risk: str
    remediation: str
    terraform: str
    resource_types: tuple[str, ...]
    evaluate: Callable[..., Verdict | None]
    evaluate_plan: Callable[..., Iterable[Verdict]] | None = None
    relational: bool = False
    name: str = ""
    path: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def applies_to_all(self) -> bool:
        return self.resource_types == ("*",)


def policies_dir() -> Path:
    """`policies/` of this checkout (or $TFPROOF_POLICIES_DIR)."""
    explicit = settings.current().policies_dir
    if explicit is not None:
        return explicit
    root = settings.find_project_root()
    if root is None:
        raise InputError(
            "Cannot find the tfproof policies folder (policies/catalog.yaml): run from the "
            "tfproof checkout or set TFPROOF_POLICIES_DIR."
        )
    return root / "policies"


_REQUIRED = ("id", "title", "severity", "control", "risk", "remediation")
# libyaml's safe loader when PyYAML has it: ~10x faster, and every scan pays for
# reading each policy's YAML once (a fixed cost that dominated small plans).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_metadata(path: Path) -> dict[str, Any]:
    """A policy's YAML metadata, checked for the fields every report needs."""
    meta = yaml.load(path.read_text(), Loader=YAML_LOADER) or {}
    missing = [key for key in _REQUIRED if not meta.get(key)]
    if missing:
        raise InputError(f"Policy metadata {path} lacks {', '.join(missing)}.")
    if meta["severity"] not in SEVERITIES:
        raise InputError(f"Policy metadata {path}: severity {meta['severity']!r} is not one of "
                         f"{', '.join(SEVERITIES)}.")
    remediation = meta["remediation"]
    if not isinstance(remediation, dict) or not remediation.get("terraform"):
        raise InputError(f"Policy metadata {path}: remediation needs `text` and `terraform`.")
    return meta


def _import(path: Path) -> ModuleType:
    name = f"tfproof_policy_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - importlib contract
        raise InputError(f"Cannot import the policy {path}.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_policy(py_path: Path) -> Policy:
    """One policy: its module's pure functions and the YAML beside it."""
    meta_path = py_path.with_suffix(".yaml")
    if not meta_path.is_file():
        raise InputError(f"The policy {py_path} has no metadata file {meta_path.name} beside it.")
    meta = load_metadata(meta_path)
    module = _import(py_path)
    return Policy(
        id=meta["id"],
        title=meta["title"],
        severity=meta["severity"],
        control=meta["control"],
        risk=meta["risk"],
        remediation=meta["remediation"].get("text", ""),
        terraform=meta["remediation"]["terraform"],
        resource_types=tuple(module.RESOURCE_TYPES),
        evaluate=module.evaluate,
        evaluate_plan=getattr(module, "evaluate_plan", None),
        relational=bool(getattr(module, "RELATIONAL", False)),
        name=py_path.stem,
        path=py_path,
        meta=meta,
    )


@cache
def load_policies(directory: Path | None = None) -> tuple[Policy, ...]:
    """Every custom policy under `policies/checks/`, sorted by ID."""
    directory = directory or policies_dir() / "checks"
    files = sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))
    policies = [load_policy(p) for p in files]
    ids = [p.id for p in policies]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise InputError(f"Duplicate policy IDs in {directory}: {sorted(duplicates)}.")
    return tuple(sorted(policies, key=lambda p: p.id))
