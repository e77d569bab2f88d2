"""The secrets tfproof generates for the project's envs: which variables, and where each is kept.

`tfproof.terraform.inputs` generates them (once per cache directory, mode
0600); the scrubber (`tfproof.secrets.scrub`) reads them back so their values
never leave in clear. Both take the names and the place from here.
"""

from __future__ import annotations

from pathlib import Path

from tfproof.settings import cache_dir

SECRET_VARIABLES = ("db_password",)


def secret_file(name: str) -> Path:
    """Where the generated value of the root variable `name` is kept."""
    return cache_dir() / "secrets" / name
