"""The pre-commit hooks of `.pre-commit-hooks.yaml`, run by pre-commit itself (`try-repo`).

A temporary hooks repository holds this repository's hooks file as it is; a temporary
project repository holds two tiny roots, one clean and one that fails a policy. The
`-system` variant runs the `tfproof` of this venv (a `language: python` hook would make
pre-commit pip-install tfproof with checkov and Terraform first). Plans come from the
plan cache (the same roots as test_many_roots.py), so a run costs about a second.

What the `language: python` hook adds, where tfproof runs from, is checked on the layout
pre-commit builds (a venv inside its clone of this repository, tfproof installed into it,
not editable): that tfproof finds the clone's policies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
QUEUE = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
BAD = 'provider "aws" {\n  region = "us-east-1"\n}\n' + QUEUE  # no tags: TFP_TAGS_REQUIRED fails
GOOD = ('provider "aws" {\n  region = "us-east-1"\n  default_tags {\n    tags = { Environment = '
        '"test", Project = "tfproof" }\n  }\n}\n' + QUEUE)

pytestmark = pytest.mark.plan


def _env(tmp_path: Path) -> dict[str, str]:
    closed = "http://127.0.0.1:9"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "GIT_", "TFPROOF_PROVIDER_SOURCE"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", PRE_COMMIT_HOME=str(tmp_path / "home"),
        GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com", HTTPS_PROXY=closed, HTTP_PROXY=closed,
        AWS_EC2_METADATA_DISABLED="true", TFPROOF_QUIET="1",
    )
    return env


def _git(*args: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                   timeout=60)


def test_the_variants_run_the_same_command():
    """`-system` differs from its `language: python` hook only in where tfproof comes from."""
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"tfproof-changed", "tfproof", "tfproof-changed-system",
                          "tfproof-system"}
    for name in ("tfproof-changed", "tfproof"):
        python, system = hooks[name], hooks[f"{name}-system"]
        assert (python["language"], system["language"]) == ("python", "system")
        same = ("entry", "args", "files", "pass_filenames", "require_serial")
        assert {k: python.get(k) for k in same} == {k: system.get(k) for k in same}
    assert hooks["tfproof-changed"]["entry"] == "tfproof scan --changed"
    assert hooks["tfproof"]["pass_filenames"] is False


def test_try_repo_passes_a_clean_root_and_fails_a_bad_one(tmp_path):
    env = _env(tmp_path)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", hooks)
    _git("init", "-q", cwd=hooks, env=env)
    _git("add", ".", cwd=hooks, env=env)
    _git("commit", "-q", "-m", "hooks", cwd=hooks, env=env)
    repo = tmp_path / "repo"
    for name, text in {"good/main.tf": GOOD, "bad/main.tf": BAD, "README.md": "x\n"}.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    _git("init", "-q", cwd=repo, env=env)
    _git("add", ".", cwd=repo, env=env)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        # `--files=NAME` for one file: pre-commit's own parser would take `--bad.tf` as an option
        chosen = [f"--files={files[0]}"] if len(files) == 1 else ["--files", *files]
        return subprocess.run(
            [str(BIN / "pre-commit"), "try-repo", str(hooks), "tfproof-changed-system",
             *chosen], cwd=repo, env=env, capture_output=True, text=True,
            timeout=300, check=False)

    clean = try_repo("good/main.tf", "README.md")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
    bad = try_repo("bad/main.tf")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "- exit code: 1" in bad.stdout
    assert "TFP_TAGS_REQUIRED" in bad.stdout and "bad/main.tf:4" in bad.stdout
    # a file named like an option, at the top: the hook's closing `--` keeps it a file
    (repo / "--bad.tf").write_text(BAD)
    _git("add", "--", "--bad.tf", cwd=repo, env=env)
    dashed = try_repo("--bad.tf")
    assert dashed.returncode == 1, dashed.stdout + dashed.stderr
    assert "TFP_TAGS_REQUIRED" in dashed.stdout and "--bad.tf:4" in dashed.stdout


def test_a_python_hook_install_finds_the_policies_of_its_clone(tmp_path):
    """pre-commit's `language: python`: `<clone>/py_env-<version>/` with tfproof copied into
    its site-packages (as `pip install .` leaves it); the command runs in the user's repo."""
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "policies").symlink_to(ROOT / "policies", target_is_directory=True)
    venv = clone / "py_env-python3"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120, capture_output=True)
    (site,) = venv.glob("lib/python3*/site-packages")
    shutil.copytree(ROOT / "src" / "tfproof", site / "tfproof",
                    ignore=shutil.ignore_patterns("__pycache__"))
    # the dependencies: this venv's, behind the copy (its editable tfproof is not reached:
    # the .pth files of a folder a .pth line adds are not read)
    (site / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    user = tmp_path / "user"
    (user / "envs" / "a").mkdir(parents=True)
    (user / "envs" / "a" / "main.tf").write_text(BAD)
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "tfproof.cli", "scan",
                           "--changed", "--no-checkov", "envs/a/main.tf"], cwd=user,
                          env=_env(tmp_path), capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 1, proc.stderr
    assert "TFP_TAGS_REQUIRED" in proc.stdout
