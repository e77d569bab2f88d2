"""checkov's verdicts as tfproof reads them: from `checkov -o json`, from a worker, from the cache.

`CheckovResult` is one verdict on one resource address. `parse_report` reads plain
`checkov -f` output (what the tests hold the workers against); `results` and
`record` turn the worker's and the cache's plain records into verdicts and back,
refusing (TypeError) anything of the wrong shape, never guessing.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfproof.errors import ToolchainError


@dataclass(frozen=True)
class CheckovResult:
    """One checkov verdict on one resource address."""

    check: str
    name: str
    resource: str
    passed: bool
    evaluated_keys: tuple[str, ...] = ()


def checkov_command() -> list[str]:
    """The checkov executable beside this Python (or on PATH)."""
    beside = Path(sys.executable).parent / "checkov"
    found = str(beside) if beside.exists() else shutil.which("checkov")
    if not found:
        raise ToolchainError("The checkov executable is not installed beside Python or on PATH.")
    return [found]


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


def record(result: CheckovResult) -> dict[str, Any]:
    return {**result.__dict__, "evaluated_keys": list(result.evaluated_keys)}


def results(records: Any) -> list[CheckovResult]:
    """Verdict records (worker output or cache entry) as results; TypeError when malformed."""
    if not isinstance(records, list):
        raise TypeError("checkov results are not a list")
    out = []
    for record in dicts(records):
        keys = record["evaluated_keys"]
        result = CheckovResult(**{**record, "evaluated_keys": tuple(keys)})
        if not (isinstance(result.check, str) and isinstance(result.resource, str)
                and isinstance(result.passed, bool) and isinstance(keys, list)
                and isinstance(result.name, str)):
            raise TypeError("a checkov result has fields of the wrong type")
        out.append(result)
    return out


def dicts(records: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for record in records:
        if not isinstance(record, dict):
            raise TypeError("a checkov result is not an object")
        yield record
