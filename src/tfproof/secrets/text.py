"""Masking of one value: credential-named keys, name/value pairs, JSON strings, shell-style text.

A plan carries secrets in places the provider schema does not mark sensitive:
a Lambda's `environment.variables` map, an ECS `container_definitions` JSON
string with `{"name": "DB_PASSWORD", "value": "..."}` pairs, an instance's
`user_data` script with `export DB_PASSWORD=...` (sometimes base64-encoded).
`mask_value` finds them by name, replaces each value with the marker, and
returns the clear texts it replaced so that the caller can hand them to the
process-wide scrubber. It is pure (no registration here) so that a policy can
compute the redacted form of a constant without side effects, and idempotent
(a value that already holds the marker is left as it is).

Non-secret content is kept byte for byte when nothing in it is masked, so other
policies still read the same JSON and the same scripts.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

REDACTED = "**REDACTED**"

_SECRET_KEY = re.compile(
    r"(^|_)(password|passwd|secret|secret_string|secret_binary|token|auth_token|"
    r"access_key|secret_key|private_key|master_password|api_key|credentials?)$",
    re.IGNORECASE,
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NAME_KEYS = ("name", "Name")
_VALUE_KEYS = ("value", "Value")
# keys whose string is a script even on one line (cloud-init, shell)
_SCRIPT_KEYS = frozenset({"user_data", "user_data_base64"})
_JSON_START = re.compile(r"\s*[{\[]")  # what `parse_json_text` can parse starts so
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_MIN_BASE64 = 16
_ASSIGNMENT = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)?(?:(?:export|readonly|local|declare|set)[ \t]+)?(?:\$env:)?)"
    r"(?P<q>[\"']?)(?P<name>[A-Za-z_][\w.-]*)(?P=q)"
    r"(?P<sep>[ \t]*[=:][ \t]*)"
    r"(?P<rest>[^\n]*)$",
    re.MULTILINE,
)
_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SINGLE_QUOTED = re.compile(r"'([^']*)'")
_SHELL_WORD = re.compile(r"[^\s;&|]+")
_YAML_COMMENT = re.compile(r"[ \t]+#.*$")
# a value that names where the secret comes from instead of holding it: `$VAR`, `$(cmd)`,
# `{{ template }}`, YAML block scalars whose content is on the next lines
_NOT_LITERAL = ("$", "{{", "%{")
_BLOCK_SCALARS = frozenset({"|", ">", "|-", ">-", "|+", ">+"})


# Both are asked for every key of every value of a plan, and a plan repeats a few hundred
# attribute names many thousand times: the answers are cached (bounded: map keys are data).
@lru_cache(maxsize=8192)
def is_secret_name(name: str) -> bool:
    """True for attribute or variable names that conventionally hold credentials."""
    return bool(_SECRET_KEY.search(name))


@lru_cache(maxsize=8192)
def is_secret_key(name: str) -> bool:
    """`is_secret_name` for keys written by people in maps, JSON and scripts.

    `dbPassword`, `db-password` and `spring.datasource.password` name a credential
    as much as `db_password` does; Terraform attribute names never need this.
    """
    return is_secret_name(_CAMEL.sub("_", name).replace("-", "_").replace(".", "_"))


def mask_value(value: Any, key: str = "", sensitive: Any = False) -> tuple[Any, list[str]]:
    """`value` with every credential in it masked, and the clear texts that were replaced.

    `key` is the attribute or map key that holds `value` (a string under a
    credential name is masked whole; `user_data` is read as a script).
    `sensitive` is Terraform's parallel `*_sensitive` structure for `value`: a
    leaf it marks true is masked whole, whatever its name, in the same walk.
    """
    found: list[str] = []
    return _mask(value, key, found, sensitive), found


def _literal(value: str) -> bool:
    return bool(value) and value != REDACTED


def _pair_name(item: dict[str, Any], sensitive: dict[str, Any]) -> str | None:
    """The credential name of a `{"name": "DB_PASSWORD", "value": ...}` pair, if it is one
    (a name the schema marks sensitive is masked, so it names nothing)."""
    for key in _NAME_KEYS:
        name = item.get(key)
        if isinstance(name, str) and sensitive.get(key) is not True and is_secret_key(name):
            return name
    return None


def _mask(value: Any, key: str, found: list[str], sensitive: Any = False) -> Any:
    if sensitive is True:
        if isinstance(value, str):
            found.append(value)
        return REDACTED if value is not None else None
    if isinstance(value, str):
        if key and is_secret_key(key):
            if _literal(value):
                found.append(value)
                return REDACTED
            return value
        return mask_text(value, key, found)
    if isinstance(value, dict):
        marks = sensitive if isinstance(sensitive, dict) else {}
        secret_pair = _pair_name(value, marks) is not None
        out = {}
        for name, item in value.items():
            mark = marks.get(name, False)
            if secret_pair and mark is not True and name in _VALUE_KEYS and isinstance(item, str):
                if _literal(item):
                    found.append(item)
                    item = REDACTED
                out[name] = item
            else:
                out[name] = _mask(item, str(name), found, mark)
        return out
    if isinstance(value, list):
        marks = sensitive if isinstance(sensitive, list) else []
        return [_mask(item, key, found, marks[number] if number < len(marks) else False)
                for number, item in enumerate(value)]
    return value


def parse_json_text(text: str) -> Any | None:
    """The object or array a string holds as JSON, or None when it is not JSON."""
    if not _JSON_START.match(text):  # most strings: no copy, no parse
        return None
    try:
        parsed = json.loads(text.strip())
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict | list) else None


def dump_json_text(value: Any) -> str:
    """Compact, key-sorted JSON (what Terraform's jsonencode writes), so output is stable."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def mask_text(text: str, key: str, found: list[str]) -> str:
    """A string with the credentials it carries masked: JSON, base64 scripts, assignments."""
    parsed = parse_json_text(text)
    if parsed is not None:
        hits: list[str] = []
        masked = _mask(parsed, "", hits)
        if not hits:
            return text
        found.extend(hits)
        return dump_json_text(masked)
    decoded = _base64_text(text)
    if decoded is not None:
        hits = []
        mask_text(decoded, key, hits)
        if not hits:
            return text
        # the encoded whole is replaced: re-encoding a masked script would invite a decode
        found.extend(hits)
        found.append(text)
        return REDACTED
    if "\n" in text or key in _SCRIPT_KEYS:
        return mask_assignments(text, found)
    return text


def _base64_text(text: str) -> str | None:
    """The UTF-8 text a base64 string encodes, or None (not base64, binary, gzip)."""
    if len(text) < _MIN_BASE64 or len(text) % 4 or not _BASE64.fullmatch(text):
        return None
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not all(c.isprintable() or c in "\t\r\n" for c in decoded):
        return None
    return decoded


def _value_span(rest: str, yaml: bool) -> tuple[int, int]:
    """Where the assigned value sits in the text after `NAME=` (quotes excluded)."""
    if rest.startswith('"'):
        quoted = _DOUBLE_QUOTED.match(rest)
        return quoted.span(1) if quoted else (1, len(rest))
    if rest.startswith("'"):
        quoted = _SINGLE_QUOTED.match(rest)
        return quoted.span(1) if quoted else (1, len(rest))
    if yaml:  # `password: two words  # comment`: the value runs to the comment
        return 0, len(_YAML_COMMENT.sub("", rest).rstrip())
    word = _SHELL_WORD.match(rest)  # `export PASSWORD=abc; run`: the shell word
    return word.span() if word else (0, 0)


def mask_assignments(text: str, found: list[str]) -> str:
    """`NAME=value`, `export NAME="value"`, `NAME: value` lines with a credential name masked."""

    def replace(match: re.Match[str]) -> str:
        if not is_secret_key(match["name"]):
            return match[0]
        rest = match["rest"]
        start, end = _value_span(rest, "=" not in match["sep"])
        value = rest[start:end]
        if not _literal(value) or value.startswith(_NOT_LITERAL) or value in _BLOCK_SCALARS:
            return match[0]
        found.append(value)
        head = match[0][: match.start("rest") - match.start()]
        return head + rest[:start] + REDACTED + rest[end:]

    return _ASSIGNMENT.sub(replace, text)


def marker_paths(value: Any, path: str = "") -> Iterator[str]:
    """Where the marker sits in a redacted value: `variables.DB_PASSWORD`, `[0].environment.X`.

    A masked name/value pair is named by its name rather than by its list index,
    which is what a reader looks for; a JSON string is followed into.
    """
    if isinstance(value, str):
        parsed = parse_json_text(value)
        if parsed is not None:
            yield from marker_paths(parsed, path)
        elif REDACTED in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from marker_paths(item, _join(path, str(key)))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            here = f"{path}[{number}]"
            name = _pair_name(item, {}) if isinstance(item, dict) else None
            if name is None:
                yield from marker_paths(item, here)
                continue
            for key, field in item.items():
                if key in _VALUE_KEYS and field == REDACTED:
                    yield _join(path, name)
                else:
                    yield from marker_paths(field, _join(here, str(key)))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
