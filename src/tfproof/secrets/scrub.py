"""One scrubber for every message that leaves tfproof: stderr, logs, reports, bundles.

Plans are redacted before anything keeps them (`tfproof.secrets.redact`), but text
reaches the user from many other places: Terraform's diagnostics, checkov
messages, test failure messages, live check details. So the run remembers the
secret values it knows (the generated or user-supplied `TF_VAR_*` secrets,
`--var` values of sensitive or secret-named variables, AWS credentials, literal
passwords written in the HCL or a var-file, every value the redactor replaced),
and every writer passes its text through `scrub()`. The bundle writer also greps
every file for each secret in all the encodings a writer could have used (raw,
JSON-escaped, HTML/XML-escaped) before the manifest is sealed; a hit aborts the
run (exit 2) and the bundle is deleted rather than kept with a secret in it.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tfproof import userfiles
from tfproof.secrets.declared import variables as declared_variables
from tfproof.secrets.generated import SECRET_VARIABLES, secret_file
from tfproof.secrets.text import REDACTED, is_secret_name

MIN_SECRET_LENGTH = 4
_CREDENTIAL_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
_ATTR_LITERAL = re.compile(r'^\s*"?([A-Za-z_][\w-]*)"?\s*[=:]\s*"((?:[^"\\$]|\\.)*)"', re.MULTILINE)
# what Terraform reads as configuration and var-files in a root module's folder
_MODULE_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


def _variants(secret: str) -> set[str]:
    """Every spelling of `secret` that a JSON, HTML, XML or CSV writer could produce."""
    out = {secret, json.dumps(secret)[1:-1], html.escape(secret), html.escape(secret, quote=False)}
    out.add(secret.replace('"', '""'))
    return {v for v in out if v}


def literal_secrets(text: str) -> list[str]:
    """Literal credential values in HCL or tfvars text (`password = "..."`, sensitive defaults)."""
    found = [
        value
        for name, value in _ATTR_LITERAL.findall(text)
        if is_secret_name(name) and value and value != REDACTED
    ]
    found += _json_secrets(text)  # a .tf.json or .tfvars.json, minified or not
    for name, sensitive, defaults in declared_variables(text):
        if sensitive or is_secret_name(name):
            found.extend(defaults)
    return found


def _json_secrets(text: str) -> list[str]:
    """String values under secret-named keys anywhere in a JSON document ([] for other text):
    the line reader above sees only the first key of a line, and a minified file is one."""
    if not text.lstrip().startswith(("{", "[")):
        return []
    try:
        document = json.loads(text)
    except ValueError:
        return []
    found: list[str] = []
    todo: list[Any] = [document]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and value and value != REDACTED and is_secret_name(key):
                    found.append(value)
                else:
                    todo.append(value)
        elif isinstance(node, list):
            todo.extend(node)
    return found


def secret_names(variables: Iterable[str], sensitive_names: Iterable[str] = ()) -> set[str]:
    """Which variable names are secrets: declared sensitive (`sensitive_names`), named like
    a secret, or one of the envs' generated secrets."""
    sensitive = set(sensitive_names) | set(SECRET_VARIABLES)
    return {name for name in variables if name in sensitive or is_secret_name(name)}


def run_secrets(
    variables: dict[str, str] | None = None,
    config_files: Iterable[Path] = (),
    sensitive_names: Iterable[str] = (),
) -> list[str]:
    """The secret values this run knows about, from every source tfproof can see."""
    values: list[str] = []
    declared = set(sensitive_names)  # read twice below: an iterator would be spent
    given = variables or {}
    values += [str(given[name]) for name in secret_names(given, declared)]
    from_env = {key[len("TF_VAR_"):]: value for key, value in os.environ.items()
                if key.startswith("TF_VAR_")}
    values += [from_env[name] for name in secret_names(from_env, declared)]
    values += [os.environ[key] for key in _CREDENTIAL_ENV if key in os.environ]
    for name in SECRET_VARIABLES:
        stored = secret_file(name)
        if stored.is_file():
            values.append(stored.read_text().strip())
    for text in _texts(config_files):
        values.extend(literal_secrets(text))
    return values


def _texts(paths: Iterable[Path]) -> Iterator[str]:
    """The text of each configuration file (bytes that are not UTF-8 replaced, unreadable
    files skipped: a secret search must not stop the run)."""
    for path in paths:
        try:
            yield Path(path).read_text(errors="replace")
        except OSError:
            continue


class SecretGuard:
    """Scrubs known secret values from text and finds any that slipped through."""

    def __init__(self, secrets: Iterable[str]) -> None:
        unique = {s for s in secrets if s and s != REDACTED}
        self.too_short = sorted(s for s in unique if len(s) < MIN_SECRET_LENGTH)
        self._secrets = sorted((s for s in unique if len(s) >= MIN_SECRET_LENGTH), key=len)
        self._needles: list[tuple[int, str]] = []
        for number, secret in enumerate(self._secrets, start=1):
            for variant in _variants(secret):
                self._needles.append((number, variant))
        self._needles.sort(key=lambda item: -len(item[1]))

    def __len__(self) -> int:
        return len(self._secrets)

    def scrub(self, text: str) -> str:
        """`text` with every known secret (in any encoding) replaced by the redaction marker."""
        for _number, needle in self._needles:
            if needle in text:
                text = text.replace(needle, REDACTED)
        return text

    def scrub_obj(self, value: Any) -> Any:
        """A JSON-like structure with every string scrubbed (keys included)."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {self.scrub(str(k)): self.scrub_obj(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub_obj(v) for v in value]
        return value

    def leaks(self, directory: Path) -> list[str]:
        """Files under `directory` that contain a known secret, as `path (secret #n)`."""
        hits = []
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            data = path.read_bytes()
            numbers = sorted({n for n, needle in self._needles if needle.encode() in data})
            if numbers:
                label = ", ".join(f"#{n}" for n in numbers)
                hits.append(f"{path.relative_to(directory)} (secret {label})")
        return hits


# --- the process-wide scrubber: every message that leaves tfproof goes through `scrub()` ---

_REMEMBERED: set[str] = set()
_GUARD: SecretGuard | None = None


def remember(*values: object) -> None:
    """Add secret values this run knows (sensitive inputs, redacted literals) to the scrubber."""
    global _GUARD
    added = False
    for value in values:
        if isinstance(value, str) and value and value != REDACTED and value not in _REMEMBERED:
            _REMEMBERED.add(value)
            added = True
    if added:
        _GUARD = None


def remember_inputs(
    variables: Mapping[str, object] | None = None,
    config_files: Iterable[Path] = (),
    sensitive_names: Iterable[str] = (),
) -> None:
    """Remember every secret the run's inputs carry (see `run_secrets`)."""
    remember(*run_secrets(
        {k: str(v) for k, v in (variables or {}).items()}, config_files, sensitive_names
    ))


def module_files(root: Path, var_files: Iterable[Path] = ()) -> list[Path]:
    """A root module's own .tf/.tfvars files (and their .json forms) and the var-files: where
    literal secrets are written.

    Only regular files are listed (a pipe named main.tf must never be opened here).
    """
    out: list[Path] = []
    if Path(root).is_dir():
        with contextlib.suppress(OSError):
            out = sorted(p for p in Path(root).iterdir()
                         if p.name.endswith(_MODULE_SUFFIXES) and userfiles.problem(p) is None)
    return out + [Path(p) for p in var_files if userfiles.problem(Path(p)) is None]


def remember_module_inputs(
    root: Path, variables: Mapping[str, object] | None = None, var_files: Iterable[Path] = ()
) -> set[str]:
    """Remember the secrets a run on one root module carries, before anything can print:
    values of its sensitive or secret-named variables and the literals in its files. Which
    of `variables` are secrets is returned (the sandbox keeps those off its record)."""
    files = module_files(root, var_files)
    sensitive = sensitive_variable_names(files)
    remember_inputs(variables, files, sensitive)
    return secret_names(variables or {}, sensitive)


def secret_variable_names(root: Path, variables: Mapping[str, object]) -> set[str]:
    """Which of `variables` are secrets for a run on `root` (`secret_names`)."""
    return secret_names(variables, sensitive_variable_names(module_files(root)))


def sensitive_variable_names(files: Iterable[Path]) -> set[str]:
    """Names of `variable` blocks declared sensitive in HCL or `.tf.json` files."""
    names: set[str] = set()
    for text in _texts(files):
        names.update(name for name, sensitive, _ in declared_variables(text) if sensitive)
    return names


def guard() -> SecretGuard:
    """The scrubber over every value remembered so far and the AWS credentials in the env."""
    global _GUARD
    if _GUARD is None:
        env = [os.environ.get(k, "") for k in _CREDENTIAL_ENV]
        _GUARD = SecretGuard([*_REMEMBERED, *env])
    return _GUARD


def scrub(text: str) -> str:
    """`text` with every known secret replaced by the redaction marker (stderr, logs, reports)."""
    return guard().scrub(text) if text else text


def forget_all() -> None:
    """Drop every remembered value (tests that run several commands in one process)."""
    global _GUARD
    _REMEMBERED.clear()
    _GUARD = None
