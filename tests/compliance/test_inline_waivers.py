"""Inline waivers and checkov skips through `tfproof scan PATH --plan plan.json`.

The fixture root (fixtures/inline_waivers) is scanned with its committed plan
and its folder, so the comments are read without running Terraform: a waiver
above, on and inside a resource block, one in a local module called twice with
count = 2, an expired and an unmatched one, a heredoc that looks like a waiver,
an unmanaged checkov skip and a managed one. Hostile copies of the folder (a
malformed waiver, non-UTF-8, a pipe, a broken link, a huge file, a secret in a
reason) must end with exit 2 and one paragraph, or keep the secret out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfproof import cli
from tfproof.engine import waiving
from tfproof.engine.scan import scan
from tfproof.secrets.scrub import forget_all

FIXTURE = Path(__file__).parent / "fixtures" / "inline_waivers"
PLAN = FIXTURE / "plan.json"
TFPROOF = str(Path(sys.executable).parent / "tfproof")


@pytest.fixture(scope="module")
def no_waivers(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("waivers") / "waivers.yaml"
    path.write_text("waivers: []\n")
    return path


@pytest.fixture(scope="module")
def report(no_waivers):
    return scan(target=FIXTURE, plan=PLAN, waivers_path=no_waivers, checkov=False)


def by(report, check: str, resource: str):
    (finding,) = [f for f in report.findings if f.check == check and f.resource == resource]
    return finding


@pytest.fixture()
def copy(tmp_path) -> Path:
    """A copy of the fixture folder to make hostile (the plan stays the fixture's)."""
    root = tmp_path / "root"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("plan.json", "README.md"))
    return root


def rescan(root: Path, no_waivers: Path, capsys, *extra: str) -> tuple[int, str, str]:
    code = cli.main(["scan", str(root), "--plan", str(PLAN), "--no-checkov", "--waivers",
                     str(no_waivers), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# --- the fixture ------------------------------------------------------------------------


def test_a_waiver_waives_its_block_only_and_says_where_it_is(report):
    waived = by(report, "TFP_BACKUP_S3_VERSIONING", "aws_s3_bucket.scratch")
    assert waived.status == "waived"
    assert waived.waiver["source"] == "inline" and waived.waiver["line"] == 16
    assert waived.waiver["file"].endswith("inline_waivers/main.tf")
    assert waived.waiver["owner"] == "data-team" and waived.waiver["expires"] == "2099-12-31"
    assert by(report, "TFP_ENC_REST_S3", "aws_s3_bucket.scratch").status == "failed"
    assert by(report, "TFP_BACKUP_S3_VERSIONING", "aws_s3_bucket.legacy").status == "failed"
    # the heredoc line that looks like an ENC-REST waiver is text: nothing else is waived
    assert {(f.check, f.resource) for f in report.findings if f.status == "waived"} == {
        ("TFP_BACKUP_S3_VERSIONING", "aws_s3_bucket.scratch"),
        ("TFP_BACKUP_S3_VERSIONING", "aws_s3_bucket.managed"),
        *(("TFP_ENC_REST_S3", f"module.{m}.aws_s3_bucket.this[{i}]") for m in "ab" for i in (0, 1)),
    }


def test_a_module_waiver_covers_every_call_and_instance(report):
    for module in ("a", "b"):
        for index in (0, 1):
            address = f"module.{module}.aws_s3_bucket.this[{index}]"
            finding = by(report, "TFP_ENC_REST_S3", address)
            assert finding.waiver["file"].endswith("modules/bucket/main.tf")
            assert by(report, "TFP_BACKUP_S3_VERSIONING", address).status == "failed"


def test_expired_and_unmatched_inline_waivers_are_reported(report):
    problems = {p["problem"]: p for p in report.waivers}
    expired, unmatched = problems["expired"], problems["unmatched"]
    assert (expired["control"], expired["resource"], expired["line"], expired["matched"]) == (
        "TAGS", "aws_s3_bucket.expired", 35, 1)
    assert by(report, "TFP_TAGS_REQUIRED", "aws_s3_bucket.expired").status == "failed"
    assert (unmatched["resource"], unmatched["line"]) == ("aws_sns_topic.tagged", 42)
    assert any("waiver expired: TAGS on aws_s3_bucket.expired at " in n and "main.tf:35" in n
               for n in report.notes)


def test_an_unmanaged_checkov_skip_is_a_finding_a_managed_one_is_not(report):
    skip = by(report, waiving.UNMANAGED_SKIP, "aws_s3_bucket.legacy")
    assert (skip.status, skip.control, skip.line) == ("failed", "AUDIT-LOGS", 23)
    assert skip.extra == {"skipped_checks": ["CKV_AWS_18"],
                          "skip_reasons": ["nobody reads these logs"]}
    assert "tfproof:waive CKV_AWS_18" in skip.remediation
    # managed: the BACKUP waiver (owner, expiry) covers the skipped CKV_AWS_21
    assert [f.resource for f in report.findings if f.check == waiving.UNMANAGED_SKIP] == [
        "aws_s3_bucket.legacy"]


def test_a_waiver_of_the_skipped_check_manages_the_skip(copy, no_waivers):
    edit(copy / "main.tf", 'resource "aws_s3_bucket" "legacy" {\n',
         'resource "aws_s3_bucket" "legacy" { # tfproof:waive CKV_AWS_18 reason="logs unused" '
         "owner=ops expires=2099-03-31\n  #checkov:skip=CKV_NOT_RUN_1:elsewhere\n")
    report = scan(target=copy, plan=PLAN, waivers_path=no_waivers, checkov=False)
    assert not [f for f in report.findings if f.check == waiving.UNMANAGED_SKIP]
    # checkov is off here, so the waiver itself matches nothing, and says so
    assert any(p["problem"] == "unmatched" and p["check"] == "CKV_AWS_18" for p in report.waivers)
    assert any("checkov skip of CKV_NOT_RUN_1 at " in n and "does not run that check" in n
               for n in report.notes)


def test_with_plan_only_no_source_is_read(no_waivers):
    report = scan(plan=PLAN, waivers_path=no_waivers, checkov=False)
    assert not [f for f in report.findings if f.status == "waived"]
    assert not [f for f in report.findings if f.check == waiving.UNMANAGED_SKIP]


def test_the_json_report_carries_the_inline_waiver(no_waivers, capsys):
    code, out, err = rescan(FIXTURE, no_waivers, capsys, "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    (waived,) = [f for f in doc["findings"] if f["resource"] == "aws_s3_bucket.scratch"
                 and f["status"] == "waived"]
    assert waived["waiver"]["source"] == "inline" and waived["waiver"]["line"] == 16



def test_sarif_marks_an_inline_waiver_as_in_source(no_waivers, tmp_path, capsys):
    """Code scanning tells a suppression in the code from one kept elsewhere (waivers.yaml)."""
    out = tmp_path / "scan.sarif"
    code, _, err = rescan(FIXTURE, no_waivers, capsys, "--format", "sarif", "-o", str(out))
    assert code == 1, err
    results = json.loads(out.read_text())["runs"][0]["results"]
    kinds = {s["kind"] for r in results for s in r.get("suppressions", [])}
    assert kinds == {"inSource"}

# --- hostile input: exit 2, one paragraph -----------------------------------------------


@pytest.mark.parametrize(("file", "old", "new", "words"), [
    ("main.tf", "expires=2099-12-31\nresource \"aws_s3_bucket\" \"scratch\"",
     "expires=2099-13-01\nresource \"aws_s3_bucket\" \"scratch\"", "main.tf:16"),
    ("main.tf", "owner=data-team expires=2099-12-31\nresource", "expires=2099-12-31\nresource",
     "lacks `owner`"),
    ("main.tf", "# tfproof:waive BACKUP", "# tfproof:waive BACKUPS", "did you mean BACKUP"),
    ("modules/bucket/main.tf", "  // tfproof:waive", "  count = 2\n  // tfproof:waive",
     "modules/bucket/main.tf:7 is not attached"),
])
def test_a_malformed_or_misplaced_waiver_stops_the_scan(copy, no_waivers, capsys, file, old,
                                                         new, words):
    edit(copy / file, old, new)
    code, out, err = rescan(copy, no_waivers, capsys)
    assert code == 2 and out == ""
    assert words in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_file_that_is_not_utf8_stops_the_scan(copy, no_waivers, capsys):
    (copy / "latin1.tf").write_bytes(b"# tfproof:waive BACKUP reason=caf\xe9\n")
    code, _, err = rescan(copy, no_waivers, capsys)
    assert code == 2 and "latin1.tf is not UTF-8" in err


def test_a_broken_link_stops_the_scan(copy, no_waivers, capsys):
    (copy / "gone.tf").symlink_to(copy / "missing.tf")
    code, _, err = rescan(copy, no_waivers, capsys)
    assert code == 2 and "gone.tf is a symlink to a missing file" in err


def test_a_link_out_of_the_tree_is_read_as_terraform_reads_it(copy, no_waivers, capsys, tmp_path):
    outside = tmp_path / "shared.tf"
    outside.write_text("# tfproof:waive TAGS\n")  # a waiver with nothing but its subject
    (copy / "shared.tf").symlink_to(outside)
    code, _, err = rescan(copy, no_waivers, capsys)
    assert code == 2 and "shared.tf:1" in err


def test_a_huge_file_stops_the_scan(copy, no_waivers, capsys, monkeypatch):
    monkeypatch.setattr("tfproof.terraform.tree.MAX_TF_FILE_BYTES", 2**20)
    (copy / "huge.tf").write_text("# padding\n" * (2**20 // 10 + 1))
    code, _, err = rescan(copy, no_waivers, capsys)
    assert code == 2 and "huge.tf is larger than 1 MiB" in err


def test_a_pipe_named_like_a_tf_file_stops_the_scan_without_blocking(copy, no_waivers):
    os.mkfifo(copy / "pipe.tf")
    proc = subprocess.run([TFPROOF, "scan", str(copy), "--plan", str(PLAN), "--no-checkov",
                           "--waivers", str(no_waivers)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 2 and "pipe.tf is a named pipe" in proc.stderr


def test_a_secret_in_a_waiver_reason_reaches_no_output(copy, no_waivers, capsys):
    edit(copy / "main.tf", 'reason="scratch data, rebuilt nightly"',
         'reason="db_password=Sup3rSecretValue until the vault"')
    edit(copy / "main.tf", "#checkov:skip=CKV_AWS_18:nobody reads these logs",
         "#checkov:skip=CKV_AWS_18:api_key=An0therSecretValue")
    forget_all()
    try:
        code, out, err = rescan(copy, no_waivers, capsys, "--format", "json")
    finally:
        forget_all()
    assert code == 1, err
    assert "Sup3rSecretValue" not in out + err and "An0therSecretValue" not in out + err
    assert "db_password=**REDACTED**" in out
