"""The `tfproof` command line: subcommands live in `tfproof.commands.*`.

Every subcommand module exposes `register(subparsers)`; each registers a
handler that returns the exit status. `main` is the one boundary every command
goes through, because CI reads the exit status and nothing else:

- 0 and 1 come only from a handler (1 = findings, or an altered bundle);
- anything that stops a command is exit 2 with one paragraph on stderr that
  says what was wrong and what to do, scrubbed of every known secret;
- an unexpected exception is a tfproof bug: it says so, writes the (scrubbed)
  traceback to a crash report and names that file; the traceback reaches stderr
  only with `TFPROOF_DEBUG=1`;
- a signal (SIGINT, SIGTERM, SIGHUP) ends the command with 128 + the signal's
  number after its children and scratch folders are gone.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import tfproof
from tfproof import __version__, lifecycle, settings
from tfproof.errors import TfproofError

COMMAND_MODULES = (
    "tfproof.commands.plan",
    "tfproof.commands.scan",
    "tfproof.commands.audit",
    "tfproof.commands.verify",
    "tfproof.commands.sandbox",
)

EXIT_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error says what to do in one paragraph and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(
            f"tfproof: error: {message}. Run `{self.prog} --help` for the accepted arguments.",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every registered subcommand."""
    parser = _Parser(prog="tfproof", description=(tfproof.__doc__ or "").strip())
    parser.add_argument("--version", action="version", version=f"tfproof {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _say(message: str) -> None:
    """One paragraph on stderr, scrubbed (stderr itself may be gone: never raise from here)."""
    from tfproof.secrets.scrub import scrub

    try:
        print(f"tfproof: {scrub(message)}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _debug() -> bool:
    try:
        return settings.current().debug
    except TfproofError:  # a wrong setting is reported by main; the crash report still stays
        return False


def _crash_report(exc: BaseException) -> Path | None:
    """Write the scrubbed traceback of a tfproof bug to a file in the cache; its path or None."""
    from tfproof.secrets.scrub import scrub

    text = scrub("".join(traceback.format_exception(exc)))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        from tfproof.settings import cache_dir

        folder = cache_dir() / "crash"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{stamp}-{os.getpid()}.txt"
        argv = " ".join(sys.argv[1:2])  # the subcommand only: arguments may carry values
        path.write_text(f"tfproof {__version__} {argv}\n{text}")
        os.chmod(path, 0o600)
        return path
    except Exception:
        return None


def _os_error(exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        hint = "free some disk space (or point TFPROOF_CACHE_DIR / TMPDIR elsewhere) and rerun."
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "give tfproof a place it may read or write, or fix the permissions, and rerun."
    else:
        hint = "check that path and rerun."
    return f"error: could not read or write{where}: {reason}; {hint}"


def _dispatch(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings.current()  # a wrong TFPROOF_* value stops here (exit 2), before any work
    with lifecycle.command():
        status = args.handler(args)
    if status not in (0, 1):  # a handler that returns anything else is a tfproof bug
        raise RuntimeError(f"handler of {args.command!r} returned {status!r}, not 0 or 1")
    return int(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tfproof` executable: the boundary described in the module docstring."""
    try:
        return _dispatch(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        code = exc.code
        return code if code in (0, EXIT_INPUT) else EXIT_INPUT
    except lifecycle.Stopped as exc:
        _say(f"stopped by {exc.name}; child processes and scratch folders were removed.")
        return 128 + exc.signum
    except KeyboardInterrupt:
        _say("interrupted; child processes and scratch folders were removed.")
        return 130
    except TfproofError as exc:
        _say(f"error: {exc}")
        return EXIT_INPUT
    except BrokenPipeError:
        # the reader of stdout went away (`| head`): nothing more can be delivered
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        _say("error: the output pipe was closed before the report was written; nothing was "
             "judged as passed. Write the report to a file with --output instead.")
        return EXIT_INPUT
    except OSError as exc:
        _say(_os_error(exc))
        return EXIT_INPUT
    except MemoryError:
        _say("error: out of memory. Give tfproof more memory or a smaller plan and rerun.")
        return EXIT_INPUT
    except Exception as exc:
        report = _crash_report(exc)
        where = f"the details are in {report}" if report else "no crash report could be written"
        _say(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in tfproof, not a "
            f"verdict on your input (nothing was judged as passed); {where}. Please report it "
            "to the tfproof maintainers with that file attached; rerun with TFPROOF_DEBUG=1 to "
            "see the traceback here."
        )
        if _debug():
            from tfproof.secrets.scrub import scrub

            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(scrub("".join(traceback.format_exception(exc))))
        return EXIT_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
