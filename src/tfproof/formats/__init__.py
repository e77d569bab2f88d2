"""Report writers for `tfproof scan`: table (terminal), json (the contract), sarif, junit,
markdown (a pull-request comment or a job summary)."""

from __future__ import annotations

from collections.abc import Callable

from tfproof.findings import ScanReport
from tfproof.formats.junit import render_junit
from tfproof.formats.markdown import render_markdown
from tfproof.formats.sarif import render_sarif
from tfproof.formats.table import render_table


def render_json(report: ScanReport) -> str:
    """The `--format json` document (`ScanReport.to_json`)."""
    import json

    return json.dumps(report.to_json(), indent=2) + "\n"


WRITERS: dict[str, Callable[[ScanReport], str]] = {
    "table": render_table,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "markdown": render_markdown,
}
