"""checkov, run once per plan, offline, with only the built-in checks the catalog maps.

One worker process per plan (`tfproof.checkov.worker`: checkov's own
terraform_plan runner without its CLI; checkov slows down when run repeatedly
in one process), checks limited to `policies/checkov_map.yaml`, no platform API
key, no guideline download, no update check; results cached by the plan's
sha256 (plus the check list and checkov's version) under TFPROOF_CACHE_DIR, so
an unchanged plan never runs checkov twice. `checkov_command()` and
`parse_report()` run and read plain `checkov -f`, which the worker's verdicts
are tested against.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from tfproof import cachefile, lifecycle
from tfproof.errors import ToolchainError
from tfproof.settings import cache_dir

CACHE_FORMAT = "3"  # 3: entries carry an integrity header (tfproof.cachefile)
WORKER_TIMEOUT = 3600  # seconds


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


def checkov_command() -> list[str]:
    """The checkov executable beside this Python (or on PATH)."""
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


def parse_report(stdout: str) -> list[CheckovResult]:
    """Verdicts from plain `checkov -o json` output (one report or a list of them)."""
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


def run_checkov(
    raw_plan: dict[str, Any],
    checks: list[str],
    external_checks_dir: Path | None = None,
    use_cache: bool = True,
    resource_types: set[str] | None = None,
) -> list[CheckovResult]:
    """checkov's verdicts on one plan JSON (cached by content), from one worker process.

    The worker (`tfproof.checkov.worker`) hands checkov only the resource types
    the checks can read; `resource_types`, when given, are kept as well. It runs in its
    own process group through `lifecycle.run`, so a signal to tfproof stops it at once
    instead of letting it finish, and it works inside tfproof's owned scratch folder
    (its trimmed plan is written beside the plan), which goes even when it is killed.
    """
    plan_bytes = json.dumps(raw_plan, sort_keys=True).encode()
    keep = sorted(resource_types or ())
    key = cache_key(plan_bytes, checks, f"{external_checks_dir or ''}|{','.join(keep)}")
    folder = cache_dir() / "checkov"
    folder.mkdir(parents=True, exist_ok=True)
    cached = folder / f"{key}.json"
    hit = cachefile.read_json(cached, check=_results) if use_cache else None
    if hit is not None:
        return _results(hit)
    tmp = lifecycle.scratch_dir("checkov")
    try:
        plan_file = tmp / "plan.json"
        plan_file.write_bytes(plan_bytes)
        del plan_bytes
        out_file = tmp / "results.json"
        args = [sys.executable, "-m", "tfproof.checkov.worker", str(plan_file), str(out_file),
                "--checks", ",".join(checks), "--keep-types", ",".join(keep)]
        if external_checks_dir:
            args += ["--external-checks-dir", str(external_checks_dir)]
        try:
            proc = lifecycle.run(args, env=offline_env(), cwd=tmp, timeout=WORKER_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise ToolchainError(
                f"checkov ran longer than {WORKER_TIMEOUT} s and was stopped. Scan a smaller "
                "plan (split the root module), or run with --no-checkov to judge with "
                "tfproof's own policies only."
            ) from exc
        if proc.returncode != 0 or not out_file.exists():
            raise ToolchainError(
                f"checkov failed (exit {proc.returncode}): {(proc.stderr or proc.stdout)[-800:]}"
            )
        records = json.loads(out_file.read_text())
    finally:
        lifecycle.release(tmp)
    results = _results(records)
    cachefile.write_json(cached, [{**r.__dict__, "evaluated_keys": list(r.evaluated_keys)}
                                  for r in results])
    return results


def _results(records: Any) -> list[CheckovResult]:
    """Verdict records (worker output or cache entry) as results; TypeError when malformed."""
    if not isinstance(records, list):
        raise TypeError("checkov results are not a list")
    out = []
    for record in records:
        keys = record["evaluated_keys"]
        result = CheckovResult(**{**record, "evaluated_keys": tuple(keys)})
        if not (isinstance(result.check, str) and isinstance(result.resource, str)
                and isinstance(result.passed, bool) and isinstance(keys, list)):
            raise TypeError("a checkov result has fields of the wrong type")
        out.append(result)
    return out
