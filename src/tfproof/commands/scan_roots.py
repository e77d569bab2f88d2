"""`tfproof scan` of many root modules: a folder of roots, or the roots changed files feed.

- `tfproof scan infra/`: PATH holds no Terraform of its own, so every root module
  below it is found (`terraform.roots`) and scanned into one report. A PATH that is
  itself a module is one root, exactly as before; roots nested below it are named
  in a note (never silently left out), and `--all-roots` scans them too.
- `tfproof scan --changed FILE...` (the pre-commit hook): only the roots below the
  working directory whose plan reads one of the files; a file no root
  reads changes no plan, so a run where none does scans nothing and says so (exit 0).

docs/many-roots.md and docs/pre-commit.md are the user's side of this.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tfproof.errors import InputError
from tfproof.findings import ScanReport


def add_root_options(parser: argparse.ArgumentParser) -> None:
    """`--changed` (with the changed files as trailing arguments) and `--skip-unplannable`."""
    parser.add_argument("files", type=Path, nargs="*", metavar="FILE",
                        help="with --changed: the changed files (pre-commit passes them)")
    parser.add_argument(
        "--changed", action="store_true",
        help="the arguments are changed files: scan only the root modules below the working "
        "directory that read one of them (a file of a shared module: every root that calls it, "
        "transitively); none: nothing to scan, exit 0 (docs/pre-commit.md)")
    parser.add_argument(
        "--all-roots", action="store_true",
        help="also when PATH is itself a root module: scan it and every root module below it "
        "in one report (the full pre-commit hook; docs/many-roots.md)")
    parser.add_argument(
        "--skip-unplannable", action="store_true",
        help="in a scan of many roots, report on the others when a root cannot be planned here "
        "and list it as NOT SCANNED (default: exit 2 naming it; docs/many-roots.md)")


def _warn(message: str) -> None:
    from tfproof.secrets.scrub import scrub

    print(f"tfproof: {scrub(message)}", file=sys.stderr, flush=True)


def many_roots(args: argparse.Namespace, variables: dict[str, str]) -> ScanReport | None:
    """The report of a scan of many roots, or None when the arguments name one root or a plan
    (the single-root path, unchanged)."""
    from tfproof.terraform.roots import holds_configuration

    changed = [*([args.path] if args.changed and args.path is not None else []), *args.files]
    scope = Path(".")
    if args.changed:
        if args.plan is not None:
            raise InputError("--changed maps changed files to the root modules that read them, "
                             "which tfproof then plans; it cannot be combined with --plan.")
        if not changed:
            raise InputError("--changed needs the changed files after it: tfproof scan "
                             "--changed FILE... (pre-commit passes them).")
    else:
        if args.files:
            raise InputError(
                f"tfproof scan takes one PATH, not {len(args.files) + 1}: give the folder of a "
                "root module or a folder to search for root modules, or pass --changed "
                "FILE... to scan the root modules that read those files.")
        if args.plan is not None or args.path is None or (
                holds_configuration(args.path) and not args.all_roots):
            return None
        scope = args.path
        if not scope.is_dir():
            raise InputError(f"{scope} is not a folder: give a Terraform root module folder, a "
                             "folder to search for root modules, or --plan PLAN.json.")
    if getattr(args, "since", None) is not None:  # tfproof.commands.scan_baseline
        raise InputError(
            "--since compares one root module with itself at a git ref; a scan of many roots "
            "(a folder of roots, or --changed) cannot be compared that way yet. Write a baseline "
            "of the same folder at that ref (--write-baseline FILE) and pass --baseline FILE.")
    return _scan(args, variables, scope, changed if args.changed else None)


def nested_roots_note(path: Path) -> str | None:
    """A note naming the root modules below the root PATH that a one-root scan leaves out.

    Best effort: the scan of PATH itself is complete whatever this finds, so a folder
    below that cannot be read gives no note rather than stopping that scan.
    """
    from tfproof.errors import TfproofError
    from tfproof.terraform.roots import display, find_roots

    try:
        own = path.resolve()
        others = [r for r in find_roots(path).roots if r.resolve() != own]
    except (TfproofError, OSError):
        return None
    if not others:
        return None
    names = ", ".join(display(r) for r in others[:5]) + (", ..." if len(others) > 5 else "")
    return (f"{len(others)} other root module(s) below {display(path)} were not scanned "
            f"({names}): scan them by name, or all at once with `tfproof scan --all-roots "
            f"{display(path)}`.")


def _scan(
    args: argparse.Namespace, variables: dict[str, str], scope: Path,
    changed: list[Path] | None,
) -> ScanReport:
    from tfproof.engine.many import empty_report, scan_roots
    from tfproof.secrets.scrub import remember_module_inputs
    from tfproof.terraform.roots import changed_roots, display, find_roots

    # before anything can print (each root's own sensitive variables: in scan_roots)
    remember_module_inputs(scope, variables, args.var_file)
    discovery = find_roots(scope)
    where = display(scope)
    notes = discovery.notes()
    roots = list(discovery.roots)
    if changed is not None:
        # a --var-file of this run is read by every root's plan: changing it changes them all
        shared = {p.resolve() for p in args.var_file}
        mapped = changed_roots(roots, [p for p in changed if p.resolve() not in shared])
        if any(p.resolve() in shared for p in changed):
            mapped.roots = {root: mapped.roots.get(root, []) for root in roots}
        roots = [root for root in roots if root in mapped.roots]
        if mapped.unmapped:
            notes.append(f"{len(mapped.unmapped)} changed file(s) feed no root module below "
                         f"{where} and change no plan: "
                         f"{', '.join(str(p) for p in mapped.unmapped)}.")
        if not roots:
            note = (f"nothing to scan: none of the {len(changed)} changed file(s) is read by a "
                    f"root module below {where} ({len(discovery.roots)} found), so no plan "
                    "changed.")
            notes.insert(0, note)
            for line in notes:
                _warn(f"note: {line}")
            return empty_report(where, notes)
    elif not roots and not discovery.not_roots:
        raise InputError(
            f"{where} holds no Terraform configuration (*.tf or *.tf.json), neither in itself nor "
            "in any folder below it: nothing to scan. Point tfproof at a root module folder, a "
            "folder with root modules below it, or --plan PLAN.json.")
    elif not roots:
        raise InputError(
            f"{where} holds no Terraform root module: no folder below it has a provider or "
            "backend block without being called by another module below it"
            + (f" ({notes[0]})" if notes else "") + ". Give the folder of a root module "
            "(tfproof scan path/to/root plans even one without a provider block), or --plan "
            "PLAN.json.")
    for note in notes:
        _warn(f"note: {note}")
    report = scan_roots(
        roots, where, variables, tuple(args.var_file), args.waivers,
        checkov=not args.no_checkov, skip_unplannable=args.skip_unplannable, notes=notes,
    )
    for entry in report.roots or []:
        if "skipped" in entry:
            _warn(f"warning: NOT SCANNED: the root module {entry['path']} could not be planned "
                  f"here and is left out of this report (--skip-unplannable): {entry['skipped']}")
    for root in report.roots or []:
        if root.get("resources") == 0:
            _warn(f"note: {root['path']}: the plan holds no managed resource (nothing judged).")
    return report
