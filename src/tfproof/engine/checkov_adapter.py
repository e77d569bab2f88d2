"""Expose each custom policy as a checkov custom check (`--external-checks-dir policies/checks`).

The check class calls the policy's own `evaluate(resource, index)`: on a plan
JSON it indexes the plan file checkov is scanning (once per file) and evaluates
the resource at checkov's `__address__`, so checkov and the tfproof engine give
the same verdict by construction. On HCL (`checkov -d`), where relations between
resources cannot be resolved, a relational policy that would fail answers
UNKNOWN instead of raising a false alarm.

Nothing here runs unless checkov itself is loading external checks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Policy, load_metadata
from tfproof.plan import Plan, Resource

_INDEXES: dict[tuple[str, float], PlanIndex] = {}
_TAG_KEYS = ("tags", "tags_all")


def _loading_external_checks() -> bool:
    registry = sys.modules.get("checkov.common.checks.base_check_registry")
    if registry is None:
        return False
    return bool(getattr(registry.BaseCheckRegistry, "_BaseCheckRegistry__loading_external_checks",
                        False))


def policy_from_namespace(namespace: dict[str, Any]) -> Policy:
    """A Policy built from a policy module's globals and the YAML beside its file."""
    py_path = Path(namespace["__file__"])
    meta = load_metadata(py_path.with_suffix(".yaml"))
    return Policy(
        id=meta["id"], title=meta["title"], severity=meta["severity"], control=meta["control"],
        risk=meta["risk"], remediation=meta["remediation"].get("text", ""),
        terraform=meta["remediation"]["terraform"],
        resource_types=tuple(namespace["RESOURCE_TYPES"]), evaluate=namespace["evaluate"],
        relational=bool(namespace.get("RELATIONAL", False)), name=py_path.stem, path=py_path,
        meta=meta,
    )


def export_check(namespace: dict[str, Any]) -> None:
    """Register the policy defined in `namespace` with checkov, when checkov is loading it."""
    if not _loading_external_checks():
        return
    namespace["check"] = make_check(policy_from_namespace(namespace))


def _plan_index(path: str) -> PlanIndex:
    key = (path, os.path.getmtime(path))
    if key not in _INDEXES:
        _INDEXES.clear()
        _INDEXES[key] = PlanIndex(Plan.load(path))
    return _INDEXES[key]


def _unwrap(value: Any, key: str = "") -> Any:
    """checkov's HCL form (every attribute a one-element list) to plan-JSON form."""
    if isinstance(value, dict):
        return {k: _unwrap(v, k) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        if key in _TAG_KEYS and len(value) == 1 and isinstance(value[0], dict):
            return value[0]
        if len(value) == 1 and not isinstance(value[0], dict):
            return value[0]
        return [_unwrap(v) for v in value]
    return value


def _hcl_resource(conf: dict[str, Any], entity_type: str) -> tuple[Resource, PlanIndex]:
    address = str(conf.get("__address__") or f"{entity_type}.unknown")
    values = _unwrap(conf)
    raw = {
        "format_version": "1.0",
        "planned_values": {"root_module": {"resources": [{
            "address": address, "mode": "managed", "type": entity_type,
            "name": address.split(".")[-1], "values": values,
        }]}},
    }
    index = PlanIndex(Plan(raw, name="hcl"))
    return index.resources[address], index


def make_check(policy: Policy) -> Any:
    """A checkov BaseResourceCheck instance (registered on creation) running `policy`."""
    from checkov.common.models.enums import CheckCategories, CheckResult
    from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

    supported = ["aws_*"] if policy.applies_to_all else list(policy.resource_types)
    results = {"passed": CheckResult.PASSED, "failed": CheckResult.FAILED,
               "unknown": CheckResult.UNKNOWN}

    class TfproofPolicyCheck(BaseResourceCheck):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(
                name=policy.title, id=policy.id, categories=[CheckCategories.GENERAL_SECURITY],
                supported_resources=supported,
            )
            self.severity = None

        def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
            files = conf.get("__file__")
            file = files[0] if isinstance(files, list) and files else files
            address = conf.get("__address__")
            if isinstance(file, str) and file.endswith(".json") and address:
                index = _plan_index(file)
                resource = index.resources.get(address)
                if resource is None:
                    return CheckResult.UNKNOWN
                verdict = policy.evaluate(resource, index)
            else:
                resource, index = _hcl_resource(conf, self.entity_type)
                verdict = policy.evaluate(resource, index)
                if verdict is not None and verdict.outcome == "failed" and policy.relational:
                    return CheckResult.UNKNOWN
            if verdict is None:
                return CheckResult.UNKNOWN
            return results[verdict.outcome]

    return TfproofPolicyCheck()
