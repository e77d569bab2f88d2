"""JSON Schemas of evidence.json and manifest.json: the bundle's documented, tested contract.

Auditors' tooling and later tfproof versions (`--compare` against an old
bundle) read these files, so their shape is pinned here as JSON Schema
(draft 2020-12) and checked by the evidence tests on real bundles.
"""

from __future__ import annotations

from typing import Any

_STR_LIST = {"type": "array", "items": {"type": "string"}}
_COUNT = {"type": "integer", "minimum": 0}
_TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}
_SHA = {"type": "string", "pattern": "^[0-9a-f]{64}$"}

FINDING: dict[str, Any] = {
    "type": "object",
    "required": ["id", "key", "env", "control", "check", "source", "resource", "status",
                 "severity", "message"],
    "properties": {
        "id": {"type": "string", "pattern": r"^F\d{4,}$"},
        "status": {"enum": ["failed", "passed", "waived", "advisory"]},
        "source": {"type": "string"},
        "resource": {"type": "string"},
        "line": {"type": ["integer", "null"]},
        "file": {"type": ["string", "null"]},
        "waiver": {"type": "object"},
    },
}
TEST: dict[str, Any] = {
    "type": "object",
    "required": ["nodeid", "outcome", "layer", "controls", "attribution"],
    "properties": {
        "outcome": {"enum": ["passed", "failed", "error", "skipped", "xfailed", "xpassed"]},
        "layer": {"enum": ["plan", "policy", "live"]},
        "controls": _STR_LIST,
        "attribution": {"enum": ["marker", "name", "none"]},
    },
}
LIVE_CHECK: dict[str, Any] = {
    "type": "object",
    "required": ["name", "control", "status", "detail", "resource"],
    "properties": {"status": {"enum": ["passed", "failed", "skipped"]}},
}
LAYER: dict[str, Any] = {
    "type": "object",
    "required": ["status", "passed", "failed", "waived", "skipped"],
    "properties": {
        "status": {"enum": ["failed", "waived", "passed", "skipped", "none"]},
        "passed": _COUNT, "failed": _COUNT, "waived": _COUNT, "skipped": _COUNT,
    },
}  # fmt: skip
CONTROL: dict[str, Any] = {
    "type": "object",
    "required": ["id", "title", "requirement", "holds_when", "frameworks", "status", "reason",
                 "proved_by", "layers", "by_env", "counts", "findings", "tests", "live_checks"],
    "properties": {
        "id": {"type": "string", "pattern": "^[A-Z][A-Z0-9-]*$"},
        "status": {"enum": ["failed", "waived", "passed", "not_checked"]},
        "reason": {"type": "string", "minLength": 1},
        "proved_by": {"type": "array", "items": {"enum": ["plan", "policy", "live"]}},
        "frameworks": {"type": "object", "additionalProperties": _STR_LIST},
        "layers": {
            "type": "object",
            "required": ["plan", "policy", "live"],
            "additionalProperties": LAYER,
        },
        "findings": {"type": "array", "items": FINDING},
        "tests": {"type": "array", "items": TEST},
        "live_checks": {"type": "array", "items": LIVE_CHECK},
    },
}
EVIDENCE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "tfproof evidence.json",
    "type": "object",
    "required": ["schema", "run", "controls", "unattributed", "summary", "waivers", "notes",
                 "files"],
    "properties": {
        "schema": {"const": "tfproof-evidence/1"},
        "run": {
            "type": "object",
            "required": ["id", "started", "finished", "envs", "targets", "layers_run", "sandbox",
                         "git", "versions", "command", "inputs"],
            "properties": {
                "id": {"type": "string", "pattern": r"^\d{8}T\d{6}Z-[0-9a-z]+"},
                "started": _TIME,
                "finished": _TIME,
                "envs": _STR_LIST,
                "layers_run": {"type": "array", "items": {"enum": ["plan", "policy", "live"]}},
                "sandbox": {"type": "object", "required": ["kind", "account_id"]},
                "git": {"type": "object", "required": ["commit", "dirty"]},
                "versions": {
                    "type": "object",
                    "required": ["tfproof", "terraform", "provider_aws", "checkov", "moto",
                                 "python"],
                },
                "inputs": {"type": "object", "additionalProperties": _SHA},
            },
        },
        # the frameworks the controls' `frameworks` cite (by label), with their versions;
        # absent from bundles written before it existed
        "frameworks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "label", "name", "version", "title"],
                "additionalProperties": {"type": "string", "minLength": 1},
            },
        },
        "controls": {"type": "array", "minItems": 1, "items": CONTROL},
        "unattributed": {
            "type": "object",
            "required": ["findings", "tests", "live_checks"],
            "properties": {
                "findings": {"type": "array", "items": FINDING},
                "tests": {"type": "array", "items": TEST},
                "live_checks": {"type": "array", "items": LIVE_CHECK},
            },
        },
        "summary": {
            "type": "object",
            "required": ["controls", "controls_total", "findings", "tests", "live_checks",
                         "failing_controls", "failing_unattributed"],
            "properties": {
                "controls": {
                    "type": "object",
                    "required": ["failed", "waived", "passed", "not_checked"],
                    "additionalProperties": _COUNT,
                },
                "controls_total": _COUNT,
                "failing_controls": _STR_LIST,
                "failing_unattributed": _STR_LIST,
            },
        },
        "waivers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["status", "matched"],
                "properties": {"status": {"enum": ["active", "expired", "unused"]}},
            },
        },
        "notes": _STR_LIST,
        "comparison": {
            "type": "object",
            "required": ["previous", "controls", "findings", "waivers"],
        },
    },
}
MANIFEST: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "tfproof manifest.json",
    "type": "object",
    "required": ["schema", "run_id", "started", "finished", "git", "versions", "sandbox",
                 "envs", "layers_run", "command", "inputs", "files"],
    "properties": {
        "schema": {"const": "tfproof-manifest/1"},
        "started": _TIME,
        "finished": _TIME,
        "git": {"type": "object", "required": ["commit", "short", "dirty"]},
        "versions": {
            "type": "object",
            "required": ["tfproof", "terraform", "provider_aws", "checkov", "moto", "python"],
        },
        "sandbox": {"type": "object", "required": ["kind", "account_id"]},
        "files": {"type": "object", "minProperties": 1, "additionalProperties": _SHA},
        "inputs": {"type": "object", "additionalProperties": _SHA},
    },
}
