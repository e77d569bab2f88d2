"""The architecture holds: import-linter's contracts of pyproject.toml are kept.

The layers (cli > commands > evidence > engine | sandbox > checkov | terraform |
waivers | formats > plan, plan_reader, findings > base), tfproof never importing
tfproof_dev, checkov imported only by the checkov worker and the engine's
checkov adapter, boto3 and moto only by the sandbox. `nox -s lint` runs the same
check; this test makes `make test` and a bare pytest enforce it too.
"""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import tfproof

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def _packages() -> set[str]:
    """Every module and package directly under tfproof."""
    return {f"tfproof.{m.name}" for m in pkgutil.iter_modules(tfproof.__path__)}


def test_import_contracts_are_kept():
    proc = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_every_package_has_a_layer():
    """A new package cannot slip past the contracts by not being listed."""
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    listed = {m.strip() for row in layers["layers"] for m in re.split(r"[|:]", row)}
    assert listed == _packages()
    (aws,) = [c for c in _contracts() if "boto3" in c.get("forbidden_modules", [])]
    assert set(aws["source_modules"]) == _packages() - {"tfproof.sandbox"}


def test_no_source_file_passes_300_lines():
    """Files are split by concern before they grow past ~300 lines (the team's rule)."""
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "src").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 300
    }
    assert long == {}
