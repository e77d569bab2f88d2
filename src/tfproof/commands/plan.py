"""`tfproof plan`: plan a root module offline and print (or write) its redacted plan JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from tfproof.commands.common import add_plan_inputs, check_output, emit, parse_vars
from tfproof.secrets.scrub import remember_module_inputs
from tfproof.terraform.planner import PlanRequest, plan_json


def register(subparsers: Any) -> None:
    """Add the `plan` subcommand."""
    parser = subparsers.add_parser(
        "plan",
        help="plan a root module offline (cached) and emit its plan JSON",
        description="Plan a Terraform root module offline with the bundled toolchain; the "
        "plan JSON (sensitive values redacted) goes to stdout or --output.",
    )
    parser.add_argument("path", type=Path, help="the root module folder")
    add_plan_inputs(parser)
    parser.add_argument("--output", "-o", type=Path, help="write the plan JSON here")
    parser.add_argument("--no-cache", action="store_true", help="plan even if cached")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Plan and emit."""
    check_output(args.output)
    variables = parse_vars(args.var)
    remember_module_inputs(args.path, variables, args.var_file)
    request = PlanRequest(path=args.path, variables=variables, var_files=tuple(args.var_file))
    raw = plan_json(request, use_cache=not args.no_cache)
    emit(json.dumps(raw, indent=1) + "\n", args.output)
    return 0
