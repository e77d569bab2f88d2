"""`tfproof scan --format markdown` on real scans: the pull-request summary, rendered and read back.

The markdown is parsed with markdown-it (CommonMark + GitHub's tables) and the
tables, headings and notes are read from the parse tree, so the tests see what a
reviewer sees rather than substrings of the source. The plan is a fixture plan
JSON (no terraform, no checkov); a root folder beside it gives findings a file
and line. `markdown_support` holds the reader shared with the hostile tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from markdown_support import Doc, read

from tfproof import cli
from tfproof.engine.catalog import load_catalog
from tfproof.engine.scan import EMPTY_PLAN_NOTE, scan
from tfproof.findings import Finding, ScanReport
from tfproof.formats.markdown import GITHUB_LIMIT, MAX_CHARS, render_markdown
from tfproof.formats.mdtext import size

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "tests" / "compliance" / "fixtures" / "plans" / "s3_split_provider4.json"
MAIN_TF = ('resource "aws_s3_bucket" "pass_split" {\n}\n\n'
           'resource "aws_s3_bucket" "fail_split" {\n  bucket = "x"\n}\n')
FAILING = ("TFP_BACKUP_S3_VERSIONING", "TFP_ENC_REST_S3", "TFP_ENC_TRANSIT_S3_TLS",
           "TFP_S3_PUBLIC_ACCESS_BLOCK")  # the four checks fail_split fails
T = dt.date(2031, 3, 1)


def waivers_file(path: Path, entries: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps({"waivers": entries}))  # JSON is YAML
    return path


def waiver(check: str, expires: dt.date, **extra: str) -> dict[str, str]:
    return {"check": check, "resource": "aws_s3_bucket.fail_split", "reason": "moving to split",
            "owner": "platform-security", "expires": expires.isoformat(), **extra}


def run_scan(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["scan", *args])
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    (folder / "main.tf").write_text(MAIN_TF)
    return folder


def test_the_pull_request_summary_of_a_real_scan(root: Path, tmp_path: Path):
    today = dt.date.today()
    waivers = waivers_file(tmp_path / "waivers.yaml", [
        waiver("TFP_BACKUP_S3_VERSIONING", today + dt.timedelta(days=10)),
        {"control": "TAGS", "resource": "aws_s3_bucket.nothing", "reason": "gone",
         "owner": "ana", "expires": (today + dt.timedelta(days=100)).isoformat()},
    ])
    common = (str(root), "--plan", str(PLAN), "--no-checkov", "--waivers", str(waivers))
    code, markdown = run_scan(*common, "--format", "markdown")
    _, as_json = run_scan(*common, "--format", "json")
    report = json.loads(as_json)
    assert code == 1
    doc = read(markdown)
    titles = {c.id: c.title for c in load_catalog()}
    failed = [f for f in report["findings"] if f["status"] == "failed"]
    controls = [c for c in titles if any(f["control"] == c for f in failed)]  # catalog order
    assert doc.headings == [
        "tfproof: 3 failed findings in 3 controls", "Failed controls (3)",
        *(f"{c}: {titles[c]} (1 failed)" for c in controls),
        "Waivers expiring within 30 days (1)", "Notes", "Summary",
    ]
    shown = []
    for control in controls:
        table = doc.table_under(f"{control}: {titles[control]} (1 failed)")
        assert table.head == ["Resource", "Where", "Check", "Severity", "Finding", "Fix"]
        for row in table.rows:
            finding = next(f for f in failed if (f["control"], f["check"]) == (control, row[2]))
            assert row == [finding["resource"], f"{finding['file']}:4", finding["check"],
                           finding["severity"], finding["message"], finding["remediation"]]
            assert finding["file"].endswith("main.tf")
            shown.append(finding["check"])
    assert sorted(shown) == sorted(f["check"] for f in failed)
    expiring = doc.table_under("Waivers expiring within 30 days (1)")
    assert expiring.rows == [[
        f"{(today + dt.timedelta(days=10)).isoformat()} (in 10 days)", "platform-security",
        "TFP_BACKUP_S3_VERSIONING", "aws_s3_bucket.fail_split", "moving to split", "1",
    ]]
    assert doc.bullets == [
        "waiver unmatched: TAGS on aws_s3_bucket.nothing (owner ana, expires "
        f"{(today + dt.timedelta(days=100)).isoformat()})"
    ]
    summary = report["summary"]
    assert doc.table_under("Summary").rows == [[
        str(summary["failed"]), str(summary["waived"]), str(summary["passed"]),
        str(summary["advisory"]), "9",
    ]]


def test_the_expiry_window_is_today_to_30_days_on_the_injected_date(tmp_path: Path):
    days = {"TFP_BACKUP_S3_VERSIONING": 0, "TFP_ENC_REST_S3": 30, "TFP_ENC_TRANSIT_S3_TLS": 31,
            "TFP_S3_PUBLIC_ACCESS_BLOCK": -1}
    path = waivers_file(tmp_path / "w.yaml", [
        waiver(check, T + dt.timedelta(days=n), reason=f"r{n}") for check, n in days.items()
    ])
    report = scan(plan=PLAN, waivers_path=path, checkov=False, today=T)
    rows = read(render_markdown(report, today=T)).table_under(
        "Waivers expiring within 30 days (2)").rows
    assert [(r[0], r[2], r[4]) for r in rows] == [
        (f"{T.isoformat()} (today)", "TFP_BACKUP_S3_VERSIONING", "r0"),
        (f"{(T + dt.timedelta(days=30)).isoformat()} (in 30 days)", "TFP_ENC_REST_S3", "r30"),
    ]
    assert [f.check for f in report.failed] == ["TFP_S3_PUBLIC_ACCESS_BLOCK"]  # expired
    assert any(b.startswith("waiver expired: TFP_S3_PUBLIC_ACCESS_BLOCK")
               for b in read(render_markdown(report, today=T)).bullets)
    later = read(render_markdown(report, today=T + dt.timedelta(days=31)))
    assert [r[2] for r in later.table_under("Waivers expiring within 30 days (1)").rows] == [
        "TFP_ENC_TRANSIT_S3_TLS"]


def test_an_empty_plan_is_never_reported_as_passing():
    report = ScanReport("empty", [], notes=[EMPTY_PLAN_NOTE], resources=0)
    doc = read(render_markdown(report, today=T))
    assert doc.headings[0] == "tfproof: nothing judged (the plan holds no managed resource)"
    assert doc.bullets == [EMPTY_PLAN_NOTE]


def test_roots_that_were_not_scanned_make_the_verdict_incomplete():
    report = scan(plan=PLAN, checkov=False, today=T)
    report.findings = [f for f in report.findings if f.status == "passed"]
    assert read(render_markdown(report, today=T)).headings[0] == "tfproof: no unwaived failure"
    report.roots = [{"path": "infra/a", "resources": 9, "summary": report.summary},
                    {"path": "infra/b", "skipped": "a provider that is not bundled"}]
    assert read(render_markdown(report, today=T)).headings[0] == (
        "tfproof: no unwaived failure (incomplete: 1 of 2 root modules not scanned)")


def _inflated(count: int) -> ScanReport:
    """The real scan's failure, advisory and waived findings, copied onto `count` resources."""
    report = scan(plan=PLAN, checkov=False, today=T)
    base = report.failed[0]
    findings = list(report.findings)
    for i in range(count):
        address = f'aws_s3_bucket.fail_split["{i:05d}-{"k" * 120}"]'
        findings.append(Finding(base.control, base.check, base.source, address, "failed",
                                base.severity, base.message, "main.tf", i + 1, base.remediation))
        findings.append(Finding(base.control, "CKV_AWS_145", "checkov", address, "advisory",
                                "low", "KMS is stricter than the seed"))
    report.findings = findings
    return report


def _shown_failures(doc: Doc) -> int:
    return sum(len(t.rows) for t in doc.tables if t.head[0] == "Resource")


def test_a_long_report_is_cut_below_githubs_limit_and_says_what_is_left_out():
    report = _inflated(2000)
    markdown = render_markdown(report, today=T,
                               full_report="https://github.com/o/r/actions/runs/7")
    assert size(markdown) <= MAX_CHARS < GITHUB_LIMIT
    doc = read(markdown, links=["https://github.com/o/r/actions/runs/7"])
    failed = len(report.failed)
    hidden = failed - _shown_failures(doc)
    assert 0 < hidden < failed
    assert doc.quotes == [
        f"Shortened to stay under GitHub's 65,536-character comment limit: {hidden} failed "
        f"findings, 2000 advisories are not shown. For the full report, see "
        "https://github.com/o/r/actions/runs/7, or run the same tfproof scan with "
        "--format table or --format json."
    ]
    assert markdown.index("> **Shortened") < markdown.index("### Failed controls")  # on top
    assert not any(t.head[0] == "Control" for t in doc.tables)  # advisories went first
    assert doc.table_under("Summary").rows[0][:4] == [str(failed), "0", "8", "2000"]


def test_advisories_are_left_out_before_any_failure():
    report = _inflated(30)
    full = render_markdown(report, today=T, max_chars=10**6)
    assert _shown_failures(read(full)) == len(report.failed)
    cut = render_markdown(report, today=T, max_chars=size(full) - 500,
                          full_report="javascript:alert(1)")
    doc = read(cut)  # the caller's non-https "full report" is text, not a link
    assert size(cut) <= size(full) - 500
    assert _shown_failures(doc) == len(report.failed)
    assert "advisories are not shown. For the full report, see javascript:alert(1)" in (
        doc.quotes[0])


def test_against_a_baseline_new_failures_lead_and_fixed_ones_are_listed(root: Path,
                                                                          tmp_path: Path):
    """A known failure is still shown as failed, but the verdict counts only new ones."""
    common = (str(root), "--plan", str(PLAN), "--no-checkov", "--waivers",
              str(waivers_file(tmp_path / "w.yaml", [])))
    report = json.loads(run_scan(*common, "--format", "json")[1])
    failed = [f for f in report["findings"] if f["status"] == "failed"]
    passed = next(f for f in report["findings"] if f["status"] == "passed")
    entries = [{k: f[k] for k in ("control", "check", "resource")}
               for f in [*failed[1:], passed]]
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"format": "tfproof-baseline", "version": 1,
                                    "failures": sorted(entries, key=json.dumps)}))
    code, markdown = run_scan(*common, "--baseline", str(baseline), "--format", "markdown")
    assert code == 1
    doc = read(markdown)
    assert doc.headings[0].startswith(f"tfproof: 1 new failed finding in 1 control "
                                      f"({len(failed) - 1} known from the baseline")
    marks = [row[-1] for t in doc.tables if t.head[0] == "Resource" for row in t.rows]
    assert sorted(marks) == ["known"] * (len(failed) - 1) + ["new"]
    (fixed,) = doc.table_under("Fixed since the baseline (1)").rows
    assert fixed == [passed["control"], passed["check"], passed["resource"], "passed"]

    every = [{k: f[k] for k in ("control", "check", "resource")} for f in failed]
    baseline.write_text(json.dumps({"format": "tfproof-baseline", "version": 1,
                                    "failures": sorted(every, key=json.dumps)}))
    code, markdown = run_scan(*common, "--baseline", str(baseline), "--format", "markdown")
    assert code == 0
    assert read(markdown).headings[0].startswith(
        f"tfproof: no new failure ({len(failed)} known from the baseline")
