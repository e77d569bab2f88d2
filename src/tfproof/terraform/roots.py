"""Which root modules live below a folder, and which of them a set of changed files feeds.

`tfproof scan infra/` and the pre-commit hook (`tfproof scan --changed FILE...`)
need the root modules of a tree without planning anything: a folder is a root
when its configuration declares a `provider` block or a state backend
(`terraform { backend ... }` / `cloud {}`) and no other module below the folder
calls it through a local `source = "../x"`. Folders that are neither (a
reusable module nobody below calls) are named, never silently dropped, because
a scan that quietly leaves Terraform out is a scan that passes what it never
read. Hidden folders (`.terraform/`, `.git/`) are not searched and symlinked
folders are not followed (one that leaves the tree would scan someone else's
configuration; one inside it is searched under its real path anyway).

A changed file belongs to a root when the root's plan reads it: exactly the
files the planner copies and hashes (`tree.iter_files` over the root and every
local module it reaches), so a module shared by several roots maps to all of
them, transitively, and a README or a lock file maps to none.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tfproof.errors import InputError
from tfproof.terraform.hcl import backends, strip_comments
from tfproof.terraform.tree import iter_files, local_module_dirs, module_calls, tf_files

_PROVIDER_RE = re.compile(r'^\s*provider\s+"[^"]+"\s*\{', re.MULTILINE)
_VARIABLE_RE = re.compile(r'^\s*variable\s+"([^"]+)"', re.MULTILINE)
_NOT_SEARCHED = {"__pycache__", "node_modules"}  # plus every hidden folder


@dataclass(frozen=True)
class Discovery:
    """The root modules below `scope`, and what the search left out (for the report's notes)."""

    scope: Path
    roots: tuple[Path, ...]
    not_roots: tuple[Path, ...] = ()  # folders with Terraform that no root below calls
    links: tuple[Path, ...] = ()  # symlinked folders that were not followed

    def notes(self) -> list[str]:
        """What a user must know about the search: never a silent omission."""
        out = []
        if self.not_roots:
            out.append(
                f"{len(self.not_roots)} folder(s) with Terraform files below {display(self.scope)}"
                " are neither a root module (no provider or backend block) nor called by one, "
                f"and were not scanned: {', '.join(display(p) for p in self.not_roots)}."
            )
        if self.links:
            out.append(
                "symlinked folder(s) not followed (scan their target directly if it is "
                f"yours): {', '.join(display(p) for p in self.links)}."
            )
        return out


@dataclass
class Changes:
    """The roots a set of changed files feeds (each with its files), and the files fed to none."""

    roots: dict[Path, list[Path]] = field(default_factory=dict)
    unmapped: list[Path] = field(default_factory=list)


def display(path: Path) -> str:
    """How reports name a folder: relative to the working directory when inside it (the
    repository, in CI and pre-commit, so names are stable across machines), else absolute."""
    absolute = Path(os.path.abspath(path))
    cwd = Path.cwd()
    if absolute == cwd:
        return "."
    if cwd in absolute.parents:
        return str(absolute.relative_to(cwd))
    return str(absolute)


def holds_configuration(path: Path) -> bool:
    """True when `path` is a folder with `.tf`/`.tf.json` files of its own (a module)."""
    return path.is_dir() and bool(tf_files(path))


def _texts(directory: Path) -> Iterable[tuple[Path, str]]:
    for path in tf_files(directory):
        yield path, path.read_text(encoding="utf-8", errors="replace")


def _json_config(path: Path, text: str) -> dict[str, object]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path} is not valid JSON ({exc.msg}, line {exc.lineno}): Terraform reads every "
            "*.tf.json file of a folder as configuration and would refuse it too. Fix or remove "
            "it, then rerun."
        ) from exc
    return doc if isinstance(doc, dict) else {}


def _json_declares_root(doc: dict[str, object]) -> bool:
    if doc.get("provider"):
        return True
    blocks = doc.get("terraform")
    for block in blocks if isinstance(blocks, list) else [blocks]:
        if isinstance(block, dict) and ("backend" in block or "cloud" in block):
            return True
    return False


def declares_root(directory: Path) -> bool:
    """A `provider` block or a backend / `cloud {}` block in the folder's own configuration."""
    for path, text in _texts(directory):
        if path.name.endswith(".tf.json"):
            if _json_declares_root(_json_config(path, text)):
                return True
        elif _PROVIDER_RE.search(strip_comments(text)) or backends(text):
            return True
    return False


def declared_variables(root: Path) -> set[str]:
    """Names of the root's `variable` blocks (a `--var` goes to the roots that declare it)."""
    names: set[str] = set()
    for path, text in _texts(root):
        if path.name.endswith(".tf.json"):
            variables = _json_config(path, text).get("variable")
            names.update(variables if isinstance(variables, dict) else ())
        else:
            names.update(_VARIABLE_RE.findall(strip_comments(text)))
    return names


def _walk_error(exc: OSError) -> None:
    raise InputError(
        f"Cannot read the folder {exc.filename}: {exc.strerror}. tfproof searches every folder "
        "below PATH for root modules and cannot tell whether this one holds one; make it "
        "readable, or scan a folder that does not contain it."
    )


def module_dirs(scope: Path) -> tuple[list[Path], list[Path]]:
    """Every folder below `scope` (itself included) with Terraform files, and the symlinked
    folders left out; hidden and cache folders are not searched."""
    found, links = [], []
    for dirpath, dirnames, _files in os.walk(scope, onerror=_walk_error):
        here = Path(dirpath)
        links += [here / d for d in dirnames
                  if (here / d).is_symlink() and not d.startswith(".")]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and d not in _NOT_SEARCHED and not (here / d).is_symlink())
        if tf_files(here):
            found.append(here)
    return sorted(found), sorted(links)


def find_roots(scope: Path) -> Discovery:
    """The root modules below `scope` (see the module docstring), sorted by path."""
    if not scope.is_dir():
        raise InputError(f"{scope} is not a folder: give the folder to search for root modules.")
    dirs, links = module_dirs(scope)
    calls = functools.cache(module_calls)  # each folder read once, however many call it
    called: set[Path] = set()
    for directory in dirs:
        own = directory.resolve()
        called.update(d for d in local_module_dirs(directory, calls) if d != own)
    roots, not_roots = [], []
    for directory in dirs:
        if directory.resolve() in called:
            continue
        (roots if declares_root(directory) else not_roots).append(directory)
    return Discovery(scope=scope, roots=tuple(roots), not_roots=tuple(not_roots),
                     links=tuple(links))


def _abs(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _feeds(path: Path, names: set[Path], folders: set[Path]) -> bool:
    """Whether one changed path is read by a root that reads `names` in `folders`."""
    absolute, real = _abs(path), path.resolve()
    if path.is_dir():  # a folder changed is everything in it (`--changed .` is every root)
        return any(f == d or d in f.parents for f in folders for d in (absolute, real))
    if not os.path.lexists(path):
        return absolute.parent in folders or real.parent in folders
    return absolute in names or real in names


def _names(directory: Path) -> frozenset[Path]:
    """A module folder's files (`iter_files`), each as written and resolved."""
    files = tuple(iter_files(directory))
    return frozenset(_abs(p) for p in files) | frozenset(p.resolve() for p in files)


def changed_roots(roots: Sequence[Path], changed: Sequence[Path]) -> Changes:
    """Which of `roots` read each changed file (see the module docstring).

    A file that no longer exists (deleted in the change) belongs to the roots that read
    a file of its folder: the folder's configuration changed all the same.
    """
    out = Changes()
    reads: list[tuple[Path, set[Path], set[Path]]] = []
    calls = functools.cache(module_calls)
    names_of = functools.cache(_names)  # a folder shared by many roots is listed once
    for root in roots:
        dirs = local_module_dirs(root, calls)
        names = {name for d in sorted(dirs) for name in names_of(d)}
        folders = dirs | {p.parent for p in names}
        reads.append((root, names, folders))
    for path in changed:
        hits = [root for root, names, folders in reads if _feeds(path, names, folders)]
        for root in hits:
            out.roots.setdefault(root, []).append(path)
        if not hits:
            out.unmapped.append(path)
    return out
