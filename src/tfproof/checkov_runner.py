"""checkov, run once per plan, offline, with only the built-in checks the catalog maps.

One subprocess per plan (checkov slows down when run repeatedly in one
process), `--check` limited to `policies/checkov_map.yaml`, no platform API key,
no guideline download, no update check; results cached by the plan's sha256
(plus the check list and checkov's version) under TFPROOF_CACHE_DIR, so an
unchanged plan never runs checkov twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from tfproof.errors import ToolchainError
from tfproof.toolchain import cache_dir

CACHE_FORMAT = "1"


@dataclass(frozen=True)
class CheckovResult:
    """One checkov verdict on one resource address."""

    check: str
    name: str
    resource: str
    passed: bool
    evaluated_keys: tuple[str, ...] = ()


def checkov_version() -> str:
    """Installed checkov version (part of the cache key)."""
    try:
        return metadata.version("checkov")
    except metadata.PackageNotFoundError as exc:
        raise ToolchainError("checkov is not installed: run `make venv`.") from exc


def _command() -> list[str]:
    beside = Path(sys.executable).parent / "checkov"
    found = str(beside) if beside.exists() else shutil.which("checkov")
    if not found:
        raise ToolchainError("The checkov executable is not installed beside Python or on PATH.")
    return [found]


def offline_env() -> dict[str, str]:
    """The environment checkov runs in: no API key, no update check, no telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_"))}
    env.update({
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
        "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
    })
    return env


def cache_key(plan_bytes: bytes, checks: list[str], extra: str = "") -> str:
    """sha256 of the plan, the check list, checkov's version and the cache format."""
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, checkov_version(), ",".join(sorted(checks)), extra):
        digest.update(part.encode() + b"\0")
    digest.update(plan_bytes)
    return digest.hexdigest()


def _parse(stdout: str) -> list[CheckovResult]:
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise ToolchainError(f"checkov printed no JSON report: {stdout[:300]!r}") from exc
    reports = data if isinstance(data, list) else [data]
    out = []
    for report in reports:
        results = report.get("results") if isinstance(report, dict) else None
        if not results:
            continue
        for key, passed in (("passed_checks", True), ("failed_checks", False)):
            for item in results.get(key, []):
                out.append(CheckovResult(
                    check=item["check_id"],
                    name=item.get("check_name", ""),
                    resource=item.get("resource_address") or item.get("resource", ""),
                    passed=passed,
                    evaluated_keys=tuple((item.get("check_result") or {}).get("evaluated_keys")
                                         or ()),
                ))
    return out


def trim_plan(raw_plan: dict[str, Any], types: set[str]) -> dict[str, Any]:
    """The plan with only the resource types the mapped checks read (a smaller graph for checkov).

    Configuration stays whole (references between kept resources still resolve);
    prior state and unrelated resources go. Addresses are unchanged.
    """
    def keep(item: dict[str, Any]) -> bool:
        return item.get("mode") != "managed" or item.get("type") in types

    def module(mod: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in mod.items() if k not in ("resources", "child_modules")}
        out["resources"] = [r for r in mod.get("resources", []) if keep(r)]
        out["child_modules"] = [module(c) for c in mod.get("child_modules", [])]
        return out

    trimmed = {k: v for k, v in raw_plan.items()
               if k not in ("prior_state", "relevant_attributes", "resource_drift")}
    planned = raw_plan.get("planned_values", {})
    trimmed["planned_values"] = {**planned,
                                 "root_module": module(planned.get("root_module", {}))}
    trimmed["resource_changes"] = [c for c in raw_plan.get("resource_changes", []) if keep(c)]
    return trimmed


def run_checkov(
    raw_plan: dict[str, Any],
    checks: list[str],
    external_checks_dir: Path | None = None,
    use_cache: bool = True,
    resource_types: set[str] | None = None,
) -> list[CheckovResult]:
    """checkov's verdicts on one plan JSON (cached by content).

    With `resource_types`, checkov sees only those types (see `trim_plan`).
    """
    if resource_types is not None:
        raw_plan = trim_plan(raw_plan, resource_types)
    plan_bytes = json.dumps(raw_plan, sort_keys=True).encode()
    key = cache_key(plan_bytes, checks, str(external_checks_dir or ""))
    folder = cache_dir() / "checkov"
    folder.mkdir(parents=True, exist_ok=True)
    cached = folder / f"{key}.json"
    if use_cache and cached.exists():
        return [CheckovResult(**{**r, "evaluated_keys": tuple(r["evaluated_keys"])})
                for r in json.loads(cached.read_text())]
    with tempfile.TemporaryDirectory(prefix="tfproof-checkov-") as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_bytes(plan_bytes)
        args = [*_command(), "-f", str(plan_file), "--framework", "terraform_plan",
                "--skip-download", "-o", "json", "--compact", "--check", ",".join(checks)]
        if external_checks_dir:
            args += ["--external-checks-dir", str(external_checks_dir)]
        proc = subprocess.run(args, capture_output=True, text=True, env=offline_env(), cwd=tmp,
                              timeout=3600, check=False)
    if proc.returncode not in (0, 1):
        raise ToolchainError(
            f"checkov failed (exit {proc.returncode}): {(proc.stderr or proc.stdout)[-800:]}"
        )
    results = _parse(proc.stdout)
    tmp_file = cached.with_suffix(f".tmp{os.getpid()}")
    tmp_file.write_text(json.dumps([{**r.__dict__, "evaluated_keys": list(r.evaluated_keys)}
                                    for r in results]))
    tmp_file.replace(cached)
    return results
