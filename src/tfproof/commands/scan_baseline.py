"""`tfproof scan --baseline FILE | --since REF | --write-baseline FILE`: the scan's baseline.

Kept apart from `commands.scan` so the scan command reads as before: arguments
here, everything checked before the scan starts (a bad baseline file, a wrong
ref or an unwritable output stop the run in a second, not after a plan), the
comparison after it. `--since` scans the root module at the ref with the same
options as PATH (the caller passes the scan to run), through the plan cache, so
it costs one more plan and scan the first time and nothing for an unchanged tree.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tfproof.baseline import compare, document, gitref
from tfproof.commands.common import check_output, emit, parse_vars
from tfproof.errors import InputError, TfproofError
from tfproof.findings import ScanReport
from tfproof.secrets.scrub import remember_module_inputs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The baseline options of `tfproof scan` (docs/adoption.md)."""
    group = parser.add_argument_group(
        "baseline", "adopt tfproof in an old repository: exit 1 only for failures that are not "
        "in a baseline; known ones stay in the report, marked known (docs/adoption.md)")
    group.add_argument("--baseline", type=Path, metavar="FILE",
                       help="the accepted failures (a file written by --write-baseline)")
    group.add_argument("--since", metavar="REF",
                       help="the baseline is PATH at this git ref (e.g. origin/main), scanned "
                            "with the same options")
    group.add_argument("--write-baseline", type=Path, metavar="FILE",
                       help="write this scan's failures as a baseline file")


@dataclass
class Prepared:
    """What the baseline options asked for, checked before the scan."""

    known: document.Baseline | None = None
    since: gitref.RefRoot | None = None


def prepare(args: argparse.Namespace) -> Prepared:
    """Check the options and read the baseline file; every problem is exit 2, before the scan."""
    if args.baseline is not None and args.since is not None:
        raise InputError("Give --baseline FILE or --since REF, not both: each is the baseline "
                         "the scan is compared with.")
    check_output(args.write_baseline, "--write-baseline")
    for flag, path in (("--baseline", args.baseline), ("--write-baseline", args.write_baseline)):
        if path is not None and args.output is not None and _same(path, args.output):
            raise InputError(f"--output {args.output} is the {flag} file: the report would "
                             "overwrite the baseline. Write the report somewhere else.")
    if args.since is None:
        return Prepared(known=document.read(args.baseline) if args.baseline else None)
    if args.path is None or args.plan is not None:
        raise InputError(
            f"--since {args.since} scans the root module folder PATH as it was at that ref, "
            "with the same options; it needs PATH and no --plan. To compare a plan made "
            "elsewhere, write a baseline with --write-baseline and pass --baseline FILE."
        )
    from tfproof.terraform.tree import tf_files

    if getattr(args, "changed", False) or (args.path.is_dir() and not tf_files(args.path)):
        # roots are named relative to the working directory, which the ref's copy is not in
        raise InputError(
            f"--since {args.since} compares one root module with itself at that ref; "
            f"{args.path if not getattr(args, 'changed', False) else '--changed'} means many "
            "roots. Write a baseline of the many-root scan with --write-baseline (on the base "
            "branch) and pass it with --baseline FILE, or give one root module folder."
        )
    return Prepared(since=gitref.resolve(args.path, args.since))


def _same(one: Path, other: Path) -> bool:
    return os.path.realpath(one) == os.path.realpath(other)


def finish(args: argparse.Namespace, prepared: Prepared, report: ScanReport,
           rescan: Callable[[Path], ScanReport]) -> None:
    """Compare `report` with the baseline (scanning the ref for --since) and write
    --write-baseline. `rescan(path)` scans another folder with the options of this scan."""
    known = prepared.known
    if prepared.since is not None:
        known = _at_ref(args, prepared.since, report, rescan)
    if known is not None:
        compare.apply(report, known)
    if args.write_baseline is not None:
        emit(document.render(report.findings), args.write_baseline, "--write-baseline")


def _at_ref(args: argparse.Namespace, ref: gitref.RefRoot, report: ScanReport,
            rescan: Callable[[Path], ScanReport]) -> document.Baseline:
    if not ref.exists:
        report.notes.append(
            f"the root module did not exist at {ref.label} (no *.tf file in "
            f"{ref.prefix or 'the top folder'} there): every failure counts as new."
        )
        return document.Baseline(ref.label, frozenset())
    with gitref.checkout(ref) as root:
        # the ref's files may hold literal secrets this tree no longer has
        remember_module_inputs(root, parse_vars(args.var), args.var_file)
        try:
            earlier = rescan(root)
        except TfproofError as exc:
            raise InputError(
                f"--since {ref.ref}: the root module as it was at {ref.label} could not be "
                f"scanned, so no failure can be told new or known: {str(exc).rstrip('. ')}. "
                "Compare with a baseline file instead (--baseline FILE, written by "
                "--write-baseline)."
            ) from exc
    return document.from_findings(earlier.findings, ref.label)

