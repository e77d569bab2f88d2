"""Hostile inputs to the newer `tfproof scan` entry points, each one a defect found by trying.

Every test here failed before its fix (see the commit that added it). They run on the
committed plan of fixtures/inline_waivers or on tiny trees of empty folders and
never plan anything, so the whole file costs well under a second of CPU.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tfproof import cli
from tfproof.findings import Finding, ScanReport
from tfproof.formats.sarif import render_sarif
from tfproof.secrets.scrub import forget_all, remember, scrub

FIXTURE = Path(__file__).parent / "fixtures" / "inline_waivers"
PLAN = FIXTURE / "plan.json"


@pytest.fixture(autouse=True)
def _forget():
    forget_all()
    yield
    forget_all()


@pytest.fixture()
def root(tmp_path) -> Path:
    """A copy of the inline-waivers fixture (its plan stays the committed one)."""
    copy = tmp_path / "root"
    shutil.copytree(FIXTURE, copy, ignore=shutil.ignore_patterns("plan.json", "README.md"))
    return copy


def scan_json(root: Path, capsys, *extra: str) -> tuple[int, dict, str]:
    waivers = root.parent / "no-waivers.yaml"
    waivers.write_text("waivers: []\n")
    code = cli.main(["scan", str(root), "--plan", str(PLAN), "--no-checkov", "--waivers",
                     str(waivers), "--format", "json", *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code in (0, 1) else {}), err


def test_a_hidden_tf_file_terraform_never_reads_waives_nothing(root, capsys):
    # Terraform skips files whose name starts with "." (configs.IsIgnoredFile); a waiver on a
    # look-alike block in such a file waived the real resource and moved its file:line there
    (root / ".sneaky.tf").write_text(
        '# tfproof:waive AUDIT-LOGS reason="nobody looks" owner=mallory expires=2099-12-31\n'
        'resource "aws_s3_bucket" "legacy" {\n}\n')
    code, doc, err = scan_json(root, capsys)
    assert code == 1, err
    legacy = [f for f in doc["findings"] if f["resource"] == "aws_s3_bucket.legacy"]
    logging = [f for f in legacy if f["check"] == "TFP_S3_ACCESS_LOGGING"]
    assert [f["status"] for f in logging] == ["failed"]
    assert not [f for f in doc["findings"] if ".sneaky.tf" in str(f.get("file"))]
    assert {f["file"] for f in legacy} == {f"{root}/main.tf"}


def test_a_sarif_fingerprint_is_no_hash_of_a_secret_in_the_address():
    # a for_each key that is a --var secret is redacted in the text, but the fingerprint was
    # sha256 of the raw address: anyone who can read the alert could test guesses offline
    secret = "Hunter2Hunter2"
    remember(secret)
    finding = Finding(control="TAGS", check="TFP_TAGS_REQUIRED", source="tfproof",
                      resource=f'aws_sqs_queue.q["{secret}"]', status="failed",
                      severity="low", message="missing tags")
    # as `emit` writes it: the text scrubbed, which cannot reach inside a hash
    log = scrub(render_sarif(ScanReport(target="r1", findings=[finding], tool_version="0")))
    raw = hashlib.sha256(json.dumps([finding.control, finding.check, finding.resource])
                         .encode()).hexdigest()
    assert secret not in log
    assert raw not in log
    (result,) = json.loads(log)["runs"][0]["results"]
    redacted = hashlib.sha256(json.dumps(
        [finding.control, finding.check, 'aws_sqs_queue.q["**REDACTED**"]']).encode()).hexdigest()
    assert result["partialFingerprints"]["tfproofFindingHash/v1"] == redacted


def test_changed_folder_that_holds_roots_feeds_them(tmp_path, monkeypatch):
    # `tfproof scan --changed .` (or infra/) said "nothing to scan" and PASSED with exit 0
    # while the folder held root modules with failures: a folder changed is everything in it
    from tfproof.terraform.roots import changed_roots, find_roots

    provider = 'provider "aws" {\n  region = "us-east-1"\n}\n'
    for name in ("envs/a", "envs/b", "other/c"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "main.tf").write_text(provider)
    (tmp_path / "envs/a/templates").mkdir()
    (tmp_path / "envs/a/templates/t.json").write_text("{}")
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path)
    roots = list(find_roots(Path(".")).roots)
    assert len(roots) == 3

    def fed(*changed: str) -> list[str]:
        found = changed_roots(roots, [Path(c) for c in changed])
        return sorted(p.as_posix() for p in found.roots)

    assert fed(".") == ["envs/a", "envs/b", "other/c"]
    assert fed("envs") == fed("envs/") == fed(str(tmp_path / "envs")) == ["envs/a", "envs/b"]
    assert fed("envs/a") == fed("envs/a/templates") == ["envs/a"]
    assert fed("docs") == []  # a folder no root reads from changes no plan


def test_changed_var_file_of_the_run_feeds_every_root(tmp_path, monkeypatch, capsys):
    # `--var-file vars/prod.tfvars --changed vars/prod.tfvars` (the hook with a var file in
    # its args) scanned nothing and passed, yet that file is read by every root's plan. The
    # root here cannot be planned offline (a provider tfproof does not bundle: init fails in
    # half a second), so being fed shows as exit 2 naming it, never as the exit 0 of old.
    (tmp_path / "envs/a").mkdir(parents=True)
    (tmp_path / "envs/a/main.tf").write_text(
        'provider "nosuch" {}\nresource "nosuch_thing" "x" {}\n')
    (tmp_path / "vars").mkdir()
    (tmp_path / "vars/prod.tfvars").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    code = cli.main(["scan", "--no-checkov", "--changed", "vars/prod.tfvars"])
    assert code == 0, capsys.readouterr().err  # no var file in the run: nobody reads it
    capsys.readouterr()
    code = cli.main(["scan", "--no-checkov", "--var-file", "vars/prod.tfvars",
                     "--changed", "vars/prod.tfvars"])
    err = capsys.readouterr().err
    assert code == 2 and "envs/a" in err, err


@pytest.mark.parametrize("args", ["--out report.json", "--outp=report.json", "--form table",
                                  "--fo=table", "-oreport.json", "--output=x", "--o r.json"])
def test_action_args_that_argparse_reads_as_output_or_format_are_refused(args):
    # argparse takes any unique prefix of an option: `--out r.json` sent the report to a file,
    # and the step then failed with "a tfproof bug" instead of naming the input
    from tfproof.ci.inputs import read_inputs
    from tfproof.errors import InputError

    with pytest.raises(InputError, match="`args` sets"):
        read_inputs({"INPUT_PATH": "infra", "INPUT_ARGS": f"--no-checkov {args}"})
    assert read_inputs({"INPUT_PATH": "infra", "INPUT_ARGS": "--no-checkov --var o=1"}).args


def test_the_step_summary_of_a_scan_that_could_not_run_renders_names_as_text(
        tmp_path, monkeypatch):
    # the error paragraph went into $GITHUB_STEP_SUMMARY as raw markdown: a root folder named
    # by a pull request became a link, an HTML tag and an @mention on the run's page
    from markdown_it import MarkdownIt

    from tfproof.ci import github

    name = "[approve](evil.example) <img src=x onerror=alert(1)> @org_admins *x*"
    (tmp_path / "infra" / name).mkdir(parents=True)
    (tmp_path / "infra" / name / "main.tf").write_text(
        'provider "nosuch" {}\nresource "nosuch_thing" "x" {}\n')
    summary = tmp_path / "summary.md"
    for key, value in {"INPUT_PATH": "infra", "INPUT_CHECKOV": "false",
                       "GITHUB_WORKSPACE": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "out"),
                       "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(tmp_path),
                       "HTTPS_PROXY": "http://127.0.0.1:9"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    assert github.main() == 2
    tokens = MarkdownIt("commonmark", {"html": True}).parse(summary.read_text())
    inline = [t for b in tokens for t in (b.children or [])]
    kinds = {t.type for t in [*tokens, *inline]}
    assert not kinds & {"link_open", "image", "html_inline", "html_block", "em_open"}, kinds
    shown = "".join(t.content for t in [*tokens, *inline]
                    if t.type in ("text", "code_inline", "fence"))
    assert name in shown


@pytest.mark.parametrize("subject", ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                     "AKIAIOSFODNN7EXAMPLE"])
def test_a_credential_pasted_as_a_waiver_subject_is_not_echoed(root, capsys, subject):
    # "names 'wJalr...', which is neither a control ... nor a check ID" printed the pasted
    # credential into the CI log (a reason's secrets were masked; the subject was not)
    main = root / "main.tf"
    main.write_text(main.read_text().replace(
        'resource "aws_s3_bucket" "legacy" {',
        f'# tfproof:waive {subject} reason="x" owner=a expires=2099-01-01\n'
        'resource "aws_s3_bucket" "legacy" {', 1))
    code, _doc, err = scan_json(root, capsys)
    assert code == 2 and "neither a control" in err, err
    assert subject not in err
