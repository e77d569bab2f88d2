"""`tfproof verify DIR`: is this evidence bundle exactly as the audit wrote it?

Recomputes the sha256 of every file against manifest.json and SHA256SUMS and
names each file changed, missing or added since. Exit 0 intact, 1 altered,
2 not a bundle.
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
        description="Recompute every file's sha256 in an evidence bundle and name any file "
        "changed, missing or added since `tfproof audit` sealed it.",
    )
    parser.add_argument("bundle", type=Path, help="the bundle folder (reports/<run>/)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Verify and report."""
    result = verify(args.bundle)
    for rel in result.changed:
        print(f"CHANGED    {rel}")
    for rel in result.missing:
        print(f"MISSING    {rel}")
    for rel in result.unexpected:
        print(f"UNEXPECTED {rel}")
    for problem in result.problems:
        print(f"PROBLEM    {problem}")
    if result.ok:
        print(f"OK: {result.checked} files of {args.bundle} match their recorded sha256")
        return 0
    print(f"FAILED: {args.bundle} was modified after it was sealed")
    return 1
