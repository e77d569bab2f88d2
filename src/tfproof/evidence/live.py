"""The live layer of an audit: apply the sandbox env and run every live check, or read the
live checks a test run wrote (`$TFPROOF_LIVE_CHECKS_OUT`), and the account they ran in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tfproof import progress, settings
from tfproof.errors import TfproofError
from tfproof.sandbox.kinds import EMBEDDED_ACCOUNT_ID
from tfproof.sandbox.livecheck import STATUSES, LiveCheck


def sandbox_account(kind: str) -> str | None:
    """The account the live layer ran in: moto's fixed one, or the one the guard allowed."""
    if kind == "embedded":
        return EMBEDDED_ACCOUNT_ID
    return settings.current().sandbox_account_id


def run_live_layer(kind: str) -> list[LiveCheck]:
    """Apply the sandbox env, run every live check, tear down (tfproof.sandbox)."""
    from tfproof.sandbox.live import run_live_checks

    progress.say(f"live checks: applying infra/envs/sandbox to the {kind} sandbox")
    checks = run_live_checks(kind)
    counts = {s: sum(c.status == s for c in checks) for s in STATUSES}
    progress.say(
        f"live checks: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped"
    )
    return checks


def read_live_checks(path: Path) -> tuple[list[LiveCheck], dict[str, Any]]:
    """The live checks a test run wrote, and what the file says about the sandbox."""
    if not path.is_file():
        return [], {}
    try:
        payload = json.loads(path.read_text())
    except ValueError as exc:
        raise TfproofError(f"The live-check file {path} is not JSON: {exc}") from exc
    records = payload if isinstance(payload, list) else payload.get("checks", [])
    sandbox = {} if isinstance(payload, list) else dict(payload.get("sandbox", {}))
    if not all(isinstance(r, dict) for r in records):
        raise TfproofError(f"The live-check file {path} holds an entry that is not an object.")
    return [LiveCheck.from_json(r) for r in records], sandbox
