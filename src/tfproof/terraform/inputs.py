"""Inputs for planning and applying the project's own environments.

The envs take the database password as a sensitive variable with no default
(no literal secret anywhere). tfproof generates a random one per cache
directory, keeps it in a 0600 file beside the plan cache and hands it to
Terraform through `TF_VAR_db_password`; it never appears on a command line, in
a log, or (thanks to redaction) in a cached plan. Keeping it stable keeps the
plan cache warm between runs.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from tfproof.secrets.generated import SECRET_VARIABLES, secret_file
from tfproof.settings import cache_dir
from tfproof.terraform.toolchain import file_lock

_GENERATED = re.compile(r"Tp1-[A-Za-z0-9_-]{32}")  # what `generated_secret` writes


def generated_secret(name: str) -> str:
    """A random secret stored (mode 0600) in the cache dir, created on first use."""
    path = secret_file(name)
    value = _stored(path)
    if value is None:
        with file_lock(cache_dir() / "secrets.lock"):
            value = _stored(path)
            if value is None:  # absent, or emptied/garbled (a full disk): make a new one
                path.parent.mkdir(mode=0o700, exist_ok=True)
                value = "Tp1-" + secrets.token_urlsafe(24)
                tmp = path.with_name(f".{name}.tmp{os.getpid()}")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as handle:
                    handle.write(value)
                tmp.replace(path)
    return value


def _stored(path: Path) -> str | None:
    """The stored secret when it is one this module wrote (`Tp1-` + 32 url-safe chars)."""
    try:
        value = path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return value if _GENERATED.fullmatch(value) else None


def env_secret_variables() -> dict[str, str]:
    """Secret root variables for the project's envs: the user's TF_VAR_* if set, else generated."""
    out = {}
    for name in SECRET_VARIABLES:
        if f"TF_VAR_{name}" not in os.environ:
            out[name] = generated_secret(name)
    return out
