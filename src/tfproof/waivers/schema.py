"""The schema of one waiver (pydantic) and the control and check IDs a waiver may name.

A waiver is an accepted risk in the audit trail, so the file is validated, not
merely parsed: a wrong type used to crash the scan, an unknown key (`expiry:`)
was ignored, and a mistyped check ID only surfaced as an "unmatched" waiver,
which looks exactly like a stale one. Each rule here turns one of those into a
problem that names the field and says what to write instead. The IDs a waiver
may name are passed in (validation context `{"known": KnownIds}`): the engine
reads them from the catalog, custom policies and checkov map
(`tfproof.engine.catalog.known_ids`), so this package never imports the engine.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

FIELDS = ("control", "check", "resource", "target", "reason", "owner", "expires")
# What to write instead, per field (the end of every problem's paragraph).
HINTS = {
    "control": "Write `control: <ID>` with a control ID of policies/catalog.yaml, e.g. ENC-REST.",
    "check": "Write `check: <ID>` as the scan report's `check` column shows it: a tfproof "
             "policy ID (TFP_..., policies/checks/*.yaml) or a checkov ID of "
             "policies/checkov_map.yaml.",
    "resource": "Write `resource: <address or glob>`, e.g. module.rds.aws_db_instance.this "
                "or 'aws_s3_bucket.*' (quote a glob that starts with `*`).",
    "target": "Write `target: '<glob>'` on the scanned root module, e.g. '*envs/sandbox*', "
              "or leave `target:` out to waive in every target.",
    "reason": "Write `reason: <why the risk is accepted>` as text.",
    "owner": "Write `owner: <team or person accountable>`, e.g. platform-security.",
    "expires": "Write `expires: YYYY-MM-DD`, a real calendar date such as 2027-06-30.",
}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WORD = re.compile(r"[A-Za-z0-9_.<-]{1,40}")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


@dataclass(frozen=True)
class KnownIds:
    """The control IDs of the catalog and, for every check ID, the one control it maps to."""

    controls: frozenset[str]
    check_control: Mapping[str, str]


class BadTimestamp:
    """An unquoted YAML date that is not a calendar date (2027-02-30): kept for the schema.

    PyYAML's timestamp constructor raises ValueError on it; the loader stores this
    instead so the problem is reported like any other field problem, with its line.
    """

    def __init__(self, text: str) -> None:
        self.text = text


def kind(value: Any) -> str:
    """What a YAML value is, in the words of someone who wrote the file."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean (YAML reads yes/no, on/off, true/false as booleans: quote it)"
    if isinstance(value, int | float):
        return "a number (quote it if it is meant as text)"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bytes):
        return "binary data (a !!binary value)"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date | BadTimestamp):
        return "a date (quote it if it is meant as text)"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict | set):
        return "a mapping"
    return f"a {type(value).__name__}"


def label(name: str) -> str:
    """A key as `name`, or quoted like `show` when it is not a plain word (newlines, long)."""
    return f"`{name}`" if _WORD.fullmatch(name) else f"key {show(name)}"


def show(value: str, limit: int = 60) -> str:
    """A user's value quoted on one line (repr escapes newlines and invisible characters)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PydanticCustomError("tfproof_empty", "is empty")
    if not isinstance(value, str):
        raise PydanticCustomError("tfproof_type", "is {kind}, not text", {"kind": kind(value)})
    return value


def _one_line(value: Any) -> str:
    value = _text(value)
    if _CONTROL_CHARS.search(value):
        raise PydanticCustomError("tfproof_line", "{value} must be one line of plain text "
                                  "(it holds a newline or control character)",
                                  {"value": show(value)})
    if value != value.strip():
        raise PydanticCustomError("tfproof_space", "{value} starts or ends with a space, so it "
                                  "would never match", {"value": show(value)})
    return value


def _known(value: Any, info: ValidationInfo) -> str:
    value = _one_line(value)
    known = _ids(info)
    # the user's value goes last in each context: pydantic fills the template key by key,
    # so a value written as "{close}" must not be filled in again
    if info.field_name == "control" and value not in known.controls:
        raise PydanticCustomError(
            "tfproof_unknown", "{value} is not a control of policies/catalog.yaml{close}; the "
            "controls are {all}", {"all": ", ".join(sorted(known.controls)),
                                   "close": close(value, known.controls), "value": show(value)})
    if info.field_name == "check" and value not in known.check_control:
        raise PydanticCustomError(
            "tfproof_unknown", "{value} is neither a tfproof policy ID nor a checkov check of "
            "policies/checkov_map.yaml{close}", {"close": close(value, known.check_control),
                                                 "value": show(value)})
    return value


def _ids(info: ValidationInfo) -> KnownIds:
    """The IDs passed as validation context (load_waivers passes them)."""
    known = (info.context or {}).get("known")
    if not isinstance(known, KnownIds):
        raise TypeError("WaiverEntry is validated with context={'known': KnownIds}")
    return known


def close(value: str, choices: Any, quote: bool = False) -> str:
    """A "did you mean" for a near miss (long values are not compared: that is quadratic)."""
    match = difflib.get_close_matches(value, sorted(choices), n=1) if len(value) < 80 else []
    if not match:
        return ""
    return f" (did you mean `{match[0]}`?)" if quote else f" (did you mean {match[0]}?)"


def _date(value: Any) -> dt.date:
    if isinstance(value, BadTimestamp):
        raise PydanticCustomError("tfproof_date", "{value} is not a real calendar date",
                                  {"value": value.text})
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("tfproof_date", "{value} is a date and time; a waiver expires "
                                  "on a date, not a date and time", {"value": value.isoformat()})
    if isinstance(value, dt.date):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PydanticCustomError("tfproof_empty", "is empty")
    if not isinstance(value, str):
        raise PydanticCustomError("tfproof_type", "is {kind}, not a YYYY-MM-DD date",
                                  {"kind": kind(value)})
    if not _DATE.fullmatch(value):
        raise PydanticCustomError("tfproof_date", "{value} is not a YYYY-MM-DD date",
                                  {"value": show(value)})
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("tfproof_date", "{value} is not a real calendar date",
                                  {"value": show(value)}) from None


class WaiverEntry(BaseModel):
    """One entry of the waivers file, validated (construct with context={"known": KnownIds})."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    resource: Annotated[str, BeforeValidator(_one_line)]
    reason: Annotated[str, BeforeValidator(_text)]
    owner: Annotated[str, BeforeValidator(_one_line)]
    expires: Annotated[dt.date, BeforeValidator(_date)]
    # None only when the key is absent: a written `control:` with no value is refused.
    control: Annotated[str | None, BeforeValidator(_known)] = None
    check: Annotated[str | None, BeforeValidator(_known)] = None
    target: Annotated[str | None, BeforeValidator(_one_line)] = None

    @model_validator(mode="after")
    def _subject(self, info: ValidationInfo) -> WaiverEntry:
        """A waiver names what it waives; a check waived under another control would never match."""
        if not self.control and not self.check:
            raise PydanticCustomError(
                "tfproof_missing", "lacks `control` or `check` (a waiver says what it waives): "
                "write `control: <ID>` (a control of policies/catalog.yaml) and/or `check: <ID>` "
                "(one of its checks)", {"field": "control"})
        owner = _ids(info).check_control.get(self.check or "")
        if self.control and owner and owner != self.control:
            raise PydanticCustomError(
                "tfproof_mismatch", "check {check} belongs to control {owner}, not {control}, so "
                "the waiver would never match: write `control: {owner}` or leave `control:` out",
                {"field": "control", "owner": owner, "check": self.check,
                 "control": self.control})
        return self
