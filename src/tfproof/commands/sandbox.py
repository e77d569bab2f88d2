"""`tfproof sandbox`: run the live checks, list runs, and clean up after crashed ones.

- `tfproof sandbox check [--root DIR] [--output FILE]`: apply the sandbox env to
  the sandbox (TFPROOF_SANDBOX: embedded by default, or aws with
  TFPROOF_SANDBOX_ACCOUNT_ID), run every live check, destroy; JSON verdicts.
  Exit 0 when nothing failed and nothing was left behind, 1 otherwise, 2 when
  the run could not start (e.g. the account guard refused).
- `tfproof sandbox list`: the run records under the cache directory.
- `tfproof sandbox cleanup [--run-id ID]`: finish the teardown of crashed runs;
  exit 1 if anything is still left.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `sandbox` subcommand and its actions."""
    parser = subparsers.add_parser(
        "sandbox",
        help="apply the sandbox env, check it live, clean up crashed runs",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    actions = parser.add_subparsers(dest="sandbox_action", metavar="ACTION")
    actions.required = True
    check = actions.add_parser("check", help="apply, run every live check, destroy")
    check.add_argument("--root", type=Path, help="root module (default infra/envs/sandbox)")
    check.add_argument("--output", "-o", type=Path, help="write the live checks JSON here")
    check.set_defaults(handler=_check)
    listing = actions.add_parser("list", help="list sandbox run records")
    listing.set_defaults(handler=_list)
    cleanup = actions.add_parser("cleanup", help="remove what crashed runs left behind")
    cleanup.add_argument("--run-id", help="only this run (default: every stale run)")
    cleanup.set_defaults(handler=_cleanup)


def _check(args: argparse.Namespace) -> int:
    from tfproof.commands.common import check_output, emit
    from tfproof.sandbox.live import run_live_checks

    check_output(args.output)
    results = run_live_checks(root=args.root)
    document = {"live_checks": [r.to_json() for r in results]}
    emit(json.dumps(document, indent=1) + "\n", args.output)
    failed = [r for r in results if r.status == "failed"]
    for item in failed:
        print(f"FAILED {item.name} [{item.control}] {item.resource}: {item.detail}",
              file=sys.stderr)  # fmt: skip
    return 1 if failed else 0


def _list(args: argparse.Namespace) -> int:
    from tfproof.sandbox.records import all_records

    for record in all_records():
        print(f"{record.run_id}\t{record.kind}\t{record.status}\taccount {record.account_hint}"
              f"\tapplied {record.applied}\tdestroyed {record.destroyed}")  # fmt: skip
    return 0


def _cleanup(args: argparse.Namespace) -> int:
    from tfproof.sandbox.cleanup import cleanup_stale, prune
    from tfproof.sandbox.kinds import sandbox_from_settings

    current = sandbox_from_settings()
    results = cleanup_stale(current, run_id=args.run_id)
    left = False
    for result in results:
        print(f"{result.run_id} ({result.kind}): {result.status}; destroyed {result.destroyed}, "
              f"swept {len(result.swept)}" + (f"; {result.note}" if result.note else ""))
        for item in result.leftovers:
            left = True
            print(f"  left: {item}")
    if not results:
        print("no crashed sandbox run to clean up")
    prune()
    return 1 if left else 0
