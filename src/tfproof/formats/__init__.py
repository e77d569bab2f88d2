"""Report writers for `tfproof scan`: table (terminal), json (the contract), sarif, junit,
markdown (a pull-request comment or a job summary)."""

from __future__ import annotations

from collections.abc import Callable

from tfproof.findings import ScanReport, sorted_findings
from tfproof.formats.junit import render_junit
from tfproof.formats.markdown import render_markdown
from tfproof.formats.sarif import render_sarif
from tfproof.formats.table import render_table


def render_json(report: ScanReport) -> str:
    """The `--format json` document (`ScanReport.to_json`), byte for byte, serialised one
    finding at a time: a 20,000-resource plan's ~60,000 findings are never held as dicts
    beside their text (docs/scale.md)."""
    import dataclasses
    import json

    head = dataclasses.replace(report, findings=[]).to_json()
    head["summary"] = report.summary
    before, after = json.dumps(head, indent=2).split('"findings": []', 1)
    pieces = [before, '"findings": [']
    for number, finding in enumerate(sorted_findings(report.findings)):
        text = json.dumps(finding.to_json(), indent=2).replace("\n", "\n    ")
        pieces.append(("," if number else "") + "\n    " + text)
    pieces.append("\n  ]" if report.findings else "]")
    return "".join([*pieces, after, "\n"])


WRITERS: dict[str, Callable[[ScanReport], str]] = {
    "table": render_table,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "markdown": render_markdown,
}
