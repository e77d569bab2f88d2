"""Progress lines on stderr, so long work (planning, checkov, apply) is never silent.

`TFPROOF_QUIET=1` silences them (CI logs that only want results); stdout stays
reserved for the machine-readable output of each command.
"""

from __future__ import annotations

import sys
import time

from tfproof.errors import InputError
from tfproof.settings import current

_START = time.monotonic()


def quiet() -> bool:
    """True when the user asked for no progress output."""
    try:
        return current().quiet
    except InputError:  # a wrong setting is reported once, by the command; progress goes on
        return False


def say(message: str) -> None:
    """One progress line: elapsed seconds and the message."""
    if quiet():
        return
    from tfproof.secrets.scrub import scrub  # every line that leaves tfproof is scrubbed

    elapsed = time.monotonic() - _START
    print(f"[tfproof {elapsed:6.1f}s] {scrub(message)}", file=sys.stderr, flush=True)
