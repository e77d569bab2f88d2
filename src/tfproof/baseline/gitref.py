"""The tree of a git ref in a scratch folder: what `tfproof scan PATH --since REF` compares with.

The root module at REF is planned and scanned like PATH itself, so its files
must exist somewhere: `git archive` writes the ref's tree (the whole tree, since
a root calls local modules anywhere in the repository) to a tar file in a
lifecycle-owned scratch folder, which is extracted there (tarfile's "data" filter:
no link or path that leaves the folder) and removed when the scan is done, or
by the next command after a crash. Nothing of the user's repository changes:
`git archive` only reads (no worktree is registered, no index or ref is
written), and the working tree is never checked out.

What cannot be read fails closed (exit 2, what to do): no git, PATH outside a
repository, a ref git does not know (a shallow CI clone that never fetched it).
A root module that did not exist at REF (no *.tf file in that folder there: a
pull request that adds a root) is not an error: nothing of it was accepted, so
every failure is new, the strictest reading, and the report says so in a note.
Files marked `export-ignore` in .gitattributes are not archived; a root or
module made of such files reads as absent or fails to plan (both fail closed).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tfproof import lifecycle
from tfproof.errors import InputError

GIT_TIMEOUT = 600.0  # seconds: an archive of a large repository on a slow disk
_TF_SUFFIXES = (".tf", ".tf.json")


@dataclass(frozen=True)
class RefRoot:
    """A root module's folder at a git ref."""

    ref: str  # as the user wrote it (origin/main)
    commit: str  # what it named when resolved
    top: Path  # the repository's top folder
    prefix: str  # the root module's folder below `top` (posix, "" for the top itself)
    exists: bool  # the folder holds Terraform files at the ref

    @property
    def label(self) -> str:
        """How reports name the baseline: the ref and its commit."""
        return f"{self.ref} (commit {self.commit[:12]})"


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise InputError(
            "--since needs git, which is not on PATH: install git, or compare with a baseline "
            "file instead (--baseline FILE, written by `tfproof scan PATH --write-baseline "
            "FILE` on a checkout of the ref)."
        )
    # read-only and never interactive: no optional lock on the index, no credential prompt
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        return lifecycle.run([git, *args], cwd=cwd, env=env, timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"git {args[0]} did not finish within {GIT_TIMEOUT:.0f} s in {cwd}; "
                         "compare with a baseline file (--baseline FILE) instead.") from exc


def _said(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    return lines[0][:300] if lines else f"exit status {proc.returncode}"


def resolve(path: Path, ref: str) -> RefRoot:
    """The folder `path` (a root module in a git working tree) at `ref`; exit 2 when git,
    the repository or the ref is not there."""
    if not ref or ref.startswith("-") or any(ord(c) < 32 for c in ref):
        raise InputError(f"--since {ref!r} is not a git ref: name a branch, tag or commit, "
                         "e.g. --since origin/main.")
    if not Path(path).is_dir():
        raise InputError(f"--since compares a root module folder with its state at {ref}; "
                         f"{path} is not a folder.")
    where = Path(path).resolve()
    top = _git(["rev-parse", "--show-toplevel"], where)
    if top.returncode != 0:
        raise InputError(
            f"--since {ref}: {path} is not inside a git repository ({_said(top)}). --since "
            "scans the same folder at a git ref; outside a repository, write a baseline with "
            "--write-baseline and compare with --baseline FILE."
        )
    prefix = _git(["rev-parse", "--show-prefix"], where).stdout.strip()
    root = Path(top.stdout.strip())
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if commit.returncode != 0 or not commit.stdout.strip():
        raise InputError(
            f"--since {ref}: the git repository at {root} has no commit named {ref}. Fetch it "
            "first (in CI: `git fetch origin main`, or check out with full history, e.g. "
            "actions/checkout with fetch-depth: 0), or name a branch, tag or commit it has."
        )
    sha = commit.stdout.strip()
    listing = _git(["ls-tree", "--name-only", "-z", sha, *(["--", prefix] if prefix else [])],
                   root)
    if listing.returncode != 0:
        raise InputError(f"--since {ref}: git could not list {prefix or 'the top folder'} at "
                         f"{sha[:12]} ({_said(listing)}).")
    names = [n for n in listing.stdout.split("\0") if n]
    return RefRoot(ref=ref, commit=sha, top=root, prefix=prefix.rstrip("/"),
                   exists=any(n.endswith(_TF_SUFFIXES) for n in names))


@contextlib.contextmanager
def checkout(ref: RefRoot) -> Iterator[Path]:
    """The root module's folder in a scratch copy of the ref's tree, removed after the block."""
    scratch = lifecycle.scratch_dir("since")
    try:
        archive = scratch / "tree.tar"
        made = _git(["archive", "--format=tar", "-o", str(archive), ref.commit], ref.top)
        if made.returncode != 0:
            raise InputError(f"--since {ref.ref}: git archive of {ref.commit[:12]} failed "
                             f"({_said(made)}); compare with --baseline FILE instead.")
        tree = scratch / "tree"
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(tree, filter="data")
        except tarfile.TarError as exc:
            raise InputError(
                f"--since {ref.ref}: the tree at {ref.commit[:12]} cannot be copied safely "
                f"({exc}): a symlink or path in it leaves the repository. Compare with "
                "--baseline FILE instead."
            ) from exc
        archive.unlink()
        yield tree / ref.prefix if ref.prefix else tree
    finally:
        lifecycle.release(scratch)
