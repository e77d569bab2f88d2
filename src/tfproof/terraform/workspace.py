"""A scratch copy of a root module in which tfproof may write what it needs.

The user's tree is never modified: the root module and every local module it
calls (followed through relative `source` paths) are copied into a scratch
directory that keeps their relative layout, and tfproof adds its own override
file there (fake credentials and skip flags for an offline plan, or endpoints
for the sandbox, and a local backend in place of a remote one).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from tfproof import lifecycle, progress, userfiles
from tfproof.errors import InputError, PlanError
from tfproof.terraform.toolchain import terraform_command, terraform_env

_SOURCE_RE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"', re.MULTILINE)
_PROVIDER_RE = re.compile(r'^\s*provider\s+"aws"\s*\{', re.MULTILINE)
_ALIAS_RE = re.compile(r'^\s*alias\s*=\s*"([^"]+)"', re.MULTILINE)
_BACKEND_RE = re.compile(r'^\s*backend\s+"[^"]+"', re.MULTILINE)
_CONFIG_ALIASES_RE = re.compile(r"configuration_aliases\s*=\s*\[([^\]]*)\]")
_SKIP_DIRS = {".terraform", ".git", ".nox", ".venv", "__pycache__", ".pytest_cache"}
_SKIP_FILES = {".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup"}
_SKIP_SUFFIXES = (".tfstate", ".tfplan", ".md")
_MAX_TREE_BYTES = 64 * 1024 * 1024
_OVERRIDE_NAME = "zz_tfproof_override.tf"


_CONFIG_SUFFIXES = (".tf", ".tf.json")
_warned: set[Path] = set()


def _refuse(path: Path, problem: str) -> InputError:
    return InputError(
        f"{path} is {problem}: Terraform would read it as configuration, and tfproof reads only "
        "regular files (a pipe or device can block forever, a broken link hides what the "
        "configuration is). Replace it with a regular file or remove it, then rerun."
    )


def _skip(path: Path, problem: str) -> None:
    if path not in _warned:
        _warned.add(path)
        print(f"tfproof: warning: skipped {path}: it is {problem}; tfproof copies only regular "
              "files of a module folder.", file=sys.stderr, flush=True)


def tf_files(directory: Path) -> list[Path]:
    """The Terraform configuration files of one module directory (not recursive).

    A `*.tf` / `*.tf.json` entry that is not a readable regular file refuses the run.
    """
    out = []
    for path in directory.iterdir():
        if not path.name.endswith(_CONFIG_SUFFIXES):
            continue
        problem = userfiles.problem(path)
        if problem is not None:
            raise _refuse(path, problem)
        out.append(path)
    return sorted(out)


def local_module_dirs(root: Path) -> set[Path]:
    """The root and every module reached from it through relative `source` paths."""
    seen: set[Path] = set()
    stack = [root.resolve()]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for path in tf_files(current):
            for source in _SOURCE_RE.findall(path.read_text(errors="replace")):
                target = (current / source.split("//")[0]).resolve()
                if target.is_dir():
                    stack.append(target)
    return seen


def _is_module_dir(directory: Path) -> bool:
    return any(p.name.endswith(_CONFIG_SUFFIXES) for p in directory.iterdir() if p.is_file())


def _walk_error(exc: OSError) -> None:
    raise InputError(
        f"Cannot read the folder {exc.filename}: {exc.strerror}. tfproof copies the whole "
        "module folder to plan it; make it readable or move it out of the module."
    )


def _iter_files(directory: Path) -> Iterable[Path]:
    """A module's own files: templates and data in subfolders count, documentation and
    other modules nested inside it (its `examples/`, sub-modules reached on their own) do not,
    so editing a README or an example never invalidates the plans of what calls the module."""
    for dirpath, dirnames, filenames in os.walk(directory, onerror=_walk_error):
        here = Path(dirpath)
        for name in [d for d in dirnames if (here / d).is_symlink()]:
            dirnames.remove(name)  # os.walk does not descend into it: say so, never loop
            if name not in _SKIP_DIRS:
                _skip(here / name, "a symlinked folder (not followed)")
        dirnames[:] = sorted(
            d for d in dirnames if d not in _SKIP_DIRS and not _is_module_dir(here / d)
        )
        for name in sorted(filenames):
            if name in _SKIP_FILES or name.endswith(_SKIP_SUFFIXES):
                continue
            path = here / name
            problem = userfiles.problem(path)
            if problem is None:
                yield path
            elif name.endswith(_CONFIG_SUFFIXES):
                raise _refuse(path, problem)
            else:
                _skip(path, problem)


def block_bodies(text: str, opener: re.Pattern[str]) -> list[str]:
    """The bodies of every block whose header matches `opener` (brace-matched)."""
    bodies = []
    for match in opener.finditer(text):
        depth, index = 1, match.end()
        while index < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
        bodies.append(text[match.end() : index - 1])
    return bodies


def strip_comments(text: str) -> str:
    """HCL text without whole-line `#` and `//` comments (a commented-out block is no block)."""
    return re.sub(r"(?m)^\s*(#|//).*$", "", text)


def provider_blocks(root: Path) -> list[tuple[str | None, str]]:
    """(alias, body) of every `provider "aws"` block the user's root module declares."""
    out: list[tuple[str | None, str]] = []
    for path in tf_files(root):
        if not path.name.endswith(".tf") or path.name.startswith("zz_tfproof"):
            continue
        for body in block_bodies(strip_comments(path.read_text(errors="replace")), _PROVIDER_RE):
            # only top-level attributes of the block: strip nested blocks first
            found = _ALIAS_RE.search(re.sub(r"\{[^{}]*\}", "", body))
            out.append((found.group(1) if found else None, body))
    return out


def configuration_aliases(root: Path) -> list[str]:
    """Aliases a module expects its caller to pass (`configuration_aliases = [aws.replica]`).

    Planned or validated as a root, such a module needs those provider blocks to exist.
    """
    found: list[str] = []
    for path in tf_files(root):
        for group in _CONFIG_ALIASES_RE.findall(path.read_text(errors="replace")):
            found += [m for m in re.findall(r"aws\.([A-Za-z0-9_-]+)", group) if m not in found]
    return found


def has_backend(root: Path) -> bool:
    """True when the root configures a backend (replaced by a local one in the scratch copy)."""
    return any(
        _BACKEND_RE.search(p.read_text(errors="replace"))
        for p in tf_files(root)
        if p.name.endswith(".tf")
    )


def provider_block(alias: str | None, settings: Mapping[str, str], extra: str = "") -> str:
    """One `provider "aws"` block with the given HCL attributes."""
    lines = ['provider "aws" {']
    if alias:
        lines.append(f'  alias = "{alias}"')
    lines.extend(f"  {key} = {value}" for key, value in settings.items())
    if extra:
        lines.append(extra)
    lines.append("}")
    return "\n".join(lines) + "\n"


OFFLINE_SETTINGS: dict[str, str] = {
    "access_key": '"tfproof-offline"',
    "secret_key": '"tfproof-offline"',
    "skip_credentials_validation": "true",
    "skip_requesting_account_id": "true",
    "skip_metadata_api_check": "true",
    "skip_region_validation": "true",
    "skip_get_ec2_platforms": "true",
    "max_retries": "1",
}


class Workspace:
    """A scratch copy of a root module (and its local modules) ready for Terraform.

    The scratch folder is made on first need (`directory`, `root`, `materialise`, `run`):
    the planner builds a Workspace to hash the tree, and a cache hit must leave nothing
    behind. tfproof's own folder comes from `lifecycle.scratch_dir`, so a run stopped by a
    signal removes it and one killed outright has it swept by the next command; a
    directory the caller gives stays the caller's.
    """

    # go-plugin's unix socket is `<TMPDIR>/plugin<up to 10 digits>`; sun_path holds 107 bytes
    _SOCKET_DIR_MAX = 88

    def __init__(self, root: Path, directory: Path | None = None) -> None:
        root = Path(root)
        if not root.exists():
            raise InputError(f"{root} does not exist: give the path of a Terraform root module.")
        if not root.is_dir():
            raise InputError(
                f"{root} is not a directory: `tfproof` takes the folder of a Terraform root "
                "module (use --plan for a plan JSON file)."
            )
        self.source = root.resolve()
        if not tf_files(self.source):
            raise InputError(
                f"{root} holds no Terraform configuration (*.tf or *.tf.json): nothing to plan. "
                "Point tfproof at a root module folder."
            )
        dirs = local_module_dirs(self.source)
        self.base = Path(os.path.commonpath([str(d) for d in dirs]))
        self.relative_root = self.source.relative_to(self.base)
        self.module_dirs = sorted(dirs)
        self._directory: Path | None = Path(directory) if directory is not None else None
        self._owns_directory = directory is None
        self._files: list[Path] | None = None

    @property
    def directory(self) -> Path:
        """The scratch folder, made (and owned through `lifecycle`) on first use."""
        if self._directory is None:
            self._directory = lifecycle.scratch_dir("ws")
        return self._directory

    @property
    def root(self) -> Path:
        """The scratch copy of the root module, where Terraform runs."""
        return self.directory / self.relative_root

    def files(self) -> list[Path]:
        """Every file of the root and its local modules (recursively, minus state and caches).

        Walked once per Workspace: `digest` and `materialise` copy exactly what was hashed.
        """
        if self._files is None:
            self._files = sorted(
                {path for module in self.module_dirs for path in _iter_files(module)}
            )
        return self._files

    def digest(self) -> str:
        """sha256 over every copied file's relative path and content."""
        digest = hashlib.sha256()
        total = 0
        for path in self.files():
            data = path.read_bytes()
            total += len(data)
            if total > _MAX_TREE_BYTES:
                raise InputError(
                    f"The module tree under {self.base} is larger than 64 MiB; tfproof copies "
                    "the root and its local modules to plan them. Move large files out of it."
                )
            digest.update(str(path.relative_to(self.base)).encode())
            digest.update(b"\0")
            digest.update(hashlib.sha256(data).digest())
        return digest.hexdigest()

    def materialise(
        self,
        settings: Mapping[str, str],
        extra: str = "",
        per_block: Callable[[str | None, str | None], str] | None = None,
        region: str = "us-east-1",
    ) -> str:
        """Copy the modules into the scratch directory and add tfproof's provider settings.

        Roots that declare `provider "aws"` blocks get an override file (one block per
        alias, merged by Terraform into the user's); roots that declare none get a plain
        provider file. A configured backend is replaced by a local one. `per_block(alias,
        user_body)` adds text to each block (the sandbox adds its run tags there). Returns
        the text written.
        """
        for path in self.files():
            target = self.directory / path.relative_to(self.base)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copy2(path, target)

        def block(alias: str | None, body: str | None, values: Mapping[str, str]) -> str:
            more = extra + (per_block(alias, body) if per_block else "")
            return provider_block(alias, values, more)

        declared = provider_blocks(self.source)
        if not declared:
            values = {"region": f'"{region}"', **settings}
            aliases = [None, *configuration_aliases(self.source)]
            text = "\n".join(block(alias, None, values) for alias in aliases)
            (self.root / "zz_tfproof_provider.tf").write_text(text)
            return text
        parts: list[str] = []
        if has_backend(self.source):
            parts.append('terraform {\n  backend "local" {}\n}\n')
        parts.extend(block(alias, body, settings) for alias, body in declared)
        text = "\n".join(parts)
        (self.root / _OVERRIDE_NAME).write_text(text)
        return text

    def run(
        self,
        args: list[str],
        env: Mapping[str, str] | None = None,
        what: str = "terraform",
        timeout: float | None = 1800,
    ) -> subprocess.CompletedProcess[str]:
        """Run one Terraform command in the scratch root; PlanError on failure or timeout.

        `lifecycle.run` starts Terraform in its own process group, so a timeout or a
        signal stops the provider processes it started as well, not only Terraform.
        """
        extra = dict(env or {})
        private_tmp = self._private_tmp()
        if private_tmp is not None:
            extra.setdefault("TMPDIR", str(private_tmp))
        try:
            proc = lifecycle.run(
                [*terraform_command(), *args],
                cwd=self.root,
                env=terraform_env(extra),
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise PlanError(
                f"`terraform {args[0]}` timed out after {exc.timeout:g} s for {self.source} "
                f"during {what} and was stopped. tfproof plans offline: look for what makes "
                "Terraform wait on the network (a data source or provider setting that calls "
                "a real API, a module or provider to download) and rerun."
            ) from exc
        if proc.returncode != 0:
            raise PlanError(
                f"`terraform {args[0]}` failed for {self.source} (exit {proc.returncode}) "
                f"during {what}: {summarise_error(proc.stderr or proc.stdout)}"
            )
        return proc

    def _private_tmp(self) -> Path | None:
        """A TMPDIR for Terraform inside tfproof's own scratch folder, so that what Terraform
        and the provider leave there when stopped (the provider's plugin socket) goes with
        the folder; None for a caller's directory, or where a socket path would not fit."""
        if not self._owns_directory:
            return None
        folder = self.directory / ".tfproof-tmp"
        if len(os.fsencode(folder)) > self._SOCKET_DIR_MAX:
            return None
        folder.mkdir(exist_ok=True)
        return folder

    def cleanup(self) -> None:
        """Remove the scratch folder if tfproof made it (a caller's directory stays theirs)."""
        if self._owns_directory and self._directory is not None:
            lifecycle.release(self._directory)
            self._directory = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def summarise_error(stderr: str) -> str:
    """Terraform's error diagnostics folded into one paragraph (no colour, no boxes)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", stderr)
    lines = []
    for raw in text.splitlines():
        line = raw.strip().strip("│╷╵").strip()
        if line:
            lines.append(line)
    joined = " ".join(lines)
    start = joined.find("Error:")
    if start >= 0:
        joined = joined[start:]
    return joined[:1500] or "(terraform printed nothing)"


def progress_step(message: str) -> None:
    """Re-exported progress line (keeps callers to one import)."""
    progress.say(message)
