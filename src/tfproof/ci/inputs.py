"""The GitHub Action's inputs and the runner's files, read and checked in this one place.

`action.yml` hands every input to the step through the environment (`INPUT_<NAME>`,
never interpolated into the shell script, so an input cannot inject commands).
A wrong value stops the step with exit 2 and one paragraph naming the input and
the values it takes: a typo in `fail-on` or `upload-sarif` must not quietly turn
the gate or the upload off.
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tfproof.errors import InputError
from tfproof.findings import SEVERITIES

FAIL_ON = ("any", *SEVERITIES[:-1], "never")  # any | critical | high | medium | low | never
# set by the action itself; in `args` they would fight it over where the report goes
_RESERVED = ("--format", "--output", "-o")


@dataclass(frozen=True)
class Runner:
    """The files and folders the runner gives a step."""

    workspace: Path  # GITHUB_WORKSPACE: the repository root SARIF URIs are relative to
    output: Path  # GITHUB_OUTPUT: the step's outputs
    summary: Path | None  # GITHUB_STEP_SUMMARY: markdown shown on the run's page
    temp: Path  # RUNNER_TEMP: where the SARIF goes unless `sarif-file` says otherwise


@dataclass(frozen=True)
class ActionInputs:
    """What the user wrote under `with:` (defaults as in action.yml)."""

    path: str = ""
    plan: str = ""
    var_files: tuple[str, ...] = ()
    waivers: str = ""
    checkov: bool = True
    fail_on: str = "any"
    args: tuple[str, ...] = ()
    sarif_file: str = ""
    summary: bool = True
    upload_sarif: bool = True
    category: str = ""

    def scan_argv(self) -> list[str]:
        """`tfproof scan` arguments, without --format/--output (the step sets those)."""
        argv = ["scan"]
        if self.path:
            argv.append(_not_an_option(self.path))
        if self.plan:
            argv += ["--plan", _not_an_option(self.plan)]
        for var_file in self.var_files:
            argv += ["--var-file", _not_an_option(var_file)]
        if self.waivers:
            argv += ["--waivers", _not_an_option(self.waivers)]
        if not self.checkov:
            argv.append("--no-checkov")
        return [*argv, *self.args]

    def code_scanning_category(self) -> str:
        """`category` for upload-sarif: one per scanned root, so two roots never replace each
        other's alerts."""
        if self.category:
            return self.category
        what = (self.path or self.plan).strip().removeprefix("./").rstrip("/") or "."
        return f"tfproof/{what}"


def _not_an_option(path: str) -> str:
    """A path input that starts with `-` (`-h`) is a file name, never an option of the CLI."""
    return f"./{path}" if path.startswith("-") else path


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(_var(name), "").strip().lower()
    if not value:
        return default
    if value not in ("true", "false"):
        raise InputError(f"The action input `{name}` is {value!r}; write true or false.")
    return value == "true"


def _var(name: str) -> str:
    return "INPUT_" + name.upper().replace("-", "_")


def _text(env: Mapping[str, str], name: str) -> str:
    value = env.get(_var(name), "").strip()
    if "\n" in value or "\r" in value or "\0" in value:
        raise InputError(f"The action input `{name}` spans several lines; give one value.")
    return value


def read_inputs(env: Mapping[str, str] | None = None) -> ActionInputs:
    """The action's inputs from `INPUT_*` variables; InputError (exit 2) on a wrong one."""
    env = os.environ if env is None else env
    fail_on = _text(env, "fail-on").lower() or "any"
    if fail_on not in FAIL_ON:
        raise InputError(
            f"The action input `fail-on` is {fail_on!r}; it takes {', '.join(FAIL_ON)} (any: "
            "every unwaived failure fails the step; a severity: failures of that severity or "
            "higher; never: report only, a scan that could not run still fails)."
        )
    try:
        args = tuple(shlex.split(env.get(_var("args"), "")))
    except ValueError as exc:
        raise InputError(f"The action input `args` cannot be split into arguments ({exc}); "
                         "quote it as you would in a shell.") from exc
    # argparse also takes any unique prefix of an option (`--out x` is `--output x`)
    reserved = [a for a in args if re.match(r"-o.", a) or (name := a.split("=")[0]) in _RESERVED
                or (len(name) > 2 and any(r.startswith(name) for r in _RESERVED))]
    if reserved:
        raise InputError(
            f"The action input `args` sets {reserved[0]!r}: the action writes the SARIF file and "
            "the summary itself; use the `sarif-file` and `summary` inputs instead."
        )
    inputs = ActionInputs(
        path=_text(env, "path"), plan=_text(env, "plan"),
        var_files=tuple(v.strip() for v in env.get(_var("var-files"), "").splitlines()
                        if v.strip()),
        waivers=_text(env, "waivers"), checkov=_flag(env, "checkov", True), fail_on=fail_on,
        args=args, sarif_file=_text(env, "sarif-file"), summary=_flag(env, "summary", True),
        upload_sarif=_flag(env, "upload-sarif", True), category=_text(env, "category"),
    )
    if not inputs.path and not inputs.plan:
        raise InputError(
            "The action needs `path` (a Terraform root module folder in the repository) or "
            "`plan` (a plan JSON from `terraform show -json`), or both (plan JSON with "
            "locations on the .tf lines); give one under `with:`."
        )
    return inputs


def read_runner(env: Mapping[str, str] | None = None, summary: bool = True) -> Runner:
    """The runner's GITHUB_* files; InputError when this is not a GitHub Actions step."""
    env = os.environ if env is None else env
    needed = ["GITHUB_WORKSPACE", "GITHUB_OUTPUT", *(["GITHUB_STEP_SUMMARY"] if summary else [])]
    missing = [name for name in needed if not env.get(name)]
    if missing:
        raise InputError(
            f"{', '.join(missing)} not set: `python -m tfproof.ci.github` is the GitHub Action's "
            "step and runs inside GitHub Actions; elsewhere run `tfproof scan` (--format sarif, "
            "markdown, ...) directly."
        )
    workspace = Path(env["GITHUB_WORKSPACE"])
    if not workspace.is_dir():
        raise InputError(f"GITHUB_WORKSPACE {workspace} is not a folder: check out the "
                         "repository (actions/checkout) before this step.")
    return Runner(
        workspace=workspace.resolve(), output=Path(env["GITHUB_OUTPUT"]),
        summary=Path(env["GITHUB_STEP_SUMMARY"]) if summary else None,
        temp=Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()),
    )
