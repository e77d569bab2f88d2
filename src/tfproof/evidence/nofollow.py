"""Reading a folder that a forger may have written, without being led out of it.

`tfproof verify` reads bundles it must not trust. Every path it opens comes from
listing the folder (os.scandir on a descriptor), never from a file's content;
every folder is opened one component at a time with O_NOFOLLOW, so a symlinked
folder is never entered; and only regular files are opened, with O_NOFOLLOW
(a link is refused) and O_NONBLOCK (a FIFO that slipped in cannot hang the
open), then fstat-checked in case something was swapped in after the listing.
"""

from __future__ import annotations

import errno
import hashlib
import os
import posixpath
import stat
from collections.abc import Collection
from dataclasses import dataclass, field

from tfproof.userfiles import file_kind


@dataclass
class Tree:
    """What a folder holds, found without following a single link."""

    files: dict[str, str] = field(default_factory=dict)  # regular file -> sha256 ("": not read)
    odd: dict[str, str] = field(default_factory=dict)  # link or special file -> what it is
    errors: dict[str, OSError] = field(default_factory=dict)  # could not be read
    blind: set[str] = field(default_factory=set)  # folders whose content is unknown

    def hidden(self, rel: str) -> bool:
        """True when `rel` is below a folder that could not be listed."""
        return any(rel.startswith(f"{folder}/") for folder in self.blind)


def path_problem(rel: str) -> str | None:
    """Why a path read from a file cannot name a file of the folder (None: it can).

    `../x`, `/etc/passwd` and `a/../b` lead out of the folder; a form that is not
    normalised (`./a`, `a//b`) would let one file answer to two names.
    """
    if not rel or "\0" in rel:
        return "an empty name or one with a NUL byte"
    if rel.startswith("/"):
        return "an absolute path"
    if ".." in rel.split("/"):
        return "a path that climbs out of the bundle"
    if rel == "." or posixpath.normpath(rel) != rel:
        return "not a normalised relative path"
    return None


def open_regular(dir_fd: int, name: str) -> int:
    """A descriptor of the regular file `name` in `dir_fd`; OSError for anything else."""
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "it is no longer a regular file", name)
    return fd


def read_regular(dir_fd: int, name: str, limit: int) -> bytes | None:
    """The content of a regular file, or None when it is longer than `limit` bytes."""
    with open(open_regular(dir_fd, name), "rb") as handle:
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None


def _list_dir(root: int, rel: str) -> tuple[int, list[os.DirEntry[str]]]:
    """Folder `rel` below `root` (a descriptor the caller closes) and its entries.

    The folder is opened one component at a time, so that no link is followed.
    """
    fd = os.dup(root)
    try:
        for part in rel.split("/") if rel else ():
            child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = child
        with os.scandir(fd) as listing:
            return fd, list(listing)
    except OSError:
        os.close(fd)
        raise


def _describe(dir_fd: int, name: str, mode: int) -> str:
    if not stat.S_ISLNK(mode):
        return file_kind(mode)
    try:
        return f"a symbolic link to {os.readlink(name, dir_fd=dir_fd)!r}"
    except OSError:
        return "a symbolic link"


def _sha256_at(dir_fd: int, name: str) -> str:
    with open(open_regular(dir_fd, name), "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def scan(root: int, read: bool, skip: Collection[str] = ()) -> Tree:
    """Every entry below the folder `root` (a descriptor); with `read`, each file's sha256.

    The files named in `skip` (paths relative to `root`) are listed but not
    hashed: the caller reads them itself. Iterative, and holding at most three
    descriptors, so a forged tree thousands of folders deep or wide cannot
    exhaust the stack or the descriptor table.
    """
    tree, pending = Tree(), [""]
    while pending:
        folder = pending.pop()
        try:
            fd, entries = _list_dir(root, folder)
        except OSError as exc:  # the folder could not be opened or listed
            tree.errors[folder] = exc
            tree.blind.add(folder)
            continue
        try:
            for entry in entries:
                rel = f"{folder}/{entry.name}" if folder else entry.name
                try:
                    mode = entry.stat(follow_symlinks=False).st_mode
                    if stat.S_ISDIR(mode):
                        pending.append(rel)
                    elif not stat.S_ISREG(mode):
                        tree.odd[rel] = _describe(fd, entry.name, mode)
                    else:
                        hashed = read and rel not in skip
                        tree.files[rel] = _sha256_at(fd, entry.name) if hashed else ""
                except OSError as exc:  # a file that cannot be read is in `errors` only
                    tree.errors[rel] = exc
        finally:
            os.close(fd)
    return tree
