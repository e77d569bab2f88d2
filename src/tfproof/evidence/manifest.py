"""The manifest that makes a bundle checkable: hashes, commit, tool versions, times.

An auditor must be able to tell that a bundle was not edited after the run
and exactly what produced it. manifest.json records the sha256 of every file,
the git commit (and whether the tree was dirty), the versions of Terraform, the
provider, checkov, moto, boto3, Python and tfproof, the hashes of the inputs
that were checked (infra/, policies/, waivers), start and end times and the
sandbox. SHA256SUMS (coreutils format, so `sha256sum -c SHA256SUMS` works
without tfproof) covers every file including manifest.json, so a change of one
byte anywhere, the manifest included, is detected by `tfproof verify`.
This is tamper evidence against edits, not a signature: whoever can rewrite
every file can also rewrite the hashes.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfproof import __version__
from tfproof.errors import InputError

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MANIFEST_SCHEMA = "tfproof-manifest/1"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def bundle_files(directory: Path) -> list[str]:
    """Every file of the bundle (posix relative paths), except the two seals."""
    out = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file() or p.is_symlink()):
        rel = path.relative_to(directory).as_posix()
        if rel not in (MANIFEST, SUMS):
            out.append(rel)
    return out


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
    files = {rel: sha256_file(directory / rel) for rel in bundle_files(directory)}
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


@dataclass
class Verification:
    """What `tfproof verify` found: an empty problem list means the bundle is intact."""

    directory: Path
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file matches its recorded hash and nothing was added or removed."""
        return not (self.changed or self.missing or self.unexpected or self.problems)


def _read_sums(path: Path) -> dict[str, str]:
    out = {}
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"line {number} of {SUMS} is not `<sha256>  <file>`")
        out[rel] = digest
    return out


def verify(directory: Path) -> Verification:
    """Recompute every hash of a bundle and name each file changed, missing or added since."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory} is not a directory: give the folder of an evidence bundle.")
    if not (directory / MANIFEST).is_file() or not (directory / SUMS).is_file():
        raise InputError(
            f"{directory} is not an evidence bundle: it has no {MANIFEST} and {SUMS} (write one "
            "with `tfproof audit --out DIR`)."
        )
    result = Verification(directory=directory)
    try:
        sums = _read_sums(directory / SUMS)
    except ValueError as exc:
        result.changed.append(SUMS)
        result.problems.append(f"{SUMS} was altered: {exc}")
        sums = {}
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
        files = manifest["files"]
        if not isinstance(files, dict):
            raise TypeError("files is not an object")
    except (ValueError, KeyError, TypeError) as exc:
        result.problems.append(f"{MANIFEST} is unreadable: {exc}")
        files = {}
    present = set(bundle_files(directory))
    sums_altered = False
    for rel in sorted((set(files) | set(sums)) - {MANIFEST}):
        if rel not in present:
            result.missing.append(rel)
            continue
        result.checked += 1
        actual = sha256_file(directory / rel)
        recorded = {files.get(rel), sums.get(rel)}
        if actual not in recorded:
            result.changed.append(rel)
        elif files.get(rel) != sums.get(rel):
            # The file matches one record but not the other: a seal was edited, not the file.
            if actual == files.get(rel):
                sums_altered = True
            elif MANIFEST not in result.changed:
                result.changed.append(MANIFEST)
    result.checked += 1
    if sums and sha256_file(directory / MANIFEST) != sums.get(MANIFEST):
        if MANIFEST not in result.changed:
            result.changed.append(MANIFEST)
        if MANIFEST not in sums:
            result.problems.append(f"{SUMS} does not cover {MANIFEST}")
    if sums_altered and SUMS not in result.changed:
        result.changed.append(SUMS)
    result.unexpected = sorted(present - set(files) - set(sums))
    return result
