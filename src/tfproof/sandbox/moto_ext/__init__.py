"""moto extensions: AWS behaviour the platform needs that moto 5.2.5 lacks, as patches.

Each module of this package serves one service and exposes `EXTENSION`, an
`Extension` whose `install()` patches moto *inside the embedded server process*
(`tfproof.sandbox.moto_main`, never in a test interpreter). Every extension

- follows AWS's documented semantics (its docstring cites them) and names what it
  still does not do (`limits`), so the closing notes and docs/ can list both;
- targets `TARGET_MOTO` and carries a guard: when the running moto already
  implements the behaviour natively, `install()` changes nothing and returns False,
  so a newer moto is used as it is;
- is proven by boto3 tests against a running server (tests/integration/moto/).

moto is imported inside `install()` only: importing this package has no side effect.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

TARGET_MOTO = "5.2.5"

# one module per service; a module that does not exist yet is skipped by name
MODULES = ("cloudwatch", "xray", "budgets", "elasticache", "s3_replication")


@dataclass(frozen=True)
class Extension:
    """One service's patch: what AWS does, what the patch does not, and how to install it."""

    name: str
    service: str
    behaviour: str
    limits: str
    install: Callable[[], bool]


def extensions() -> list[Extension]:
    """Every extension this package has, in `MODULES` order."""
    found = []
    for name in MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            continue
        found.append(module.EXTENSION)
    return found


def install_all() -> dict[str, str]:
    """Install every extension; returns name -> "patched" or "native" (moto has it)."""
    return {ext.name: "patched" if ext.install() else "native" for ext in extensions()}
