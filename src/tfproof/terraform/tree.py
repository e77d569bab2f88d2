"""Which files of a user's root module tfproof reads: only regular files, within a size budget.

Followed through relative `source` paths to every local module; links, pipes,
devices and unreadable files in a configuration position stop the command with
a paragraph (exit 2), elsewhere they are skipped with a warning. Nothing here
writes to the user's tree.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from tfproof import userfiles
from tfproof.errors import InputError

_SOURCE_RE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"', re.MULTILINE)


_SKIP_DIRS = {".terraform", ".git", ".nox", ".venv", "__pycache__", ".pytest_cache"}


_SKIP_FILES = {".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup"}


_SKIP_SUFFIXES = (".tfstate", ".tfplan", ".md")


MAX_TREE_BYTES = 64 * 1024 * 1024
MAX_TF_FILE_BYTES = 32 * 1024 * 1024  # one .tf file; larger is not hand-written configuration


_CONFIG_SUFFIXES = (".tf", ".tf.json")


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
    A name starting with "." is not configuration: Terraform ignores it (its
    `configs.IsIgnoredFile`), so its blocks must neither carry an inline waiver onto the
    real resource of the same address nor give a finding its file:line.
    """
    out = []
    for path in directory.iterdir():
        if not path.name.endswith(_CONFIG_SUFFIXES) or path.name.startswith("."):
            continue
        problem = userfiles.problem(path)
        if problem is not None:
            raise _refuse(path, problem)
        out.append(path)
    return sorted(out)


def module_calls(directory: Path) -> set[Path]:
    """The folders a module's own files call through relative `source` paths (resolved)."""
    found: set[Path] = set()
    for path in tf_files(directory):
        for source in _SOURCE_RE.findall(path.read_text(errors="replace")):
            target = (directory / source.split("//")[0]).resolve()
            if target.is_dir():
                found.add(target)
    return found


def local_module_dirs(root: Path,
                      calls: Callable[[Path], set[Path]] = module_calls) -> set[Path]:
    """The root and every module reached from it through relative `source` paths.

    `calls` reads one folder's calls; a caller walking many roots passes a cached one
    (`functools.cache(module_calls)`), so that a module shared by hundreds of roots is
    read once, not once per root."""
    seen: set[Path] = set()
    stack = [root.resolve()]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(calls(current))
    return seen


def _is_module_dir(directory: Path) -> bool:
    return any(p.name.endswith(_CONFIG_SUFFIXES) for p in directory.iterdir() if p.is_file())


def _walk_error(exc: OSError) -> None:
    raise InputError(
        f"Cannot read the folder {exc.filename}: {exc.strerror}. tfproof copies the whole "
        "module folder to plan it; make it readable or move it out of the module."
    )


def iter_files(directory: Path) -> Iterable[Path]:
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


_warned: set[Path] = set()
