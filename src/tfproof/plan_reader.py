"""Read a plan JSON document and validate it before anything judges it.

A gate that passes what it could not read is the worst failure this product can
have, so a document is refused (exit 2, naming the first wrong field) unless it
is a usable `terraform show -json PLANFILE` document:

- bytes: UTF-8 with or without a BOM, or UTF-16/UTF-32 with a BOM (PowerShell's
  `>` writes UTF-16 LE); Terraform's binary plan (a zip), other binary data and
  undecodable text are refused with what to run instead;
- files: only a regular file is opened (a named pipe would block forever, a
  device never ends); a directory, a socket, a dangling symlink are refused;
- shape: the JSON Schema in `data/plan.schema.json` (the members tfproof and
  checkov read, with their types), checked with `jsonschema`; a *state* document
  (`terraform show -json` without a plan file) is told apart from a plan;
- Terraform's own verdict: a plan marked `"errored": true` (Terraform stopped
  partway) or `"complete": false` (a targeted or deferred plan: part of the
  configuration was not planned) is refused. `"applyable": false` alone is a
  plan with no changes, which is valid.
"""

from __future__ import annotations

import codecs
import functools
import json
import os
import stat
from importlib import resources
from pathlib import Path
from typing import Any

from tfproof.errors import InputError

MAX_PLAN_BYTES = 4 * 1024**3
_HOW = "Give the output of `terraform show -json PLANFILE` (a JSON plan document)."
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(path: Path, what: str = "plan file") -> bytes:
    """The bytes of a regular file; anything else is refused before it is opened."""
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        dangling = os.path.islink(path)
        raise InputError(
            f"The {what} {path} does not exist"
            + (" (it is a symlink to a missing file)" if dangling else "")
            + f". {_HOW}"
        ) from exc
    except OSError as exc:
        raise InputError(f"Cannot read the {what} {path}: {exc.strerror}. {_HOW}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"The {what} {path} is {_kind(info.st_mode)}, not a file: tfproof reads only regular "
            f"files (a pipe or device could block or never end). {_HOW}"
        )
    if info.st_size > MAX_PLAN_BYTES:
        raise InputError(f"The {what} {path} is larger than 4 GiB; that is not a plan JSON.")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise InputError(f"Cannot read the {what} {path}: {exc.strerror}. {_HOW}") from exc


def decode(data: bytes, name: str) -> str:
    """Text of a plan file: UTF-8 (BOM optional) or UTF-16/32 with a BOM."""
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{name} is Terraform's binary plan file (a zip archive), not its JSON form: run "
            f"`terraform show -json {name} > plan.json` and scan plan.json."
        )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name} starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} (byte {exc.start + len(bom)}). {_HOW}"
                ) from exc
    if b"\x00" in data[:4096]:
        raise InputError(
            f"{name} holds binary data (NUL bytes), not JSON text; if it is UTF-16 without a "
            f"byte-order mark, re-save it as UTF-8. {_HOW}"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text (invalid byte at offset {exc.start}); Terraform writes "
            f"UTF-8, re-save the file as UTF-8. {_HOW}"
        ) from exc


def _no_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON value")


def parse(text: str, name: str) -> Any:
    """JSON text to Python; refusals name the line (no NaN/Infinity, bounded nesting)."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}): "
            f"{_HOW[5:].rstrip('.')}, not the binary plan or a truncated file."
        ) from exc
    except ValueError as exc:
        raise InputError(f"{name} is not valid JSON: {exc}. {_HOW}") from exc
    except RecursionError as exc:
        raise InputError(f"{name} nests JSON deeper than any Terraform plan does. {_HOW}") from exc


@functools.cache
def _validator() -> Any:
    # fastjsonschema compiles the schema to Python: 0.2 s on a 20,000-resource plan where
    # jsonschema's interpreter takes 3.3 s (as long as parsing the JSON itself)
    import fastjsonschema

    schema = json.loads(
        resources.files("tfproof").joinpath("data/plan.schema.json").read_text(encoding="utf-8")
    )
    return fastjsonschema.compile(schema)


def _where(path: Any) -> str:
    out = ""
    for part in path:
        index = isinstance(part, int) or str(part).isdigit()
        out += f"[{part}]" if index else (f".{part}" if out else str(part))
    return out or "the top level"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def validate(doc: Any, name: str) -> None:
    """Refuse anything that is not a usable plan document (see the module docstring)."""
    if not isinstance(doc, dict):
        raise InputError(f"{name} is {_json_type(doc)}, not a Terraform plan object. {_HOW}")
    if "planned_values" not in doc and "values" in doc:
        raise InputError(
            f"{name} is a Terraform *state* document (`terraform show -json` without a plan "
            "file): it says what exists, not what a change would do. Run `terraform plan "
            "-out=tfplan` and `terraform show -json tfplan`, and scan that."
        )
    if "format_version" not in doc:
        raise InputError(
            f"{name} is not a Terraform plan JSON document (no format_version). {_HOW}"
        )
    if doc.get("errored") is True:
        raise InputError(
            f"{name} is a plan Terraform marked as errored: planning stopped partway, so "
            "part of the configuration was never planned. Fix the errors `terraform plan` "
            "printed and scan the new plan."
        )
    if doc.get("complete") is False:
        raise InputError(
            f"{name} is an incomplete plan (`complete: false`: planned with -target or with "
            "deferred changes), so part of the configuration was not planned. Plan the whole "
            "root module and scan that plan."
        )
    import fastjsonschema

    try:
        _validator()(doc)
    except fastjsonschema.JsonSchemaValueException as exc:
        path = [p for p in (exc.path or [])[1:]]
        raise InputError(
            f"{name} is not a usable Terraform plan: at {_where(path)}, {_explain(exc)}. {_HOW}"
        ) from exc


def _explain(error: Any) -> str:
    if error.rule == "required":
        missing = [k for k in error.rule_definition if k not in (error.value or {})]
        return f"{', '.join(missing) or 'a required member'} is missing"
    if error.rule == "type":
        wanted = error.rule_definition
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return f"expected {wanted}, found {_json_type(error.value)}"
    shown = json.dumps(error.value)[:80] if error.value is not None else "null"
    return f"{shown} is not allowed ({error.message.split(' must ', 1)[-1][:160]})"


def load(path: Path | str) -> dict[str, Any]:
    """Read, decode, parse and validate a plan JSON file."""
    path = Path(path)
    doc = parse(decode(read_bytes(path), str(path)), str(path))
    validate(doc, str(path))
    return doc


def managed_count(doc: dict[str, Any]) -> int:
    """Managed resource instances in planned_values (0 means nothing will be judged)."""

    def walk(module: dict[str, Any]) -> int:
        count = sum(1 for r in module.get("resources", []) if r.get("mode") == "managed")
        return count + sum(walk(c) for c in module.get("child_modules", []))

    return walk(doc.get("planned_values", {}).get("root_module", {}))
