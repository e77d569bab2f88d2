"""Waivers: an accepted risk, with an owner, a reason and an expiry, applied to failures.

A waiver turns matching failures into status "waived" (never passed), so the
risk stays visible. An expired waiver stops waiving and is reported, and so is
a waiver that matches nothing (stale waivers hide the next real failure).

Loading is strict (schema in `waivers.schema`, line numbers from `waivers.lines`):
every malformed waiver stops the run with one paragraph naming its entry, line
and field, because a waiver that is silently dropped, widened or unmatched
changes what the compliance gate lets through.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tfproof import userfiles
from tfproof.errors import InputError
from tfproof.findings import Finding
from tfproof.waivers.lines import Entry, Problem, paragraph, read_entries
from tfproof.waivers.schema import FIELDS, HINTS, KnownIds, WaiverEntry, close

MAX_BYTES = 10 * 2**20  # a waivers file is a few kilobytes; a larger one is a wrong path
_HINT = "Give the path of a YAML waivers file (`waivers:` and a list of entries), saved as UTF-8."


@dataclass
class Waiver:
    """One entry of the waivers file."""

    resource: str
    reason: str
    owner: str
    expires: dt.date
    control: str | None = None
    check: str | None = None
    target: str | None = None  # optional glob on the scanned target (e.g. "*sandbox*")
    matched: int = 0

    def expired(self, today: dt.date) -> bool:
        return self.expires < today

    def applies_to(self, target: str | None) -> bool:
        """In scope for a scanned target: no `target:` glob, or the glob matches it."""
        return not self.target or (bool(target) and fnmatch.fnmatchcase(str(target), self.target))

    def matches(self, finding: Finding) -> bool:
        """It names the finding's control and/or check, and its glob matches the resource."""
        if self.control and self.control != finding.control:
            return False
        if self.check and self.check != finding.check:
            return False
        return fnmatch.fnmatchcase(finding.resource, self.resource)

    def describe(self) -> dict[str, Any]:
        return {
            "control": self.control, "check": self.check, "resource": self.resource,
            "reason": self.reason, "owner": self.owner, "expires": self.expires.isoformat(),
            **({"target": self.target} if self.target else {}),
        }


def load_waivers(path: Path, known: KnownIds) -> list[Waiver]:
    """Read and validate a waivers file; any problem is an InputError (exit 2) with its line.

    `known`: the control and check IDs a waiver may name (the engine's
    `tfproof.engine.catalog.known_ids()`).
    """
    path = Path(path)
    data = userfiles.read_regular(path, "waivers file", MAX_BYTES, _HINT)
    text = userfiles.decode_text(data, f"The waivers file {path}", _HINT)
    entries, problems = read_entries(path, text)
    out = []
    for entry in entries:
        try:
            valid = WaiverEntry.model_validate(entry.fields, context={"known": known})
        except ValidationError as exc:
            problems += [_problem(entry, error) for error in
                         exc.errors(include_url=False, include_input=False)
                         if _name(error) not in entry.unreadable]
            continue
        out.append(Waiver(
            resource=valid.resource, reason=valid.reason, owner=valid.owner,
            expires=valid.expires, control=valid.control, check=valid.check, target=valid.target,
        ))
    if problems:
        raise InputError(paragraph(path, problems))
    return out


def _problem(entry: Entry, error: Any) -> Problem:
    """One pydantic error as a problem of the entry, with the line of the field it is about."""
    kind, name = error["type"], _name(error)
    line = entry.lines.get(name)
    if kind == "missing":
        return Problem(entry.number, entry.line, None, None, f"lacks `{name}`", HINTS.get(name))
    if kind == "extra_forbidden":
        near = close(name, FIELDS, quote=True)
        return Problem(entry.number, entry.line, name, line,
                       f"is not a waiver field{near}; the fields are {', '.join(FIELDS)}",
                       "Rename it." if near else "Remove it.")
    if kind == "tfproof_missing":  # of the whole entry: no field, no line, the text says it all
        return Problem(entry.number, entry.line, None, None, error["msg"])
    hint = None if kind == "tfproof_mismatch" else HINTS.get(name)
    return Problem(entry.number, entry.line, name, line, error["msg"], hint)


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver], today: dt.date | None = None,
    target: str | None = None,
) -> list[dict[str, Any]]:
    """Waive matching failures in place; return the problems (expired, unmatched waivers).

    Waivers scoped to another target (`target:` glob) are left out entirely.
    """
    today = today or dt.date.today()
    waivers = [w for w in waivers if w.applies_to(target)]
    for finding in findings:
        if finding.status != "failed":
            continue
        for waiver in waivers:
            if not waiver.matches(finding):
                continue
            waiver.matched += 1
            if waiver.expired(today):
                continue
            finding.status = "waived"
            finding.waiver = {k: v for k, v in waiver.describe().items() if v is not None}
            break
    problems = []
    for waiver in waivers:
        if waiver.expired(today):
            problems.append({"problem": "expired", **waiver.describe(), "matched": waiver.matched})
        elif waiver.matched == 0:
            problems.append({"problem": "unmatched", **waiver.describe()})
    return problems


def matched_failures(waiver: Waiver, target: str, findings: Iterable[Finding]) -> list[Finding]:
    """The failures of one target's findings the waiver matches: waived by it (or by an
    earlier waiver) or, expired, no longer waived. Empty when it is scoped to another target."""
    if not waiver.applies_to(target):
        return []
    return [f for f in findings if f.status in ("failed", "waived") and waiver.matches(f)]


def _name(error: Any) -> str:
    """The field a pydantic error is about (errors of the whole entry carry it in ctx)."""
    loc, ctx = error["loc"], error.get("ctx") or {}
    return str(loc[0]) if loc else str(ctx.get("field", ""))
