"""`tfproof verify DIR`: is this evidence bundle exactly as the audit wrote it?

Recomputes the sha256 of every file against manifest.json and SHA256SUMS and
names each file changed, missing or added since, and every link, special file
or seal edit as a PROBLEM. Exit 0 intact, 1 altered, 2 not a bundle or an
unreadable folder (an InputError, one paragraph on stderr).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tfproof.evidence.manifest import verify


def register(subparsers: Any) -> None:
    """Add the `verify` subcommand."""
    parser = subparsers.add_parser(
        "verify",
        help="check an evidence bundle's hashes",
        description="Recompute every file's sha256 in an evidence bundle, cross-check "
        "manifest.json against SHA256SUMS, and name any file changed, missing or added since "
        "`tfproof audit` sealed it; links and special files are refused. Exit 0 intact, "
        "1 altered, 2 not a bundle.",
    )
    parser.add_argument("bundle", type=Path, help="the bundle folder (reports/<run>/)")
    parser.set_defaults(handler=run)


def printable(text: str) -> str:
    """`text` with every character but printable ASCII escaped.

    File names come from the bundle, so a forger chooses them: a newline could
    print a fake `OK:` line, an escape sequence could redraw the terminal, and a
    look-alike letter could pass for a real file name.
    """
    return "".join(ch if ch.isascii() and ch.isprintable() else repr(ch)[1:-1] for ch in text)


def run(args: argparse.Namespace) -> int:
    """Verify and report, one line per finding."""
    result = verify(args.bundle)
    for label, names in (("CHANGED", result.changed), ("MISSING", result.missing),
                         ("UNEXPECTED", result.unexpected), ("PROBLEM", result.problems)):
        for name in names:
            print(f"{label:<10} {printable(name)}")
    where = printable(str(args.bundle))
    if result.ok:
        print(f"OK: {result.checked} files of {where} match their recorded sha256")
        return 0
    print(f"FAILED: {where} was modified after it was sealed")
    return 1
