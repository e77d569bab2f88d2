"""The evidence document and every bundle file derived from it.

evidence.json is written first and every other file (report, CSV, OSCAL, SARIF,
JUnit) is derived from it or from the same scans, so they can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tfproof.engine.catalog import Control
from tfproof.evidence import csvout, html, oscal
from tfproof.evidence.bundle import BundleWriter
from tfproof.evidence.catalog import framework_table
from tfproof.evidence.combined import combined_junit, combined_sarif
from tfproof.evidence.model import LayerInputs
from tfproof.evidence.rollup import rollup
from tfproof.findings import ScanReport

EVIDENCE_SCHEMA = "tfproof-evidence/1"
FILES = {
    "evidence": "evidence.json",
    "report": "report.html",
    "controls_csv": "controls.csv",
    "junit": "junit.xml",
    "sarif": "results.sarif",
    "oscal": "assessment-results.oscal.json",
    "pytest_output": "logs/pytest-output.txt",
}


def evidence_document(
    run: dict[str, Any],
    controls: Sequence[Control],
    inputs: LayerInputs,
    waivers: list[dict[str, Any]],
) -> dict[str, Any]:
    """The evidence.json document: the run, every control's verdict and evidence, waivers."""
    return {
        "schema": EVIDENCE_SCHEMA,
        "run": run,
        "frameworks": framework_table(),  # name and version of each cited framework
        **rollup(controls, inputs),
        "waivers": waivers,
        "notes": list(inputs.notes),
        "files": dict(FILES),
    }


def write_bundle(
    writer: BundleWriter,
    evidence: dict[str, Any],
    reports: list[tuple[str, ScanReport]],
    pytest_junit: Path | None = None,
    pytest_log: Path | None = None,
) -> None:
    """Every file of the bundle but the seals, all derived from `evidence` and the scans."""
    writer.write_json(FILES["evidence"], evidence)
    writer.write_text(FILES["controls_csv"], csvout.to_csv(evidence))
    writer.write_json(FILES["oscal"], oscal.assessment_results(evidence))
    writer.write_json(FILES["sarif"], combined_sarif(reports))
    pytest_xml = pytest_junit.read_text() if pytest_junit and pytest_junit.is_file() else None
    live = [c for control in evidence["controls"] for c in control["live_checks"]]
    live += evidence["unattributed"]["live_checks"]
    kind = evidence["run"].get("sandbox", {}).get("kind")
    writer.write_text(FILES["junit"], combined_junit(reports, pytest_xml, live, kind))
    if pytest_log is not None:
        writer.copy_text(FILES["pytest_output"], pytest_log)
    writer.write_text(FILES["report"], html.render(evidence, writer.hashes()))
