"""One junit.xml and one results.sarif for the whole run, from the scan writers and pytest.

`tfproof scan` writes SARIF and JUnit for one target; an audit has several
targets, a pytest run and the live checks. These helpers reuse the scan writers
(`tfproof.formats`) per target and merge their output: SARIF gets one run per
environment (told apart by `automationDetails.id`), JUnit one <testsuites>
holding pytest's suites, each environment's per-control suites and a suite of
live checks, so a CI that reads junit.xml sees every failure the audit saw.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from tfproof.errors import TfproofError
from tfproof.findings import ScanReport
from tfproof.formats.junit import render_junit
from tfproof.formats.sarif import SCHEMA, render_sarif


def combined_sarif(reports: list[tuple[str, ScanReport]]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run per (env name, scan report)."""
    runs = []
    for env, report in reports:
        log = json.loads(render_sarif(report))
        for run in log["runs"]:
            run["automationDetails"] = {"id": f"tfproof-audit/{env}/"}
            runs.append(run)
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": runs}


def _suites(xml_text: str, what: str) -> list[ET.Element]:
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise TfproofError(f"The {what} JUnit XML is not well-formed: {exc}") from exc
    return [root] if root.tag == "testsuite" else list(root.iter("testsuite"))


def _live_suite(checks: list[dict[str, Any]], kind: str) -> ET.Element:
    suite = ET.Element(
        "testsuite", name=f"live checks ({kind} sandbox)", tests=str(len(checks)),
        failures=str(sum(c["status"] == "failed" for c in checks)), errors="0",
        skipped=str(sum(c["status"] == "skipped" for c in checks)),
    )
    for check in checks:
        case = ET.SubElement(suite, "testcase",
                             classname=f"live.{check['control'] or 'unattributed'}",
                             name=f"{check['name']} {check['resource']}".strip())
        if check["control"]:
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="tfproof_control", value=check["control"])
        if check["status"] == "failed":
            failure = ET.SubElement(case, "failure", message=check["detail"][:500])
            failure.text = check["detail"]
        elif check["status"] == "skipped":
            ET.SubElement(case, "skipped", message=check["detail"][:500])
    return suite


def combined_junit(
    reports: list[tuple[str, ScanReport]],
    pytest_xml: str | None,
    live_checks: list[dict[str, Any]] | None = None,
    sandbox_kind: str | None = None,
) -> str:
    """One <testsuites>: pytest's suite(s), each env's suites (`env: CONTROL`), live checks."""
    root = ET.Element("testsuites", name="tfproof audit")
    if pytest_xml:
        for suite in _suites(pytest_xml, "pytest"):
            root.append(suite)
    for env, report in reports:
        for suite in _suites(render_junit(report), f"scan of {env}"):
            suite.set("name", f"{env}: {suite.get('name', '')}")
            root.append(suite)
    if live_checks:
        root.append(_live_suite(live_checks, sandbox_kind or "unknown"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root:
        for key in totals:
            totals[key] += int(suite.get(key, "0") or 0)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
