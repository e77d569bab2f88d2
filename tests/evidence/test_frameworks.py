"""Framework references carry their version in report.html, controls.csv and OSCAL.

A reference number means another control in another version of a framework
(CIS AWS Foundations 3.3 is a different control in v1.5 and v3.0), so the
version is data in policies/catalog.yaml (`frameworks:`) and every auditor-facing
file cites it from there. A reference key without a framework entry stops the
catalog from loading (exit 2), so no reference is ever shown without a version.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from trestle.oscal.assessment_results import AssessmentResults

from tfproof import cli
from tfproof.engine.catalog import load_catalog, load_frameworks
from tfproof.engine.policy import policies_dir
from tfproof.errors import InputError
from tfproof.evidence import csvout, html, oscal
from tfproof.evidence.schema import EVIDENCE

PLAN = (Path(__file__).resolve().parents[1] / "compliance" / "fixtures" / "plans"
        / "s3_split_provider4.json")


def test_every_reference_key_names_a_framework_with_its_version():
    frameworks = load_frameworks()
    for control in load_catalog():
        assert set(control.references) <= set(frameworks), control.id
    # the versions the catalog's references were mapped against, as the audit cites them
    assert [f.title for f in frameworks.values()] == [
        "CIS AWS Foundations Benchmark v3.0.0", "NIST SP 800-53 Rev. 5",
        "SOC 2 (2017 Trust Services Criteria)",
    ]
    assert all(f.version in f.title for f in frameworks.values())


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    """A copy of policies/ whose catalog a test may break."""
    return Path(shutil.copytree(policies_dir(), tmp_path / "policies"))


def _rewrite(policies: Path, change: Any) -> None:
    path = policies / "catalog.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_reference_key_without_a_framework_is_refused_with_exit_2(policies: Path,
                                                                     monkeypatch):
    _rewrite(policies, lambda d: d["controls"][0]["references"].update(iso27001=["A.8.24"]))
    with pytest.raises(InputError, match=r"control ENC-REST cites iso27001, which `frameworks:`"):
        load_catalog(policies)
    monkeypatch.setenv("TFPROOF_POLICIES_DIR", str(policies))
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["scan", "--plan", str(PLAN), "--no-checkov"])
    assert code == 2
    assert "cites iso27001" in err.getvalue() and "Traceback" not in err.getvalue()
    assert len(err.getvalue().strip().splitlines()) == 1  # one paragraph


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("frameworks"), "has no `frameworks:` mapping"),
    (lambda d: d["frameworks"]["cis"].pop("version"), r"framework 'cis' .*version: Field required"),
    (lambda d: d["frameworks"]["nist"].update(version=5), r"framework 'nist' .*valid string"),
    (lambda d: d["frameworks"]["cis"].update(verison="v8"), r"framework 'cis' .*verison"),
    (lambda d: d["frameworks"]["soc2"].update(title="SOC 2"), "does not name its version"),
    (lambda d: d["frameworks"].update(cis="v3"), r"framework 'cis' is not"),
])
def test_a_framework_without_a_usable_version_is_refused(policies: Path, change, message):
    _rewrite(policies, change)
    with pytest.raises(InputError, match=message):
        load_catalog(policies)


class _Report(HTMLParser):
    """The framework view's headings (title, version) and each drill-down's references line."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.tables: list[str] = []
        self._version: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h3" and "data-framework-version" in a:
            self._version = a["data-framework-version"]
        if tag == "table" and "data-framework" in a:
            self.tables.append(a["data-framework"] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._version is not None:
            self.headings.append((data, self._version))
            self._version = None


@pytest.mark.plan  # make_evidence scans a real offline plan
def test_report_csv_and_oscal_cite_each_framework_with_its_version(make_evidence):
    evidence = make_evidence()
    jsonschema.validate(evidence, EVIDENCE)
    frameworks = load_frameworks()
    assert [f["title"] for f in evidence["frameworks"]] == [
        f.title for f in frameworks.values()]
    enc = next(c for c in evidence["controls"] if c["id"] == "ENC-REST")

    page = _Report()
    page.feed(html.render(evidence, {}))
    assert page.headings == [(f.title, f.version) for f in frameworks.values()]
    assert page.tables == [f.label for f in frameworks.values()]
    text = "".join(page.text)
    assert ("Frameworks: CIS AWS Foundations Benchmark v3.0.0: 2.2.1, 2.3.1; "
            "NIST SP 800-53 Rev. 5: SC-28, SC-28(1), SC-13; SOC 2 (2017 Trust Services "
            "Criteria): CC6.1, CC6.7") in text

    rows = list(csv.DictReader(io.StringIO(csvout.to_csv(evidence))))
    enc_row = next(r for r in rows if r["control"] == "ENC-REST")
    assert (enc_row["cis"], enc_row["cis_version"]) == ("2.2.1;2.3.1", "v3.0.0")
    assert (enc_row["nist_800_53_version"], enc_row["soc2_version"]) == (
        "Rev. 5", "2017 Trust Services Criteria")
    tags = next(r for r in rows if r["control"] == "TAGS")
    assert (tags["cis"], tags["cis_version"]) == ("", "")  # no reference, no version

    doc = oscal.assessment_results(evidence)
    AssessmentResults.model_validate(doc["assessment-results"])
    resources = {r["uuid"]: r for r in doc["assessment-results"]["back-matter"]["resources"]}
    cited = {r["citation"]["text"]: {p["name"]: p["value"] for p in r["props"]}
             for r in resources.values()}
    assert cited == {f.title: {"type": "standard", "version": f.version}
                     for f in frameworks.values()}
    result = doc["assessment-results"]["results"][0]
    for link in result["reviewed-controls"]["links"]:
        assert link["href"][1:] in resources and link["rel"] == "reference"
    finding = next(f for f in result["findings"] if f["target"]["target-id"] == "ENC-REST")
    assert [(resources[x["href"][1:]]["citation"]["text"], x["text"])
            for x in finding["links"]] == [
        (f.title, f"{f.title}: {', '.join(enc['frameworks'][f.label])}")
        for f in frameworks.values()]
    refs = [(p["class"], p["value"]) for p in finding["props"]
            if p["name"] == "framework-reference"]
    assert refs == [(key, ref) for key, f in frameworks.items()
                    for ref in enc["frameworks"][f.label]]


@pytest.mark.plan  # make_evidence scans a real offline plan
def test_a_framework_without_a_csv_column_stops_the_csv(make_evidence):
    evidence = make_evidence()
    for key in load_frameworks():
        column = csvout.FRAMEWORK_COLUMNS[key]
        assert {column, f"{column}_version"} <= set(csvout.COLUMNS)
    evidence["frameworks"].append({"key": "iso", "label": "ISO", "name": "ISO/IEC 27001",
                                   "version": "2022", "title": "ISO/IEC 27001:2022"})
    with pytest.raises(InputError, match="no column for the framework 'iso'"):
        csvout.to_csv(evidence)
