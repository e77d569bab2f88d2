"""The manifest that makes a bundle checkable: hashes, commit, tool versions, times.

An auditor must be able to tell that a bundle was not edited after the run
and exactly what produced it. manifest.json records the sha256 of every file,
the git commit (and whether the tree was dirty), the versions of Terraform, the
provider, checkov, moto, boto3, Python and tfproof, the hashes of the inputs
that were checked (infra/, policies/, waivers), start and end times and the
sandbox. SHA256SUMS (coreutils format, so `sha256sum -c SHA256SUMS` works
without tfproof) covers every file including manifest.json.

This module writes the seals; `tfproof.evidence.verify` checks them (its
`verify` and `Verification`, and the seal names, are importable from here too).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfproof import __version__
from tfproof.evidence.nofollow import scan
from tfproof.evidence.verify import MANIFEST, MANIFEST_SCHEMA, SEALS, SUMS, Verification, verify

__all__ = [
    "MANIFEST", "MANIFEST_SCHEMA", "SEALS", "SUMS", "ManifestData", "Verification",
    "bundle_files", "git_info", "input_hashes", "seal", "sha256_file", "tool_versions", "verify",
]


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _regular_files(directory: Path, read: bool) -> dict[str, str]:
    """{posix relative path: sha256 ("" without `read`)} of every regular file but the seals.

    Links and special files are left out: a bundle never holds them and `verify`
    refuses them. A folder or file that cannot be read raises: nothing is sealed unseen.
    """
    root = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        tree = scan(root, read=read, skip=SEALS)
    finally:
        os.close(root)
    for exc in tree.errors.values():
        raise exc
    return {rel: sha for rel, sha in sorted(tree.files.items()) if rel not in SEALS}


def bundle_files(directory: Path) -> list[str]:
    """Every regular file of the bundle (posix relative paths, sorted), except the two seals."""
    return list(_regular_files(directory, read=False))


def git_info(root: Path) -> dict[str, Any]:
    """Commit, short sha, branch and dirty flag of `root`; nulls when it is not a git checkout."""

    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc.stdout.rstrip("\n") if proc.returncode == 0 else None

    commit = (git("rev-parse", "HEAD") or "").strip()
    if not commit:
        return {"commit": None, "short": None, "branch": None, "dirty": None, "changed": []}
    status = git("status", "--porcelain", "--untracked-files=all") or ""
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    return {
        "commit": commit,
        "short": commit[:7],
        "branch": (git("rev-parse", "--abbrev-ref", "HEAD") or "").strip() or None,
        "dirty": bool(changed),
        "changed": changed[:200],
        "changed_total": len(changed),
    }


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def tool_versions(terraform: str | None, provider: str | None) -> dict[str, str | None]:
    """Versions of everything that produced the verdicts."""
    return {
        "tfproof": __version__,
        "terraform": terraform,
        "provider_aws": provider,
        "checkov": _dist_version("checkov"),
        "moto": _dist_version("moto"),
        "boto3": _dist_version("boto3"),
        "pytest": _dist_version("pytest"),
        "python": platform.python_version(),
    }


def input_hashes(root: Path, paths: list[Path]) -> dict[str, str]:
    """sha256 of every checked input file, keyed by its path relative to the repository."""
    out = {}
    for path in sorted(set(paths)):
        if not path.is_file():
            continue
        try:
            key = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            key = str(path.resolve())
        out[key] = sha256_file(path)
    return out


@dataclass
class ManifestData:
    """What the manifest says about the run, besides the file hashes."""

    run_id: str
    started: str
    finished: str
    git: dict[str, Any]
    versions: dict[str, str | None]
    sandbox: dict[str, Any]
    envs: list[str]
    layers_run: list[str]
    command: list[str]
    inputs: dict[str, str] = field(default_factory=dict)


def seal(directory: Path, data: ManifestData) -> dict[str, Any]:
    """Write manifest.json (hashes of every file) and SHA256SUMS (covering the manifest too)."""
    files = _regular_files(directory, read=True)  # one walk lists and hashes
    manifest = {
        "schema": MANIFEST_SCHEMA,
        "run_id": data.run_id,
        "started": data.started,
        "finished": data.finished,
        "git": data.git,
        "versions": data.versions,
        "sandbox": data.sandbox,
        "envs": data.envs,
        "layers_run": data.layers_run,
        "command": data.command,
        "inputs": data.inputs,
        "files": files,
        "sums_file": SUMS,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n")
    sums = dict(files)
    sums[MANIFEST] = sha256_file(directory / MANIFEST)
    lines = [f"{digest}  {rel}" for rel, digest in sorted(sums.items())]
    (directory / SUMS).write_text("\n".join(lines) + "\n")
    return manifest
