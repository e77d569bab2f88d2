"""Hostile values in `--format markdown`: what the user's code holds renders as text, nothing else.

A `for_each` key, a file name, a waiver's owner or reason can hold `|`, backticks,
`<img onerror>`, `[x](url)`, `@team` or newlines. Read back with markdown-it
(`markdown_support.read` fails on any HTML, image, link or markup), every table
keeps its rows and columns and every cell holds exactly the value, made one line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_support import read
from test_markdown import PLAN, T, run_scan, waivers_file

from tfproof.findings import Finding, ScanReport
from tfproof.formats.markdown import render_markdown

EVIL = ("x|y`<img src=x onerror=alert(1)>*_[a](http://evil.example)\n| --- |\r\n"
        "@team ![i](http://t.example/p.png) <script>alert(2)</script> \\| ~~s~~ $x$ &amp;")
EVIL_FILE = "ev|il`<b>_*[x](y).tf"
_BREAKS = re.compile(r"[\r\n\t\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(value: str, prose: bool = True) -> str:
    """What a cell must show: breaks as spaces, control and bidi characters as U+FFFD."""
    shown = _HIDDEN.sub("\ufffd", _BREAKS.sub(" ", value))
    if not shown.strip():
        return "-"
    return shown.strip() if prose else shown


def test_a_hostile_resource_key_and_file_name_stay_in_their_cells(tmp_path: Path):
    key = EVIL  # `]`, `|`, backslashes: Terraform prints the key as a quoted, escaped string
    address = f"aws_s3_bucket.fail_split[{json.dumps(key)}]"
    plan = json.loads(PLAN.read_text())

    def rename(node: object) -> None:
        if isinstance(node, dict):
            if node.get("address") == "aws_s3_bucket.fail_split":
                node["address"], node["index"] = address, key
            for value in node.values():
                rename(value)
        elif isinstance(node, list):
            for value in node:
                rename(value)

    rename(plan)
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    root = tmp_path / "root"
    root.mkdir()
    (root / EVIL_FILE).write_text('resource "aws_s3_bucket" "fail_split" {\n}\n')
    waivers = waivers_file(tmp_path / "w.yaml", [{
        "check": "TFP_BACKUP_S3_VERSIONING", "resource": "aws_s3_bucket.fail_split*",
        "reason": EVIL, "owner": "@org/team <b>", "expires":
        (dt.date.today() + dt.timedelta(days=3)).isoformat(),
    }])
    args = (str(root), "--plan", str(tmp_path / "plan.json"), "--no-checkov", "--waivers",
            str(waivers))
    code, markdown = run_scan(*args, "--format", "markdown")
    assert code == 1
    report = json.loads(run_scan(*args, "--format", "json")[1])
    doc = read(markdown)  # no HTML, image, link or markup anywhere
    failed = [t for t in doc.tables if t.head[0] == "Resource"]
    assert len(failed) == report["summary"]["failed"] == 3
    assert all(len(t.rows) == 1 for t in failed)
    for table in failed:
        resource, where = table.rows[0][:2]
        assert resource == one_line(address, prose=False)
        assert where.endswith(f"{EVIL_FILE}:1")
    expiring = doc.table_under("Waivers expiring within 30 days (1)").rows
    assert expiring[0][1:] == ["@org/team <b>", "TFP_BACKUP_S3_VERSIONING",
                               "aws_s3_bucket.fail_split*", one_line(EVIL), "1"]
    assert len(doc.headings) == 7  # verdict, failed controls, 3 controls, waivers, summary


# characters markdown reads as syntax, breaks, controls, and whole tokens (an entity, a bare
# URL, a tag) that a character-by-character alphabet rarely spells
HOSTILE = st.lists(
    st.sampled_from([*"|`<>*_[]()!\\\n\r#&@:/.~$-= \tab", "\u202e", "\x00", "\u2028", "é",
                     "\U0001f600", "&lt;", "http://e.x", "www.e.x", "<img>", "![i](u)", "```"]),
    max_size=20,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resource=HOSTILE, message=HOSTILE, file=HOSTILE, fix=HOSTILE, owner=HOSTILE,
       reason=HOSTILE, check=HOSTILE, note=HOSTILE, target=HOSTILE)
def test_any_value_renders_as_itself(resource: str, message: str, file: str, fix: str,
                                     owner: str, reason: str, check: str, note: str,
                                     target: str):
    waiver = {"check": check, "resource": resource, "owner": owner, "reason": reason,
              "expires": (T + dt.timedelta(days=5)).isoformat()}
    report = ScanReport(target, [
        Finding("ENC-REST", check, "tfproof", resource, "failed", "high", message, file, 7, fix),
        Finding("TAGS", check, "checkov", resource, "advisory", "low", message, file, None),
        Finding("TAGS", check, "tfproof", resource, "waived", "low", message, waiver=waiver),
    ], notes=[note], resources=3, control_titles={"ENC-REST": "Data stores are encrypted"})
    doc = read(render_markdown(report, today=T))
    failed = doc.table_under("ENC-REST: Data stores are encrypted (1 failed)")
    where = one_line(f"{file}:7", False) if file else "-"
    where_advisory = one_line(file, False) if file else "-"
    address, check_id = one_line(resource, False), one_line(check, False)
    assert failed.rows == [[address, where, check_id, "high", one_line(message), one_line(fix)]]
    advisory = doc.table_under("Advisories (1)")
    assert advisory.rows == [["TAGS", address, where_advisory, check_id, one_line(message)]]
    expiring = doc.table_under("Waivers expiring within 30 days (1)")
    assert expiring.rows == [[f"{(T + dt.timedelta(days=5)).isoformat()} (in 5 days)",
                              one_line(owner), check_id, address, one_line(reason), "1"]]
    assert doc.bullets == [one_line(note)]
    assert doc.table_under("Summary").rows == [["1", "1", "0", "1", "3"]]
    assert len(doc.headings) == 7 and len(doc.tables) == 4
    assert doc.paragraphs[-1] == f"Scanned {one_line(target, False)} with tfproof 0.1.0."
