"""`python -m tfproof_dev.validate infra`: `terraform fmt -check` and `validate` of every module.

Validation needs an initialised working directory, so each module is copied to
a scratch workspace (the user's tree gets no `.terraform`) and initialised
from the provider mirror without a backend. Modules run concurrently, bounded
by the core count, since each `validate` is a separate Terraform process; a module
whose files have not changed since it last passed is not validated again.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tfproof import progress
from tfproof.errors import TfproofError
from tfproof.settings import cache_dir
from tfproof.terraform.hcl import OFFLINE_SETTINGS
from tfproof.terraform.toolchain import terraform_command, terraform_env, versions
from tfproof.terraform.workspace import Workspace, summarise_error


def module_dirs(tree: Path) -> list[Path]:
    """Every directory under `tree` that holds `*.tf` files."""
    return sorted({p.parent for p in tree.rglob("*.tf") if ".terraform" not in p.parts})


def fmt_check(tree: Path) -> list[str]:
    """Files that `terraform fmt` would rewrite (it only lists them here: -check)."""
    proc = subprocess.run(
        [*terraform_command(), "fmt", "-check", "-recursive", "-list=true", str(tree)],
        capture_output=True,
        text=True,
        env=terraform_env(),
        check=False,
    )
    if proc.returncode not in (0, 3):
        raise TfproofError(f"terraform fmt failed: {summarise_error(proc.stderr)}")
    return [line for line in proc.stdout.splitlines() if line.strip()]


def _passed_marker(workspace: Workspace) -> Path:
    """Where a passing validation of exactly these files with this toolchain is recorded."""
    material = json.dumps(
        {"tree": workspace.digest(), "root": str(workspace.relative_root), **vars(versions())},
        sort_keys=True,
    )
    return cache_dir() / "validate" / hashlib.sha256(material.encode()).hexdigest()


def validate_one(directory: Path) -> str | None:
    """None when `terraform validate` passes, else its error paragraph.

    A pass is remembered by the content hash of the module and the modules it calls, so
    an unchanged module is not initialised and validated again; failures never are.
    """
    with Workspace(directory) as workspace:
        marker = _passed_marker(workspace)
        if marker.exists():
            return None
        workspace.materialise(OFFLINE_SETTINGS)
        try:
            workspace.run(["init", "-input=false", "-no-color", "-backend=false"], what="init")
            workspace.run(["validate", "-no-color"], what="validate")
        except TfproofError as exc:
            return str(exc)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    return None


def main(argv: list[str]) -> int:
    """Check formatting and validity of every module and env under the given tree."""
    tree = Path(argv[0] if argv else "infra")
    if not tree.is_dir():
        print(f"tfproof_dev.validate: {tree} is not a directory", file=sys.stderr)
        return 2
    failures = 0
    unformatted = fmt_check(tree)
    for name in unformatted:
        print(f"not formatted (run terraform fmt): {name}", file=sys.stderr)
    failures += len(unformatted)
    dirs = module_dirs(tree)
    progress.say(f"terraform validate: {len(dirs)} modules and envs")
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for directory, error in zip(dirs, pool.map(validate_one, dirs), strict=True):
            if error:
                failures += 1
                print(f"INVALID {directory}: {error}", file=sys.stderr)
            else:
                print(f"valid   {directory}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
