"""The JSON report of a large scan is serialised one finding at a time and stays byte for
byte the contract's document (`ScanReport.to_json`, indent 2)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tfproof.findings import STATUSES, Finding, ScanReport
from tfproof.formats import render_json

_TEXT = st.text(max_size=12)
_FINDING = st.builds(
    Finding, control=st.sampled_from(["ENC-REST", "TRAIL"]), check=_TEXT, source=_TEXT,
    resource=_TEXT, status=st.sampled_from(STATUSES), severity=_TEXT, message=_TEXT,
    file=st.none() | _TEXT, line=st.none() | st.integers(0, 9),
    remediation=st.none() | _TEXT,
    waiver=st.none() | st.dictionaries(_TEXT, _TEXT, max_size=2),
    extra=st.dictionaries(_TEXT, st.lists(_TEXT, max_size=2), max_size=2),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_FINDING, max_size=6), st.lists(_TEXT, max_size=2), _TEXT,
       st.none() | st.just([{"path": "a", "skipped": "why"}]))
def test_the_json_report_is_the_contracts_document(findings, notes, target, roots) -> None:
    report = ScanReport(target=target, findings=findings, notes=notes,
                        waivers=[{"check": "x", "findings": []}] if notes else [], roots=roots)
    text = render_json(report)
    assert text == json.dumps(report.to_json(), indent=2) + "\n"
    assert json.loads(text)["summary"] == report.summary
