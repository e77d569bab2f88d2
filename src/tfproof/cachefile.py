"""Cache entries that prove their own integrity: a corrupted entry is recomputed, never trusted.

A plan or checkov cache entry decides verdicts, so reading one that a full
disk truncated, a crash half-wrote or a person edited must not change a verdict
and must not break every later run. Each entry is one file: a header line
`tfproof-cache/1 <sha256 of the body> <body length>` and the JSON body, written
to a temporary name and renamed into place (atomic on POSIX). `read_json`
checks the header, the length, the hash, the JSON and an optional shape check;
on any mismatch the entry is removed with a warning on stderr and the caller
recomputes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAGIC = b"tfproof-cache/1"


def write_json(path: Path, document: Any) -> None:
    """Write `document` with its integrity header, atomically (tmp file + rename)."""
    body = json.dumps(document, separators=(",", ":")).encode()
    header = b"%s %s %d\n" % (MAGIC, hashlib.sha256(body).hexdigest().encode(), len(body))
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(header)
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _warn(path: Path, why: str) -> None:
    print(f"tfproof: warning: discarded the corrupted cache entry {path.name} ({why}); "
          "recomputing it.", file=sys.stderr, flush=True)


def read_json(path: Path, check: Callable[[Any], None] | None = None) -> Any | None:
    """The cached document, or None when absent or corrupted (a corrupted entry is removed).

    `check(document)` may raise any exception to reject a document of the wrong shape.
    """
    try:
        with open(path, "rb") as handle:
            header = handle.readline(256)
            body = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _discard(path, f"unreadable: {exc.strerror}")
        return None
    parts = header.split()
    why = None
    if len(parts) != 3 or parts[0] != MAGIC:
        why = "no integrity header"
    elif not parts[2].isdigit() or int(parts[2]) != len(body):
        why = "truncated"
    elif hashlib.sha256(body).hexdigest().encode() != parts[1]:
        why = "content does not match its hash"
    if why is None:
        try:
            document = json.loads(body)
            if check is not None:
                check(document)
        except Exception as exc:  # any rejection means: do not trust, recompute
            why = f"unexpected content: {type(exc).__name__}"
        else:
            return document
    _discard(path, why)
    return None


def _discard(path: Path, why: str) -> None:
    _warn(path, why)
    with contextlib.suppress(OSError):
        path.unlink()


def touch(path: Path) -> None:
    """Mark an entry as just used (`prune` goes by this time); a read-only cache is fine."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune(folder: Path, since: float, max_bytes: int) -> int:
    """Remove the least recently used entries (`*.json`) of `folder` until it holds at most
    `max_bytes`, sparing those used or written at or after `since` (the running command's);
    the number removed. Caches of verdicts grow with every change scanned: a CI cache that
    is restored and saved on every pull request would otherwise grow without end."""
    entries = []
    with os.scandir(folder) as found:
        for entry in found:
            if entry.name.endswith(".json"):
                with contextlib.suppress(OSError):  # another command may have removed it
                    info = entry.stat()
                    entries.append((info.st_mtime, info.st_size, entry.path))
    total = sum(size for _, size, _ in entries)
    removed = 0
    for mtime, size, path in sorted(entries):
        if total <= max_bytes or mtime >= since:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed += 1
        total -= size
    return removed
