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
from collections.abc import Callable, Mapping
from pathlib import Path

from tfproof import lifecycle
from tfproof.errors import InputError, PlanError
from tfproof.terraform.hcl import (
    configuration_aliases,
    has_backend,
    provider_block,
    provider_blocks,
)
from tfproof.terraform.toolchain import terraform_command, terraform_env
from tfproof.terraform.tree import MAX_TREE_BYTES, iter_files, local_module_dirs, tf_files

OVERRIDE_NAME = "zz_tfproof_override.tf"  # merged into the user's provider blocks
PROVIDER_NAME = "zz_tfproof_provider.tf"  # for roots that declare no provider block
# a local backend in place of the user's `backend` or `cloud {}` block: an override file of its
# own, since a root without provider blocks gets a plain provider file (an override file may
# only override what the configuration declares)
BACKEND_NAME = "zz_tfproof_backend_override.tf"
LOCAL_BACKEND = 'terraform {\n  backend "local" {}\n}\n'


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
                {path for module in self.module_dirs for path in iter_files(module)}
            )
        return self._files

    def digest(self) -> str:
        """sha256 over every copied file's relative path and content."""
        digest = hashlib.sha256()
        total = 0
        for path in self.files():
            data = path.read_bytes()
            total += len(data)
            if total > MAX_TREE_BYTES:
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

        `override` says what is written and why; returns the text written.
        """
        self.copy_tree()
        name, text = self.override(settings, extra, per_block, region)
        (self.root / name).write_text(text)
        return text

    def copy_tree(self) -> None:
        """Copy the root and its local modules into the scratch directory (layout kept), with a
        local backend in place of the root's remote one (where state lives does not change
        the plan, and reaching it needs network and credentials an offline plan lacks)."""
        for path in self.files():
            target = self.directory / path.relative_to(self.base)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copy2(path, target)
        if has_backend(self.source):
            (self.root / BACKEND_NAME).write_text(LOCAL_BACKEND)

    def override(
        self,
        settings: Mapping[str, str],
        extra: str = "",
        per_block: Callable[[str | None, str | None], str] | None = None,
        region: str = "us-east-1",
    ) -> tuple[str, str]:
        """(file name, HCL) of tfproof's provider settings for this root.

        Roots that declare `provider "aws"` blocks get an override file (one block per
        alias, merged by Terraform into the user's); roots that declare none get a plain
        provider file (a configured backend is replaced in `copy_tree`). `per_block(alias,
        user_body)` adds text to each block (the sandbox adds its run tags there).
        """

        def block(alias: str | None, body: str | None, values: Mapping[str, str]) -> str:
            more = extra + (per_block(alias, body) if per_block else "")
            return provider_block(alias, values, more)

        declared = provider_blocks(self.source)
        if not declared:
            values = {"region": f'"{region}"', **settings}
            aliases = [None, *configuration_aliases(self.source)]
            return PROVIDER_NAME, "\n".join(block(alias, None, values) for alias in aliases)
        parts = [block(alias, body, settings) for alias, body in declared]
        return OVERRIDE_NAME, "\n".join(parts)

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
        private_tmp = self.private_tmp()
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
                f"during {what}: {summarise_error(proc.stderr or proc.stdout)}",
                output=proc.stderr or proc.stdout, stage=args[0],
            )
        return proc

    def private_tmp(self) -> Path | None:
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


