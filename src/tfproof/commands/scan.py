"""`tfproof scan`: a root module (planned offline) or a plan JSON, against the control catalog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tfproof.commands import scan_baseline
from tfproof.commands.common import (
    add_plan_inputs,
    check_output,
    emit,
    parse_vars,
)
from tfproof.commands.scan_roots import add_root_options, many_roots, nested_roots_note
from tfproof.errors import InputError
from tfproof.secrets.scrub import remember_module_inputs


def register(subparsers: Any) -> None:
    """Add the `scan` subcommand."""
    parser = subparsers.add_parser(
        "scan",
        help="check a root module or plan against the control catalog",
        description="Plan PATH offline (or read --plan), run checkov's mapped built-in checks "
        "and tfproof's policies, map every result to a control, apply waivers. Exit 0: no "
        "unwaived failure; 1: failures (with --baseline or --since: new ones); 2: the input "
        "could not be scanned.",
    )
    parser.add_argument("path", type=Path, nargs="?",
                        help="the Terraform root module folder, or a folder without Terraform "
                        "of its own: every root module below it (docs/many-roots.md)")
    parser.add_argument("--plan", type=Path, help="scan this plan JSON instead of planning")
    add_plan_inputs(parser)
    from tfproof.formats import WRITERS  # the one list of formats (a new writer needs no edit)

    parser.add_argument("--format", choices=tuple(WRITERS), default="table")
    parser.add_argument("--output", "-o", type=Path, help="write the report here, not stdout")
    parser.add_argument("--waivers", type=Path,
                        help="waivers YAML (default: tfproof's policies/waivers.yaml, only for "
                        "targets inside its checkout or with TFPROOF_POLICIES_DIR; inline "
                        "`# tfproof:waive` comments in the .tf files always count)")
    parser.add_argument("--no-checkov", action="store_true",
                        help="custom policies only (skip checkov's built-in checks)")
    add_root_options(parser)  # many roots: FILE..., --changed, --skip-unplannable
    scan_baseline.add_arguments(parser)  # --baseline, --since, --write-baseline
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Scan, write the report, and return 0/1 (errors raise and become exit 2)."""
    from tfproof.engine.scan import EMPTY_PLAN_NOTE, scan
    from tfproof.formats import WRITERS

    if args.path is None and args.plan is None and not args.changed:
        raise InputError("Give a Terraform root module folder (PATH) or --plan PLAN.json.")
    if args.path is not None and args.plan is None and not args.changed:
        if not args.path.exists():
            raise InputError(f"{args.path} does not exist: give a Terraform root module folder.")
    if args.waivers is not None and not args.waivers.exists():
        raise InputError(f"The waivers file {args.waivers} does not exist.")
    check_output(args.output)
    baseline = scan_baseline.prepare(args)  # a bad baseline file or git ref stops here
    variables = parse_vars(args.var)
    many = many_roots(args, variables)  # a folder of roots, or --changed: None for one root
    if many is None and args.path is not None:
        remember_module_inputs(args.path, variables, args.var_file)
    report = many if many is not None else scan(
        target=args.path,
        plan=args.plan,
        variables=variables,
        var_files=tuple(args.var_file),
        waivers_path=args.waivers,
        checkov=not args.no_checkov,
    )
    if args.path is None and args.plan is not None:
        report.target = str(args.plan)
    if many is None and args.path is not None and args.plan is None and not args.changed:
        note = nested_roots_note(args.path)  # a root below this root is not part of this scan
        if note:
            report.notes.append(note)
    if report.resources == 0 and report.roots is None:
        print(f"tfproof: note: {report.target}: {EMPTY_PLAN_NOTE}", file=sys.stderr)
    # --since: the same root at the ref, scanned with the same options as above
    scan_baseline.finish(args, baseline, report, lambda path: scan(
        target=path, variables=variables, var_files=tuple(args.var_file),
        waivers_path=args.waivers, checkov=not args.no_checkov))
    emit(WRITERS[args.format](report), args.output)
    return 1 if report.new_failed else 0  # a failure known from the baseline is still shown
