"""`tfproof scan PATH --since REF`: the baseline is PATH as it was at a git ref.

Real git repositories in a temporary folder whose root module is a copy of a
compliance fixture at the ref and another fixture in the working tree; both
plans come from the plan cache the compliance layer fills (the same fixture
contents), so no test here runs `terraform plan` on a warm cache. What is
checked is what a pull-request job relies on: failures present at the ref are
known, the others new, the ref's that are gone fixed; the user's repository is
left exactly as it was (no worktree, no index write) and no scratch folder stays.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfproof import cli
from tfproof.secrets.scrub import forget_all

FIXTURES = Path(__file__).parent / "fixtures"
TFPROOF = str(Path(sys.executable).parent / "tfproof")

pytestmark = pytest.mark.plan


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=test@example.invalid", "-c", "user.name=tfproof test", *args],
        cwd=repo, check=True, capture_output=True, text=True).stdout


def repository(tmp_path: Path, at_ref: str | None, now: str) -> Path:
    """A repository whose `main` holds fixture `at_ref` as root/ (nothing there when None),
    with fixture `now` as root/ in the working tree."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("infra\n")
    if at_ref:
        shutil.copytree(FIXTURES / at_ref, repo / "root")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    shutil.rmtree(repo / "root", ignore_errors=True)
    shutil.copytree(FIXTURES / now, repo / "root")
    return repo


def snapshot(tree: Path) -> dict[str, str]:
    return {str(p.relative_to(tree)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tree.rglob("*")) if p.is_file()}


def run(repo: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed tfproof in the repository, with a private TMPDIR to find leftovers in."""
    tmp.mkdir(exist_ok=True)
    return subprocess.run([TFPROOF, "scan", "root", "--no-checkov", *args], cwd=repo,
                          env={**os.environ, "TMPDIR": str(tmp)}, capture_output=True,
                          text=True, timeout=600, check=False)


def failures(folder: Path) -> set[tuple[str, str, str]]:
    """The oracle: the failures of a fixture scanned on its own."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        cli.main(["scan", str(folder), "--no-checkov", "--format", "json"])
    forget_all()
    return {(f["control"], f["check"], f["resource"])
            for f in json.loads(out.getvalue())["findings"] if f["status"] == "failed"}


def test_since_tells_known_new_and_fixed_and_leaves_the_repository_alone(tmp_path):
    repo = repository(tmp_path, "edge", "existence")
    before = snapshot(repo)
    proc = run(repo, tmp_path / "tmp", "--since", "main", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    then, now = failures(FIXTURES / "edge"), failures(FIXTURES / "existence")
    assert then & now and now - then and then - now, "the fixtures overlap only in part"
    marks = {(f["control"], f["check"], f["resource"]): f["baseline"]
             for f in doc["findings"] if f["status"] == "failed"}
    assert {k for k, v in marks.items() if v == "known"} == then & now
    assert {k for k, v in marks.items() if v == "new"} == now - then
    assert {(e["control"], e["check"], e["resource"]) for e in doc["baseline"]["fixed"]} == \
        then - now
    commit = git(repo, "rev-parse", "main").strip()
    assert doc["baseline"]["against"] == f"main (commit {commit[:12]})"
    assert snapshot(repo) == before, "the user's repository (and its .git) is untouched"
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert not list((tmp_path / "tmp").glob("tfproof-*")), "no scratch folder stays"


def test_an_unchanged_root_has_no_new_failure_and_a_new_root_is_all_new(tmp_path):
    repo = repository(tmp_path, "volumes", "volumes")
    (repo / "root" / "NOTES.md").write_text("not part of the plan\n")
    proc = run(repo, tmp_path / "tmp", "--since", "main")
    assert proc.returncode == 0, proc.stderr
    assert "NO NEW FAILURE" in proc.stdout and " 0 new" in proc.stdout

    shutil.rmtree(repo)
    repo = repository(tmp_path, None, "volumes")
    proc = run(repo, tmp_path / "tmp", "--since", "main", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["baseline"]["known"] == 0 and doc["baseline"]["new"] == doc["summary"]["failed"]
    assert any("did not exist at main" in note for note in doc["notes"])


def test_a_root_that_cannot_be_scanned_at_the_ref_is_exit_2(tmp_path):
    repo = tmp_path / "repo"
    (repo / "root").mkdir(parents=True)
    (repo / "root" / "main.tf.json").write_text("{")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "broken")
    (repo / "root" / "main.tf.json").unlink()
    shutil.copytree(FIXTURES / "volumes", repo / "root", dirs_exist_ok=True)
    proc = run(repo, tmp_path / "tmp", "--since", "main")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "the root module as it was at main" in proc.stderr and "--baseline FILE" in proc.stderr
    assert not list((tmp_path / "tmp").glob("tfproof-*"))


def scan_here(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["scan", *args])
    forget_all()
    return code, err.getvalue()


@pytest.mark.parametrize(("where", "ref", "needle"), [
    ("plain", "main", "not inside a git repository"),
    ("repo", "origin/nope", "has no commit named origin/nope"),
    ("repo", "--output=x", "is not a git ref"),
    ("many", "main", "means many roots"),
    ("file", "main", "is not a folder"),
])
def test_what_since_cannot_compare_is_exit_2_before_any_plan(tmp_path, where, ref, needle):
    plain = tmp_path / "plain"
    shutil.copytree(FIXTURES / "volumes", plain)
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "volumes", repo / "root")
    git(repo, "init", "-q", "-b", "main")
    paths = {"plain": plain, "repo": repo / "root", "many": repo,
             "file": repo / "root" / "main.tf"}
    code, err = scan_here(str(paths[where]), "--no-checkov", f"--since={ref}")
    assert code == 2 and needle in err and err.count("\n") == 1, err


def test_since_without_git_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    code, err = scan_here(str(FIXTURES / "volumes"), "--no-checkov", "--since", "main")
    assert code == 2 and "--since needs git" in err
