"""checkov's verdicts, cached per part of a plan, and what the mapped checks read, per check list.

A part's entry is keyed by the sha256 of the exact plan document checkov judges
for it (`tfproof.checkov.partition.document`, canonical JSON), the check list,
the external checks folder, checkov's version and the cache format: a plan in
which one resource changed misses only on the part holding that resource, and
checkov runs on that part alone. The profile of a check list (`worker.profile`:
the resource types the checks read, whether a plan may be split) is kept apart,
so a cached scan starts no checkov at all.

Every entry goes through `tfproof.cachefile` (integrity header, atomic write):
one a crash truncated or a person edited is discarded, recomputed and never
trusted; one of the wrong shape likewise.

The parts' folder is bounded: every pull request adds entries for the parts it
changed, so a CI cache would grow without end. A hit renews its entry's time;
after a run that wrote entries, the least recently used ones go until the folder
is back under MAX_BYTES (never an entry this run used).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from tfproof import cachefile
from tfproof.errors import ToolchainError
from tfproof.settings import cache_dir

MAX_BYTES = 256 * 2**20  # the parts' folder: ~40,000 parts, ten 20,000-resource plans
PROFILE_FORMAT = "2"  # 2: the check modules and checks a lazy worker loads
CACHE_FORMAT = "5"  # 4, 5: one entry per part of a plan (3: one per plan); 5: coupled types


@functools.cache
def checkov_version() -> str:
    """Installed checkov version (part of the cache key; read once: it parses a file)."""
    try:
        return metadata.version("checkov")
    except metadata.PackageNotFoundError as exc:
        raise ToolchainError("checkov is not installed: run `make venv`.") from exc


def _hasher(checks: list[str], extra: str) -> Any:
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, checkov_version(), ",".join(sorted(checks)), extra):
        digest.update(part.encode() + b"\0")
    return digest


def cache_key(plan_bytes: bytes, checks: list[str], extra: str = "") -> str:
    """sha256 of a plan document, the check list, checkov's version and the cache format."""
    digest = _hasher(checks, extra)
    digest.update(plan_bytes)
    return digest.hexdigest()


def canonical(document: Any) -> bytes:
    """The one byte form of a document that its key hashes (sorted keys, no spaces)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def folder(kind: str = "checkov") -> Path:
    """The cache folder of one kind of entry (created on first use; look it up once per
    run: the settings behind it are re-read from the environment on each call)."""
    path = cache_dir() / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def read(where: Path, key: str, check: Callable[[Any], Any]) -> Any | None:
    """A verified entry of folder `where`, or None (absent, or corrupted and discarded with
    a warning); a hit renews the entry's time, which `prune` goes by."""
    path = where / f"{key}.json"
    found = cachefile.read_json(path, check=check)
    if found is not None:
        cachefile.touch(path)
    return found


def prune(where: Path, since: float, max_bytes: int = MAX_BYTES) -> int:
    """Keep the parts' folder under `max_bytes`, least recently used first, never an entry
    used or written at or after `since` (`cachefile.prune`); the number removed."""
    return cachefile.prune(where, since, max_bytes)


def write(where: Path, key: str, document: Any) -> None:
    """Store an entry in folder `where` (atomically, with its integrity header)."""
    cachefile.write_json(where / f"{key}.json", document)


def profile_key(checks: list[str], external: str) -> str:
    """The key of a check list's profile (no plan in it)."""
    return _hasher(checks, f"profile{PROFILE_FORMAT}|{external}").hexdigest()


def read_profile(checks: list[str], external: str, where: Path | None = None) -> Any | None:
    """The cached profile of a check list (`where`: the profiles' folder, by default this
    cache's), or None."""
    return read(where or folder("checkov-profile"), profile_key(checks, external), check_profile)


def check_profile(document: Any) -> None:
    """Reject a profile of the wrong shape (TypeError)."""
    if not (isinstance(document, dict) and isinstance(document.get("split"), bool)
            and isinstance(document.get("why"), str)):
        raise TypeError("a checkov profile needs split and why")
    types = document.get("types")
    if types is not None and not (isinstance(types, list)
                                  and all(isinstance(t, str) for t in types)):
        raise TypeError("a checkov profile's types are a list of names or null")
    for name in ("modules", "plain"):
        value = document.get(name)
        if not (isinstance(value, list) and all(isinstance(x, str) and x and "," not in x
                                                for x in value)):
            raise TypeError(f"a checkov profile's {name} are a list of names")
    coupled = document.get("coupled")
    if not (isinstance(coupled, list) and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
            for pair in coupled)):
        raise TypeError("a checkov profile's coupled types are [block, type] pairs")


def load_records(text: str) -> Any:
    """A worker's output file (JSON), or ToolchainError when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ToolchainError(
            "a checkov worker wrote an unreadable result file; no verdict is taken from it. "
            "Run the scan again; if it repeats, run with --no-checkov and report the problem."
        ) from exc
