"""Arguments shared by subcommands that plan a root module (`plan`, `scan`, `audit`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

from tfproof.errors import InputError
from tfproof.secrets.scrub import scrub


def add_plan_inputs(parser: argparse.ArgumentParser) -> None:
    """`--var NAME=VALUE` and `--var-file FILE`, both repeatable."""
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a root variable (repeatable); passed to Terraform through the environment",
    )
    parser.add_argument(
        "--var-file",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a .tfvars or .tfvars.json file (repeatable)",
    )


def parse_vars(pairs: list[str]) -> dict[str, str]:
    """`NAME=VALUE` strings to a dict, failing closed on a malformed one."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not name.replace("_", "a").isalnum():
            raise InputError(
                f"--var {pair.split('=')[0]!r}... is not NAME=VALUE with a valid variable name; "
                "write it as --var region=us-east-1."
            )
        out[name.strip()] = value
    return out


def check_output(path: Path | None, flag: str = "--output") -> None:
    """Refuse an output path that cannot be written, before any work is done."""
    if path is None:
        return
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{flag} {path} is a folder; give a file name for the report.")
    if not parent.is_dir():
        raise InputError(
            f"{flag} {path}: the folder {parent} does not exist; create it first or write the "
            "report somewhere else."
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(
            f"{flag} {path}: the folder {parent} is not writable by this user; choose another "
            "place for the report."
        )
    if path.exists() and not path.is_file():
        raise InputError(f"{flag} {path} exists and is not a regular file; choose another name.")


def emit(text: str, path: Path | None, flag: str = "--output") -> None:
    """Write a command's output (scrubbed) to stdout or atomically to `path`.

    A report is written whole or not at all: a temp file in the same folder, renamed
    over the target, so a full disk or a signal never leaves half a report behind.
    """
    text = scrub(text)
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    check_output(path, flag)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
