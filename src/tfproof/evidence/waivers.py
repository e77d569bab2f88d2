"""The waiver table of the bundle: every waiver with its owner, expiry, and what it waived.

An auditor's first question about a passing control with exceptions is "who
accepted this risk, until when, and is it still valid". The policy engine
applies waivers while scanning (a waived finding carries its waiver); this
module lists every waiver of the file (read and matched by the one matcher,
`tfproof.waivers.matcher`, so both agree on what is valid and what a waiver
matches) with its status: active, expired (it no longer waives; what it matched
fails again), or unused (it matches nothing), and the findings it matched in
this run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tfproof.engine.catalog import known_ids
from tfproof.evidence.model import EnvScan
from tfproof.waivers.matcher import load_waivers, matched_failures


def waiver_table(path: Path | None, scans: list[EnvScan], today: dt.date) -> list[dict[str, Any]]:
    """Every waiver of the file, with status and the findings it matched (by env).

    A path that is not a readable, valid waivers file is an InputError (exit 2)
    from `load_waivers`, never an empty table: no waivers and a broken waivers
    file must not look the same to an auditor.
    """
    if path is None:
        return []
    out = []
    for waiver in load_waivers(Path(path), known_ids()):
        matched = [
            f"{scan.env}|{finding.check}|{finding.resource}"
            for scan in scans
            for finding in matched_failures(waiver, scan.target, scan.report.findings)
        ]
        if waiver.expired(today):
            status = "expired"
        elif not matched:
            status = "unused"
        else:
            status = "active"
        entry = {k: v for k, v in waiver.describe().items() if v is not None}
        entry.update({"status": status, "matched": len(matched), "findings": matched[:200]})
        out.append(entry)
    return out
