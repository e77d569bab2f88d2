"""The scan's JSON report back into a ScanReport, the step summary, and the step's verdict.

The step runs `tfproof scan --format json` once and renders every other format
from that document, so the action shows exactly what the CLI decided. Reading
it back is strict: a document that is not the JSON contract is a tfproof bug and
stops the step (exit 2), it is never read as "no findings".
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from tfproof.engine.catalog import load_catalog
from tfproof.errors import TfproofError
from tfproof.findings import SEVERITIES, Finding, ScanReport
from tfproof.formats import WRITERS
from tfproof.formats.table import render_table

_FINDING_FIELDS = {f.name for f in dataclasses.fields(Finding)}
_REPORT_FIELDS = {f.name for f in dataclasses.fields(ScanReport)} - {"findings", "tool_version"}


def report_from_json(text: str) -> ScanReport:
    """The ScanReport behind a `--format json` document (keys named as the fields they fill)."""
    try:
        doc: Any = json.loads(text)
        findings = [Finding(**{k: v for k, v in f.items() if k in _FINDING_FIELDS})
                    for f in doc["findings"]]
        report = ScanReport(
            findings=findings, tool_version=doc["version"],
            **{k: v for k, v in doc.items() if k in _REPORT_FIELDS},
        )
        if report.summary != doc["summary"]:
            raise ValueError("its summary does not count its findings")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise TfproofError(
            f"`tfproof scan --format json` wrote a report the GitHub step cannot read back "
            f"({type(exc).__name__}: {exc}); this is a tfproof bug, not a verdict on your "
            "input: nothing was judged as passed. Please report it."
        ) from exc
    if hasattr(report, "control_titles"):  # not in the JSON contract: from the catalog
        report.control_titles = {c.id: c.title for c in load_catalog()}
    return report


def markdown(report: ScanReport) -> str:
    """The step summary: `--format markdown` when that writer exists, else the table."""
    writer = WRITERS.get("markdown")
    if writer is not None:
        return writer(report)
    return f"### tfproof scan of `{report.target}`\n\n```text\n{render_table(report)}```\n"


def step_status(status: int, report: ScanReport, fail_on: str) -> int:
    """The step's exit status from tfproof's (0/1) and `fail-on`.

    A failure whose severity tfproof does not know counts as failing at any
    threshold, and an exit 1 with no failure visible fails unless fail-on is
    `never`: when in doubt the gate stays shut.
    """
    if status != 1 or fail_on == "any":
        return status
    if fail_on == "never":
        return 0
    limit = SEVERITIES.index(fail_on)
    # against a baseline only new failures make tfproof exit 1, so only they meet the threshold
    failed = getattr(report, "new_failed", report.failed)
    if not failed:
        return 1
    known = {s: i for i, s in enumerate(SEVERITIES)}
    return 1 if any(known.get(f.severity, -1) <= limit for f in failed) else 0
