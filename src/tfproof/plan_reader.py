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

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from tfproof import userfiles
from tfproof.errors import InputError

MAX_PLAN_BYTES = 4 * 1024**3
_HOW = "Give the output of `terraform show -json PLANFILE` (a JSON plan document)."


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular plan file (see `tfproof.userfiles`)."""
    return userfiles.read_regular(path, "plan file", MAX_PLAN_BYTES, _HOW)


def decode(data: bytes, name: str) -> str:
    """Text of a plan file; Terraform's binary plan is named as such."""
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{name} is Terraform's binary plan file (a zip archive), not its JSON form: run "
            f"`terraform show -json {name} > plan.json` and scan plan.json."
        )
    return userfiles.decode_text(data, name, _HOW)


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
