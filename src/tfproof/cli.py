"""The `tfproof` command line: subcommands live in `tfproof.commands.*`.

Every subcommand module exposes `register(subparsers)`; each registers a
handler that returns the exit status. Errors from bad input end as exit 2 with
one paragraph on stderr (fail closed), never a traceback and never exit 0.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import tfproof
from tfproof import __version__
from tfproof.errors import TfproofError

COMMAND_MODULES = (
    "tfproof.commands.plan",
    "tfproof.commands.scan",
    "tfproof.commands.audit",
    "tfproof.commands.verify",
    "tfproof.commands.sandbox",
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error says what to do in one paragraph and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(
            f"tfproof: error: {message}. Run `{self.prog} --help` for the accepted arguments.",
            file=sys.stderr,
        )
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every registered subcommand."""
    parser = _Parser(prog="tfproof", description=(tfproof.__doc__ or "").strip())
    parser.add_argument("--version", action="version", version=f"tfproof {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tfproof` executable."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except TfproofError as exc:
        print(f"tfproof: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tfproof: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
