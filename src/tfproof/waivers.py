"""Waivers: an accepted risk, with an owner, a reason and an expiry, applied to failures.

A waiver turns matching failures into status "waived" (never passed), so the
risk stays visible. An expired waiver stops waiving and is reported, and so is
a waiver that matches nothing (stale waivers hide the next real failure).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tfproof.errors import InputError
from tfproof.findings import Finding


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

    def matches(self, finding: Finding) -> bool:
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


def load_waivers(path: Path) -> list[Waiver]:
    """Parse and validate a waivers file (exit 2 on anything malformed)."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise InputError(f"Cannot read the waivers file {path}: {exc.strerror}.") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"The waivers file {path} is not valid YAML: {exc}") from exc
    entries = (data or {}).get("waivers", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"The waivers file {path} must hold a `waivers:` list.")
    out = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InputError(f"Waiver #{number} in {path} is not a mapping.")
        missing = [k for k in ("resource", "reason", "owner", "expires") if not entry.get(k)]
        if not entry.get("control") and not entry.get("check"):
            missing.append("control or check")
        if missing:
            raise InputError(f"Waiver #{number} in {path} lacks {', '.join(missing)}.")
        expires = entry["expires"]
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError as exc:
                raise InputError(
                    f"Waiver #{number} in {path}: expires {expires!r} is not a YYYY-MM-DD date."
                ) from exc
        if not isinstance(expires, dt.date):
            raise InputError(f"Waiver #{number} in {path}: expires must be a YYYY-MM-DD date.")
        out.append(Waiver(
            resource=str(entry["resource"]), reason=str(entry["reason"]),
            owner=str(entry["owner"]), expires=expires,
            control=entry.get("control"), check=entry.get("check"), target=entry.get("target"),
        ))
    return out


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver], today: dt.date | None = None,
    target: str | None = None,
) -> list[dict[str, Any]]:
    """Waive matching failures in place; return the problems (expired, unmatched waivers).

    Waivers scoped to another target (`target:` glob) are left out entirely.
    """
    today = today or dt.date.today()
    waivers = [w for w in waivers
               if not w.target or (target and fnmatch.fnmatchcase(str(target), w.target))]
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
