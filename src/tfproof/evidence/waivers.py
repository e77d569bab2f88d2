"""The waiver table of the bundle: every waiver with its owner, expiry, and what it waived.

An auditor's first question about a passing control with exceptions is "who
accepted this risk, until when, and is it still valid". The policy engine
applies waivers while scanning (a waived finding carries its waiver); this
module lists every waiver of the file with its status (active, expired, or
unused: matching nothing) and how many findings it waived in this run.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from pathlib import Path
from typing import Any

import yaml

from tfproof.errors import InputError
from tfproof.evidence.model import EnvScan

_FIELDS = ("control", "check", "resource", "reason", "owner", "expires")


def _entries(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"Cannot read the waivers file {path}: {exc}") from exc
    if data is None:
        return []
    items = data.get("waivers", []) if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(
            f"The waivers file {path} is not a list of waivers (control or check, resource, "
            "reason, owner, expires)."
        )
    return items


def _expires(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _matches(waiver: dict[str, Any], finding_waiver: dict[str, Any], check: str,
             control: str, resource: str) -> bool:
    if finding_waiver:
        same = all(
            str(finding_waiver.get(k, "")) == str(waiver.get(k, ""))
            for k in ("control", "check", "resource")
            if k in finding_waiver or k in waiver
        )
        if same:
            return True
    subject_ok = (waiver.get("check") and waiver.get("check") == check) or (
        waiver.get("control") and waiver.get("control") == control
    )
    return bool(subject_ok) and fnmatch.fnmatchcase(resource, str(waiver.get("resource", "*")))


def waiver_table(path: Path | None, scans: list[EnvScan], today: dt.date) -> list[dict[str, Any]]:
    """Every waiver of the file, with status and the ids of the findings it waived."""
    if path is None or not path.is_file():
        return []
    out = []
    for raw in _entries(path):
        waiver = {k: raw.get(k) for k in _FIELDS if raw.get(k) is not None}
        if "expires" in waiver:
            waiver["expires"] = str(waiver["expires"])
        matched = []
        for scan in scans:
            for finding in scan.report.findings:
                if finding.status != "waived":
                    continue
                if _matches(raw, finding.waiver or {}, finding.check, finding.control,
                            finding.resource):
                    matched.append(f"{scan.env}|{finding.check}|{finding.resource}")
        expiry = _expires(raw.get("expires"))
        if expiry is not None and expiry < today:
            status = "expired"
        elif not matched:
            status = "unused"
        else:
            status = "active"
        waiver.update({"status": status, "matched": len(matched), "waived": matched[:200]})
        out.append(waiver)
    return out
