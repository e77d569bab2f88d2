"""`tfproof scan FOLDER` on a folder of root modules, and `--changed FILE...`, as a user runs them.

Tiny roots (one SQS queue, the bundled AWS provider) whose plans the plan cache keeps:
the same text in two folders is one cache entry, and `BAD` is the control module of
test_offline_planning.py, so these runs plan at most `GOOD` once on a cold cache. The
runs are kept off the network (a closed HTTPS proxy, no AWS credentials).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfproof import cli

TFPROOF = str(Path(sys.executable).parent / "tfproof")
QUEUE = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
BAD = 'provider "aws" {\n  region = "us-east-1"\n}\n' + QUEUE  # no tags: TFP_TAGS_REQUIRED fails
GOOD = ('provider "aws" {\n  region = "us-east-1"\n  default_tags {\n    tags = { Environment = '
        '"test", Project = "tfproof" }\n  }\n}\n' + QUEUE)
RANDOM = 'provider "random" {}\nresource "random_id" "r" {\n  byte_length = 4\n}\n'
MODULE = 'variable "name" {}\n'  # a module no root calls, without a provider block

pytestmark = pytest.mark.plan


def write(base: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text)
    return base


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    closed = "http://127.0.0.1:9"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "TFPROOF_QUIET", "TFPROOF_PROVIDER_SOURCE"))}
    env.update(HTTPS_PROXY=closed, HTTP_PROXY=closed, AWS_EC2_METADATA_DISABLED="true")
    return subprocess.run([TFPROOF, "scan", "--no-checkov", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300, check=False)


def test_a_folder_of_roots_is_one_report_and_a_root_is_scanned_as_before(tmp_path):
    write(tmp_path / "tree", {
        "envs/a/main.tf": BAD, "envs/b/main.tf": BAD, "envs/good/main.tf": GOOD,
        "modules/unused/main.tf": MODULE,
        ".terraform/modules/x/main.tf": BAD,  # hidden: never a root
        "README.md": "# infra\n",
    })
    write(tmp_path / "elsewhere", {"main.tf": BAD})
    (tmp_path / "tree" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)

    proc = run("tree", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["target"] == "tree"
    assert doc["roots"] == [
        {"path": f"tree/envs/{name}", "resources": 1, "summary": {
            "failed": int(name != "good"), "passed": 1 + (name == "good"), "waived": 0,
            "advisory": 0}} for name in ("a", "b", "good")]
    failed = [(f["root"], f["check"], f["resource"], f["file"])
              for f in doc["findings"] if f["status"] == "failed"]
    assert failed == [(f"tree/envs/{n}", "TFP_TAGS_REQUIRED", "aws_sqs_queue.q",
                       f"tree/envs/{n}/main.tf") for n in ("a", "b")]
    keys = [(f["check"], f["resource"], f["control"], f["root"]) for f in doc["findings"]]
    assert len(set(keys)) == len(keys) == 6
    notes = " ".join(doc["notes"])
    assert "were not scanned: tree/modules/unused." in notes and "tree/linked" in notes
    for line in ("root 1/3 tree/envs/a: planning…", "root 2/3 tree/envs/b: scanned, 1 failed",
                 "root 3/3 tree/envs/good: scanned, 0 failed"):
        assert line in proc.stderr

    single = run("tree/envs/a", "--format", "json", cwd=tmp_path)
    assert single.returncode == 1, single.stderr
    one = json.loads(single.stdout)
    assert "roots" not in one and "root/" not in single.stderr
    assert one["findings"] == [{k: v for k, v in f.items() if k != "root"}
                               for f in doc["findings"] if f["root"] == "tree/envs/a"]


def test_a_root_that_cannot_be_planned_stops_the_scan_unless_skipped_loudly(tmp_path):
    write(tmp_path / "tree", {"envs/a/main.tf": BAD, "envs/r/main.tf": RANDOM})
    out = tmp_path / "report.json"
    proc = run("tree", "--format", "json", "--output", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert not out.exists() and proc.stdout == ""
    error = proc.stderr[proc.stderr.index("tfproof: error: "):]
    assert "Traceback" not in proc.stderr
    paragraph = error.partition("\n\n")[0]
    assert paragraph.startswith("tfproof: error: 1 of the 2 root modules below tree cannot be "
                                "planned here, so no report was written")
    assert "tree/envs/r cannot be planned here" in paragraph
    assert "hashicorp/random" in paragraph and "--skip-unplannable" in paragraph

    proc = run("tree", "--format", "json", "--output", str(out), "--skip-unplannable",
               cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(out.read_text())
    assert [r["path"] for r in doc["roots"]] == ["tree/envs/a", "tree/envs/r"]
    assert "hashicorp/random" in doc["roots"][1]["skipped"]
    assert any(n.startswith("NOT SCANNED: the root module tree/envs/r") for n in doc["notes"])
    assert "tfproof: warning: NOT SCANNED: the root module tree/envs/r" in proc.stderr


def test_changed_files_scan_only_the_roots_that_read_them(tmp_path):
    tree = write(tmp_path / "tree", {"envs/a/main.tf": BAD, "envs/good/main.tf": GOOD,
                                     "docs/x.md": "x\n"})
    proc = run("--changed", "envs/good/main.tf", "docs/x.md", "--format", "json", cwd=tree)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [r["path"] for r in doc["roots"]] == ["envs/good"]
    assert "1 changed file(s) feed no root module below . and change no plan: docs/x.md." in (
        doc["notes"])
    proc = run("--changed", "envs/a/main.tf", cwd=tree)
    assert proc.returncode == 1 and "envs/a" in proc.stdout, proc.stderr


def test_nothing_to_scan_and_no_root_in_process(tmp_path, monkeypatch, capsys):
    """No planning at all: the CLI's own answers, in this process."""
    tree = write(tmp_path / "tree", {"envs/a/main.tf": BAD, "modules/m/main.tf": MODULE,
                                     "docs/x.md": "x\n"})
    monkeypatch.chdir(tree)
    assert cli.main(["scan", "--changed", "docs/x.md", "modules/m/main.tf"]) == 0
    err = capsys.readouterr().err
    assert "tfproof: note: nothing to scan: none of the 2 changed file(s) is read by a root " \
           "module below . (1 found)" in err
    assert cli.main(["scan", "modules"]) == 2
    err = capsys.readouterr().err
    assert "modules holds no Terraform root module" in err and "modules/m" in err
    assert cli.main(["scan", "--changed"]) == 2
    assert "--changed needs the changed files" in capsys.readouterr().err
    assert cli.main(["scan", "--changed", "envs/a/main.tf", "--plan", "p.json"]) == 2
    assert "cannot be combined with --plan" in capsys.readouterr().err
    assert cli.main(["scan", "envs/a", "envs/b"]) == 2
    assert "takes one PATH" in capsys.readouterr().err


def test_roots_nested_below_a_root_are_named_or_scanned_with_all_roots(tmp_path):
    """A repository whose top folder is a root: the roots below it are never silently out."""
    write(tmp_path, {"main.tf": GOOD, "examples/basic/main.tf": BAD})
    one = run(".", "--format", "json", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    doc = json.loads(one.stdout)
    assert "roots" not in doc
    assert any("1 other root module(s) below . were not scanned (examples/basic)" in note
               and "--all-roots" in note for note in doc["notes"])
    every = run("--all-roots", ".", "--format", "json", cwd=tmp_path)
    assert every.returncode == 1, every.stderr
    assert [r["path"] for r in json.loads(every.stdout)["roots"]] == [".", "examples/basic"]
