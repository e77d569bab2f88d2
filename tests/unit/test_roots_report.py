"""One report for many roots: finding identity, the JSON contract, the table, waiver problems.

A scan of one root keeps its contract byte for byte (no `root`, no `roots`, the same
`Finding.key`); in a scan of many, the same address in two roots stays two findings,
a waiver is unmatched only when it matched in no root, and a root that could not be
planned is said on the verdict line itself.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from markdown_support import read

from tfproof.engine.many import merge_waiver_problems, unplannable
from tfproof.errors import PlanError
from tfproof.findings import Finding, ScanReport
from tfproof.formats.junit import render_junit
from tfproof.formats.markdown import render_markdown
from tfproof.formats.table import render_table


def finding(root: str | None = None, status: str = "failed", **extra) -> Finding:
    return Finding(control="TAGS", check="TFP_TAGS_REQUIRED", source="tfproof",
                   resource="aws_sqs_queue.q", status=status, severity="low",
                   message="missing tag(s)", root=root, **extra)


def test_one_root_keeps_its_contract():
    one = finding()
    assert one.key == ("TFP_TAGS_REQUIRED", "aws_sqs_queue.q", "TAGS")
    assert "root" not in one.to_json()
    report = ScanReport(target="infra/envs/a", findings=[one], resources=1)
    assert "roots" not in report.to_json()
    table = render_table(report)
    assert "ROOT" not in table and "INCOMPLETE" not in table


def test_the_same_address_in_two_roots_is_two_findings():
    a, b = finding("infra/envs/a"), finding("infra/envs/b")
    assert a.key != b.key and a.key[:3] == b.key[:3] == finding().key
    assert a.to_json()["root"] == "infra/envs/a"
    roots = [{"path": "infra/envs/a", "resources": 1, "summary": {"failed": 1}},
             {"path": "infra/envs/b", "resources": 1, "summary": {"failed": 1}}]
    report = ScanReport(target="infra", findings=[a, b], resources=2, roots=roots)
    doc = json.loads(json.dumps(report.to_json()))
    assert doc["roots"] == roots
    assert [f["root"] for f in doc["findings"]] == ["infra/envs/a", "infra/envs/b"]
    table = render_table(report)
    header = next(line for line in table.splitlines() if line.startswith("STATUS"))
    assert header.split() == ["STATUS", "CONTROL", "CHECK", "ROOT", "RESOURCE"]
    assert sum("infra/envs/a" in line and "aws_sqs_queue.q" in line
               for line in table.splitlines()) == 1
    assert table.rstrip().endswith("FAIL: 2 failed, 0 waived, 0 passed, 0 advisory")
    cases = ET.fromstring(render_junit(report)).iter("testcase")
    assert sorted(c.get("name") for c in cases) == [
        "infra/envs/a: aws_sqs_queue.q", "infra/envs/b: aws_sqs_queue.q"]
    (table_md,) = read(render_markdown(report)).tables[:1]
    assert table_md.head[:2] == ["Resource", "Root"]
    assert sorted(row[1] for row in table_md.rows) == ["infra/envs/a", "infra/envs/b"]


def test_a_root_left_out_is_said_on_the_verdict_line():
    roots = [{"path": "a", "resources": 1, "summary": {"failed": 0}},
             {"path": "b", "skipped": "b cannot be planned here: ..."}]
    report = ScanReport(target=".", findings=[finding("a", "passed")], resources=1, roots=roots)
    table = render_table(report)
    assert "b    NOT SCANNED" in table
    assert table.rstrip().splitlines()[-1] == (
        "PASS: 0 failed, 0 waived, 1 passed, 0 advisory "
        "(INCOMPLETE: 1 of 2 root modules not scanned)")


WAIVER = {"control": "TAGS", "check": None, "resource": "aws_sqs_queue.*", "reason": "r",
          "owner": "o", "expires": "2999-01-01"}


def test_a_waiver_matched_in_one_root_is_not_unmatched():
    waived = finding("a", "waived", waiver={k: v for k, v in WAIVER.items() if v is not None})
    problems = [{"problem": "unmatched", **WAIVER}]  # from root b's scan
    assert merge_waiver_problems(problems, [waived, finding("b")]) == []


def test_waiver_problems_are_reported_once_for_the_run():
    unmatched = [{"problem": "unmatched", **WAIVER}] * 3
    assert merge_waiver_problems(unmatched, [finding("a")]) == unmatched[:1]
    old = {**WAIVER, "expires": "2000-01-01"}
    expired = [{"problem": "expired", **old, "matched": 2}, {"problem": "expired", **old,
                                                             "matched": 0}]
    assert merge_waiver_problems(expired, []) == [{"problem": "expired", **old, "matched": 2}]


def test_unplannable_roots_are_each_named_with_their_cause():
    error = unplannable([
        ("envs/r", PlanError("envs/r cannot be planned here: needs hashicorp/random.\n\n"
                             "Terraform's own output of `terraform init`: Error: ...")),
        ("envs/s", PlanError("`terraform plan` failed for /x/envs/s (exit 1): No value for "
                             "required variable")),
    ], total=5, target="envs")
    text = str(error)
    first, _, rest = text.partition("\n\n")
    assert first.startswith("2 of the 5 root modules below envs cannot be planned here, so no "
                            "report was written")
    assert "envs/r cannot be planned here: needs hashicorp/random." in first
    assert "envs/s: `terraform plan` failed" in first and "--skip-unplannable" in first
    assert rest == "envs/r: Terraform's own output of `terraform init`: Error: ..."
