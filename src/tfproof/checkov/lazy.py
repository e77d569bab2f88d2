"""Import only the checkov check modules a scan runs, in a checkov worker (never in tfproof).

Importing checkov's Terraform runner imports every built-in check of every cloud
(`checkov/terraform/checks/resource/__init__.py` star-imports AWS, Azure, GCP,
... about 1,400 modules): about a third of a worker's start-up, paid again by
every scan that has one part to judge. checkov has no switch for this. Its check
packages register their checks as a side effect of being imported, so this
module uses Python's own import hook: the packages' `__init__` (the star
imports) is deferred, and the worker imports the modules that define the
requested checks by name (`worker.profile` records them from a full import).

Checks are checkov's, unchanged: the registries, the runner and the verdicts are
the same objects a full import makes. `load()` has a guard: when the modules
named do not register exactly the checks the profile found (another checkov,
a stale or edited profile), `load` runs every deferred `__init__`, that is the
full import, and the worker goes on with all of checkov's checks loaded.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType

# the check packages whose __init__ star-imports every check module below them (the
# terraform_plan runner reaches CloudFormation's through its YAML parser)
PACKAGES = ("checkov.terraform.checks.resource", "checkov.terraform.checks.data",
            "checkov.terraform.checks.provider", "checkov.terraform.checks.module",
            "checkov.cloudformation")
# what a profile may name: a check module under one of them (nothing else is imported)
MODULE_NAME = re.compile(r"checkov\.terraform\.checks\.(?:resource|data|provider)"
                         r"(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


class _Deferred(importlib.abc.Loader):
    """A package loader that creates the package but runs its `__init__` only on demand."""

    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        _DEFERRED[module.__name__] = (self.real, module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name not in PACKAGES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Deferred(spec.loader)
        return spec


_DEFERRED: dict[str, tuple[importlib.abc.Loader, ModuleType]] = {}


def defer() -> None:
    """Defer the check packages' star imports (before checkov is imported)."""
    if any(name in sys.modules for name in PACKAGES):
        raise RuntimeError("tfproof.checkov.lazy.defer() must run before checkov is imported")
    sys.meta_path.insert(0, _Finder())


def load(modules: Iterable[str], registered: Callable[[], Iterable[str]],
         expected: set[str]) -> bool:
    """Import the named check modules; True when the requested checks now registered
    (`registered()`) are exactly `expected`. Otherwise (a name that is no check module,
    one that does not import, other checks registered) every deferred `__init__` runs,
    checkov is loaded whole, and the answer is False."""
    try:
        for name in modules:
            if not MODULE_NAME.fullmatch(name):
                raise ImportError(f"not a checkov check module: {name!r}")
            importlib.import_module(name)
    except ImportError:
        load_all()
        return False
    if set(registered()) == expected:
        return True
    load_all()
    return False


def load_all() -> None:
    """Run every deferred package `__init__`: checkov as a full import leaves it."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]
    for name in PACKAGES:
        found = _DEFERRED.pop(name, None)
        if found is not None:
            real, module = found
            real.exec_module(module)
