"""Reading a file the user named: regular files only, bounded, decoded the ways editors save.

Every file a user hands tfproof (a plan JSON, a waivers file) goes through
here, because the failure modes are the same and all must end in exit 2 with
a reason, never a hang or a traceback:

- opening a named pipe blocks until a writer comes (a CI job that never ends)
  and a device never ends, so the type is checked with `stat` first and again
  on the opened descriptor (opened non-blocking) in case the path was swapped;
- a dangling symlink and a symlink loop are named as such;
- text is UTF-8 with or without a BOM, or UTF-16/UTF-32 with a BOM (PowerShell's
  `>` and Windows editors write UTF-16 LE with one); anything else is refused,
  never guessed.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from pathlib import Path

from tfproof.errors import InputError

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def file_kind(mode: int) -> str:
    """What a non-regular file is, from its `st_mode` (for messages)."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def problem(path: Path) -> str | None:
    """None when `path` is (or links to) a regular file; else what it is, without opening it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "a symlink to a missing file" if os.path.islink(path) else "missing"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symlink loop"
        return f"unreadable ({exc.strerror})"
    return None if stat.S_ISREG(info.st_mode) else file_kind(info.st_mode)


def read_regular(path: Path, what: str, max_bytes: int, hint: str) -> bytes:
    """The bytes of the regular file `path`; InputError (naming `what`, plus `hint`) otherwise."""
    found = problem(path)
    if found == "missing":
        raise InputError(f"The {what} {path} does not exist. {hint}")
    if found is not None:
        raise InputError(
            f"The {what} {path} is {found}, not a file: tfproof reads only regular files (a "
            f"pipe or device could block or never end). {hint}"
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InputError(f"Cannot read the {what} {path}: {exc.strerror}. {hint}") from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"The {what} {path} is {file_kind(mode)}, not a file. {hint}")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"Cannot read the {what} {path}: {exc.strerror}. {hint}") from exc
    if len(data) > max_bytes:
        raise InputError(f"The {what} {path} is larger than {max_bytes // 2**20} MiB; that is "
                         f"not a {what}. {hint}")
    return data


def decode_text(data: bytes, name: str, hint: str) -> str:
    """UTF-8 (BOM optional), or UTF-16/32 with a BOM; InputError naming the first bad byte."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name} starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} (byte {exc.start + len(bom)}). {hint}"
                ) from exc
    nul = data.find(b"\x00", 0, 4096)
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise InputError(
            f"{name} holds binary data (a NUL byte at offset {nul}, line {line}), not text; if "
            f"it is UTF-16 without a byte-order mark, save it as UTF-8. {hint}"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{name} is not UTF-8 text (invalid byte at offset {exc.start}, line {line}); save "
            f"it as UTF-8. {hint}"
        ) from exc
