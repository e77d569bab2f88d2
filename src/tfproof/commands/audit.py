"""`tfproof audit`: every layer on the project's envs, one sealed evidence bundle per run.

Exit status: 0 when no control failed, 1 when at least one did (the failing
controls are the last lines on the terminal), 2 when the audit could not run
(bad flags, a plan that errors, a missing layer, a secret found in the bundle).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from tfproof import settings
from tfproof.commands.common import add_plan_inputs, parse_vars
from tfproof.errors import InputError
from tfproof.evidence.layers import LAYER_TEST_DIRS, AuditRequest, Target
from tfproof.settings import project_root
from tfproof.terraform.inputs import env_secret_variables

LAYER_CHOICES = ("plan", "policy", "live")


def register(subparsers: Any) -> None:
    """Add the `audit` subcommand."""
    parser = subparsers.add_parser(
        "audit",
        help="run every layer and write the audit evidence bundle",
        description="Plan each env, run checkov and the custom policies, run the test layers "
        "once (plan assertions, compliance, integration on the sandbox), and write "
        "reports/<UTC timestamp>-<git short sha>/ with evidence.json, report.html, "
        "controls.csv, junit.xml, results.sarif, the redacted plans, an OSCAL "
        "assessment-results document and manifest.json.",
    )
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME",
        help="an env under infra/envs/ (repeatable; default: production and sandbox)",
    )
    parser.add_argument(
        "--target", action="append", default=[], type=Path, metavar="PATH",
        help="audit this root module folder instead of the envs (repeatable)",
    )
    parser.add_argument(
        "--sandbox", choices=("embedded", "aws"), default=None,
        help="where the live layer applies (default: $TFPROOF_SANDBOX or embedded moto)",
    )
    parser.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                        help="folder that receives the bundle folder (default: reports)")
    parser.add_argument("--compare", type=Path, metavar="BUNDLE",
                        help="an earlier bundle: report what regressed, recovered, was waived")
    parser.add_argument(
        "--layer", action="append", choices=LAYER_CHOICES, default=[],
        help="run only these layers (repeatable; default: all three)",
    )
    parser.add_argument("--waivers", type=Path, metavar="FILE",
                        help="waivers file (default: policies/waivers.yaml when present)")
    parser.add_argument(
        "--tests", action="append", default=None, metavar="PATH",
        help="pytest paths to run instead of the layers' folders (repeatable)",
    )
    parser.add_argument("--pytest-arg", action="append", default=[], metavar="ARG",
                        help="an extra argument for the one pytest run (repeatable)")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress lines (same as TFPROOF_QUIET=1)")
    add_plan_inputs(parser)
    parser.set_defaults(handler=run)  # fmt: skip


def build_request(args: argparse.Namespace, root: Path) -> AuditRequest:
    """Turn the flags into an audit request, failing closed on anything unusable."""
    if args.env and args.target:
        raise InputError("Give either --env (envs under infra/envs/) or --target PATH, not both.")
    targets: list[Target] = []
    variables = parse_vars(args.var)
    if args.target:
        names: set[str] = set()
        for path in args.target:
            if not path.is_dir():
                raise InputError(f"--target {path}: not a folder (give a Terraform root module).")
            name = path.resolve().name
            while name in names:
                name += "_"
            names.add(name)
            targets.append(Target(name=name, path=path))
    else:
        for env in args.env or ["production", "sandbox"]:
            path = root / "infra" / "envs" / env
            if not path.is_dir():
                known = sorted(p.name for p in (root / "infra" / "envs").glob("*") if p.is_dir())
                raise InputError(
                    f"--env {env}: no folder infra/envs/{env} under {root}; the envs here are: "
                    f"{', '.join(known) or 'none'}."
                )
            targets.append(Target(name=env, path=path))
        variables = {**env_secret_variables(), **variables}
    for path in args.var_file:
        if not path.is_file():
            raise InputError(f"--var-file {path}: no such file.")
    waivers = args.waivers
    if waivers is None:
        default = root / "policies" / "waivers.yaml"
        waivers = default if default.is_file() else None
    elif not waivers.exists() and not waivers.is_symlink():
        raise InputError(f"--waivers {waivers}: no such file.")
    sandbox = args.sandbox or settings.current().sandbox
    return AuditRequest(
        root=root,
        targets=targets,
        layers=list(dict.fromkeys(args.layer)) or list(LAYER_CHOICES),
        sandbox=sandbox,
        waivers=waivers,
        variables=variables,
        var_files=list(args.var_file),
        # the project's test folders assert on infra/envs; a --target audit runs only --tests
        test_paths=args.tests if args.tests is not None or not args.target else [],
        pytest_args=list(args.pytest_arg),
        apply_sandbox=not args.target,
    )


def run(args: argparse.Namespace) -> int:
    """Run the audit, print the verdicts, where the bundle is, and the failures last."""
    from tfproof.evidence.audit import run_audit
    from tfproof.evidence.terminal import terminal_lines

    if args.quiet:
        os.environ["TFPROOF_QUIET"] = "1"
    root = project_root()
    request = build_request(args, root)
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"--out {args.out}: exists and is not a folder; give a folder for "
                         "the bundles (default: reports).")
    if args.compare is not None and not args.compare.exists():
        raise InputError(f"--compare {args.compare}: no such bundle.")
    missing = [layer for layer in request.layers if layer in LAYER_TEST_DIRS
               and args.tests is None and not (root / LAYER_TEST_DIRS[layer]).is_dir()]
    if missing:
        print(f"tfproof audit: note: no test folder for layer(s) {', '.join(missing)}",
              file=sys.stderr)
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]]
    result = run_audit(request, args.out, args.compare, argv)
    for line in terminal_lines(result):
        print(line)
    return 1 if result.failed else 0
