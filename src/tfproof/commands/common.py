"""Arguments shared by subcommands that plan a root module (`plan`, `scan`, `audit`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tfproof.errors import InputError


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
