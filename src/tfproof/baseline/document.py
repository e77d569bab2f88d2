"""The baseline file: a small versioned JSON document, validated before anything trusts it.

A baseline decides which failures stop a pipeline, so reading it fails closed
like the plan and the waivers: a wrong version, a wrong type, an unknown member,
the same failure twice, text that is not JSON or not UTF-8/16/32, a folder or an
unreadable path is exit 2 with one paragraph, never a traceback and never a
baseline that silently holds less (or more) than it says.

The file holds only what identifies a failure, field by field (`key_fields`):
no message, no line, no time, so that it is stable across runs and a review of
its diff shows exactly which failures were accepted or paid off. Values are
scrubbed (a `for_each` key can be a secret) before they are written or compared.

    {
      "format": "tfproof-baseline",
      "version": 1,
      "failures": [
        {"check": "TFP_ENC_REST_S3", "control": "ENC-REST", "resource": "aws_s3_bucket.logs"}
      ]
    }
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfproof import userfiles
from tfproof.errors import InputError
from tfproof.findings import Finding
from tfproof.secrets.scrub import scrub

FORMAT = "tfproof-baseline"
VERSION = 1
MAX_BYTES = 64 * 2**20  # one short line per failure: a larger file is a wrong path
CORE = ("control", "check", "resource")  # always in the key, never empty
HINT = ("Write a baseline with `tfproof scan PATH --write-baseline FILE` (a JSON document "
        "that lists the accepted failures) and pass that file.")
_PROBE = "\x00tfproof-key:"

Key = tuple[Any, ...]


@functools.cache
def key_fields() -> tuple[str, ...]:
    """The names of the `Finding` fields that make up `Finding.key`, in its order.

    Found by asking `key` itself (a finding whose text fields each hold their own
    name), so the file follows whatever identifies a finding without a second list to
    keep in step. A field that joins the key only when set (the root module of a scan
    of many roots) comes after the ones always there; a failure's entry names only the
    fields its key holds.
    """
    values: dict[str, Any] = {"status": "failed"}
    for item in dataclasses.fields(Finding):
        if item.init and str(item.type).replace(" ", "") in ("str", "str|None", "None|str"):
            values[item.name] = _PROBE + item.name
    names = []
    for part in Finding(**values).key:
        if not (isinstance(part, str) and part.startswith(_PROBE)):
            raise RuntimeError(f"Finding.key holds {part!r}, not a text field of the finding: "
                               "tfproof.baseline cannot name it in the baseline file")
        names.append(part[len(_PROBE):])
    return tuple(names)


def finding_key(finding: Finding) -> Key:
    """A finding's key as a baseline holds it: each text value scrubbed of known secrets."""
    return tuple(scrub(v) if isinstance(v, str) else v for v in finding.key)


@dataclass(frozen=True)
class Baseline:
    """The accepted failures, by key (in `key_fields()` order), and where they came from."""

    against: str  # for reports: the file, or the git ref and its commit
    keys: frozenset[Key]


def from_findings(findings: Iterable[Finding], against: str) -> Baseline:
    """The baseline of a scan: its unwaived failures (advisories never fail the gate, and a
    waived finding is governed by its waiver's expiry, which a baseline must not outlive)."""
    return Baseline(against, frozenset(finding_key(f) for f in findings if f.status == "failed"))


def row(key: Key) -> dict[str, Any]:
    """A key as the file writes it: each value under its field's name."""
    return dict(zip(key_fields(), key, strict=False))


def render(findings: Iterable[Finding]) -> str:
    """The baseline file of a scan's failures: sorted, one failure a line, no duplicates."""
    order = [*CORE, *(n for n in key_fields() if n not in CORE)]
    rows = sorted((row(key) for key in from_findings(findings, "").keys),
                  key=lambda entry: [str(entry.get(n) or "") for n in order])
    lines = [json.dumps(row, sort_keys=True) for row in rows]
    body = ",\n".join(f"    {line}" for line in lines)
    failures = f"[\n{body}\n  ]" if lines else "[]"
    return (f'{{\n  "format": "{FORMAT}",\n  "version": {VERSION},\n'
            f'  "failures": {failures}\n}}\n')


@functools.cache
def schema() -> dict[str, Any]:
    """JSON Schema of the document for the current key fields."""
    entry = {name: {"type": "string", "minLength": 1} for name in key_fields()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["format", "version", "failures"],
        "additionalProperties": False,
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "failures": {"type": "array", "items": {
                "type": "object", "required": list(CORE),
                "additionalProperties": False, "properties": entry,
            }},
        },
    }


def read(path: Path) -> Baseline:
    """Read and validate a baseline file; any problem is an InputError (exit 2)."""
    path = Path(path)
    data = userfiles.read_regular(path, "baseline file", MAX_BYTES, HINT)
    name = f"The baseline file {path}"
    doc = _parse(userfiles.decode_text(data, name, HINT), name)
    return Baseline(str(path), _validate(doc, name))


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for member, value in pairs:
        if member in seen:
            raise ValueError(f"the member {member[:60]!r} appears twice in one object")
        seen[member] = value
    return seen


def _no_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON value")


def _parse(text: str, name: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_members)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}, column "
                         f"{exc.colno}). {HINT}") from exc
    except ValueError as exc:
        raise InputError(f"{name} is not a usable baseline: {exc}. {HINT}") from exc
    except RecursionError as exc:
        raise InputError(f"{name} nests JSON deeper than a baseline does. {HINT}") from exc


def _validate(doc: Any, name: str) -> frozenset[Key]:
    """The document's keys, or InputError naming the first problem."""
    if not isinstance(doc, dict):
        raise InputError(f"{name} holds {_kind(doc)}, not a baseline object. {HINT}")
    if "format" not in doc and ("findings" in doc or "runs" in doc):
        what = "a tfproof scan report (--format json)" if "findings" in doc else "a SARIF log"
        raise InputError(f"{name} is {what}, not a baseline. {HINT}")
    version = doc.get("version")
    if doc.get("format") == FORMAT and version != VERSION:
        newer = isinstance(version, int) and not isinstance(version, bool) and version > VERSION
        why = ("written by a newer tfproof: upgrade tfproof, or write the baseline again with "
               "this one" if newer else "not a version this tfproof reads: write it again "
               "with `tfproof scan PATH --write-baseline FILE`")
        raise InputError(f"{name} is a baseline of version {_show(version)}, which is {why} "
                         f"(this tfproof reads version {VERSION}).")
    import jsonschema
    from jsonschema.exceptions import best_match

    error = best_match(jsonschema.Draft202012Validator(schema()).iter_errors(doc))
    if error is not None:
        raise InputError(f"{name} is not a usable baseline: {_explain(error)}. {HINT}")
    names = key_fields()
    seen: dict[Key, int] = {}
    for number, entry in enumerate(doc["failures"]):
        key = tuple(entry[n] for n in names if n in entry)
        if key in seen:
            raise InputError(
                f"{name} lists the same failure twice (failures[{seen[key]}] and "
                f"failures[{number}]: {_show(entry)}); a baseline lists each accepted failure "
                "once. Remove one of them, or write the file again with --write-baseline."
            )
        seen[key] = number
    return frozenset(seen)


def _explain(error: Any) -> str:
    """One jsonschema error in the words of someone who wrote the file."""
    where = _where(error.absolute_path)
    if error.validator == "required":
        missing = [n for n in error.validator_value if n not in error.instance]
        what = f"lacks {', '.join(missing)}"
        if list(error.absolute_path)[:1] == ["failures"]:
            what += f" (each failure is identified by {', '.join(CORE)})"
        return f"{where} {what}"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(error.schema.get("properties", {}))
        return f"{where} has {', '.join(_show(e) for e in extra)}, which a baseline does not " \
               f"hold (its members are {allowed})"
    if error.validator == "type":
        types = error.validator_value
        wanted = " or ".join(_A.get(t, t) for t in ([types] if isinstance(types, str) else types))
        return f"{where} is {_kind(error.instance)}, not {wanted}"
    if error.validator == "minLength":
        return f"{where} is empty"
    if error.validator == "const":
        return f"{where} is {_show(error.instance)}, not {_show(error.validator_value)}"
    return f"{where}: {error.message[:200]}"


def _where(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


_A = {"string": "a string", "array": "an array", "object": "an object", "null": "null"}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def _show(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."
