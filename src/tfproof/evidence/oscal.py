"""The bundle's OSCAL assessment-results document, for GRC tools that import OSCAL.

Compliance platforms ingest NIST OSCAL rather than tool-specific JSON. This
writes the required core of the OSCAL 1.1 assessment-results model: metadata,
import-ap, one result for the run with the reviewed controls, one observation
per control and layer that produced evidence, and one finding per control whose
target status is satisfied / not-satisfied (absent when nothing could check it).
The frameworks the catalog maps to are back-matter resources with their version
(OSCAL's `version` property and a citation "CIS AWS Foundations Benchmark
v3.0.0"); the reviewed controls and each finding link to them (`rel: reference`)
and carry the framework references as properties. UUIDs are derived from the run
id, so the same bundle always yields the same document.
"""

from __future__ import annotations

import uuid
from typing import Any

from tfproof import __version__
from tfproof.evidence.model import LAYER_TITLES, LAYERS

OSCAL_VERSION = "1.1.2"
_NS = "https://tfproof.invalid/ns/oscal"
_NAMESPACE = uuid.UUID("6f2b7c1e-8a53-4f0e-9d1a-2f4b5c6d7e80")
_METHODS = {"plan": "TEST", "policy": "EXAMINE", "live": "TEST"}


def _uuid(run_id: str, *parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join((run_id, *parts))))


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": _NS, "value": value or "-"}


def _framework_resources(evidence: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Framework key -> back-matter resource: its name, version (OSCAL's own `version`
    property) and the citation reports use."""
    run_id = evidence["run"]["id"]
    return {
        fw["key"]: {
            "uuid": _uuid(run_id, "framework", fw["key"]),
            "title": fw["name"],
            "description": f"The framework tfproof's catalog cites as {fw['label']}, at the "
                           f"version its references were mapped against.",
            "props": [{"name": "type", "value": "standard"},
                      {"name": "version", "value": fw["version"]}],
            "citation": {"text": fw["title"]},
        }
        for fw in evidence["frameworks"]
    }


def _framework_links(
    evidence: dict[str, Any], resources: dict[str, dict[str, Any]], control: dict[str, Any]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The control's references: links to the frameworks' resources, and one property each."""
    links, props = [], []
    for fw in evidence["frameworks"]:
        refs = control["frameworks"].get(fw["label"], [])
        if not refs:
            continue
        links.append({"href": f"#{resources[fw['key']]['uuid']}", "rel": "reference",
                      "text": f"{fw['title']}: {', '.join(refs)}"})
        props += [{**_prop("framework-reference", ref), "class": fw["key"]} for ref in refs]
    return links, props


def assessment_results(evidence: dict[str, Any]) -> dict[str, Any]:
    """The OSCAL assessment-results JSON document for one evidence.json."""
    run = evidence["run"]
    run_id = run["id"]
    observations: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    resources = _framework_resources(evidence)
    for control in evidence["controls"]:
        related = []
        for layer in LAYERS:
            verdict = control["layers"][layer]
            if verdict["status"] == "none":
                continue
            obs_uuid = _uuid(run_id, "observation", control["id"], layer)
            related.append({"observation-uuid": obs_uuid})
            observations.append(
                {
                    "uuid": obs_uuid,
                    "title": f"{control['id']}: {LAYER_TITLES[layer]}",
                    "description": (
                        f"{LAYER_TITLES[layer]} on {control['id']}: {verdict['passed']} passed, "
                        f"{verdict['failed']} failed, {verdict['waived']} waived, "
                        f"{verdict['skipped']} skipped."
                    ),
                    "props": [_prop("layer", layer), _prop("layer-status", verdict["status"])],
                    "methods": [_METHODS[layer]],
                    "types": ["control-objective"],
                    "collected": run["finished"],
                    "relevant-evidence": [
                        {
                            "href": f"evidence.json#/controls/{control['id']}",
                            "description": "findings, test node ids and live checks behind it",
                        }
                    ],
                }
            )
        target: dict[str, Any] = {
            "type": "objective-id",
            "target-id": control["id"],
            "title": control["title"] or control["id"],
            "props": [_prop("tfproof-status", control["status"])],
        }
        if control["status"] in ("passed", "waived"):
            target["status"] = {"state": "satisfied"}
        elif control["status"] == "failed":
            target["status"] = {"state": "not-satisfied"}
        links, references = _framework_links(evidence, resources, control)
        finding: dict[str, Any] = {
            "uuid": _uuid(run_id, "finding", control["id"]),
            "title": f"{control['id']}: {control['status']}",
            "description": control["reason"] or control["status"],
            "props": [_prop("proved-by", ",".join(control["proved_by"]) or "none"), *references],
            **({"links": links} if links else {}),
            "target": target,
        }
        if related:
            finding["related-observations"] = related
        findings.append(finding)
    git = run.get("git", {})
    result: dict[str, Any] = {
        "uuid": _uuid(run_id, "result"),
        "title": f"tfproof audit {run_id}",
        "description": (
            f"Plan assertions, checkov and custom policies, and live checks on the "
            f"{run.get('sandbox', {}).get('kind') or 'no'} sandbox, for the environments "
            f"{', '.join(run.get('envs', []))} at commit {git.get('commit') or 'unknown'}"
            f"{' (dirty tree)' if git.get('dirty') else ''}."
        ),
        "start": run["started"],
        "end": run["finished"],
        "props": [_prop("git-commit", git.get("commit") or "unknown")],
        "reviewed-controls": {
            "description": "The controls of tfproof's catalog; the frameworks they map to are "
                           "linked, each at the version the mapping was made against.",
            **({"links": [{"href": f"#{r['uuid']}", "rel": "reference",
                           "text": r["citation"]["text"]} for r in resources.values()]}
               if resources else {}),
            "control-selections": [
                {"include-controls": [{"control-id": c["id"]} for c in evidence["controls"]]}
            ]
        },
        "findings": findings,
    }
    if observations:
        result["observations"] = observations
    return {
        "assessment-results": {
            "uuid": _uuid(run_id, "assessment-results"),
            "metadata": {
                "title": f"tfproof assessment results {run_id}",
                "last-modified": run["finished"],
                "version": f"{__version__}+{run_id}",
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": {
                "href": "evidence.json#/run",
                "remarks": "The assessment plan is tfproof's control catalog and its three "
                "layers, recorded in evidence.json of this bundle.",
            },
            "results": [result],
            **({"back-matter": {"resources": list(resources.values())}} if resources else {}),
        }
    }
