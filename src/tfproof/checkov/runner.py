"""checkov, offline, with only the built-in checks the catalog maps, over the parts of a plan.

A plan is split into the parts checkov's checks can see together
(`tfproof.checkov.partition`: the connected components of checkov's own
graph), each part's verdicts are cached by the hash of exactly what checkov
reads for it (`tfproof.checkov.cache`), and the parts not cached are judged by
worker processes, one per core (`tfproof.checkov.pool`, checkov's own
terraform_plan runner in `tfproof.checkov.worker`), in batches of a few hundred
resources: checkov's graph building grows with the square of what it is given,
a part does not. The verdicts are those of one checkov run over the whole plan
(tests/compliance/test_checkov_partition.py); a plan with one resource changed
re-runs checkov on that resource's part alone; an unchanged plan starts no worker.

Checks are limited to `policies/checkov_map.yaml`; no platform API key, no
guideline download, no update check. `checkov_command()` and `parse_report()` run
and read plain `checkov -f`, which the worker's verdicts are tested against.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfproof import lifecycle, progress
from tfproof.checkov import cache, partition
from tfproof.checkov.cache import CACHE_FORMAT, cache_key, checkov_version
from tfproof.checkov.pool import WORKER_TIMEOUT, WorkerPool, offline_env
from tfproof.errors import ToolchainError
from tfproof.plan import gc_paused
from tfproof.settings import current

__all__ = ["CACHE_FORMAT", "WORKER_TIMEOUT", "CheckovResult", "cache_key", "checkov_command",
           "checkov_version", "offline_env", "parse_report", "run_checkov"]

BATCH_VERTICES = 300  # resources per checkov run: small enough that its graph stays linear
# Each checkov worker holds its own checkov (~175 MB). A second one halves the wall time
# of a big cold scan, but on a plan of a few thousand resources it buys ~1.5 s for ~60 %
# more peak memory: by default a worker is added per this many managed resources.
RESOURCES_PER_WORKER = 4000


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


@dataclass
class _Unit:
    """One cached unit of work: a part of the plan (or the whole plan) and its cache key."""

    key: str
    vertices: list[partition.Vertex]
    results: list[CheckovResult] | None = None


def worker_count(resources: int | None = None) -> int:
    """TFPROOF_CHECKOV_WORKERS, else the CPU cores this process may run on, and (given the
    plan's managed resources) no more than one per RESOURCES_PER_WORKER."""
    chosen = current().checkov_workers
    if chosen:
        return chosen
    try:
        cores = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        cores = max(1, os.cpu_count() or 1)
    if resources is None:
        return cores
    return max(1, min(cores, math.ceil(resources / RESOURCES_PER_WORKER)))


def run_checkov(
    raw_plan: dict[str, Any],
    checks: list[str],
    external_checks_dir: Path | None = None,
    use_cache: bool = True,
    resource_types: set[str] | None = None,
) -> list[CheckovResult]:
    """checkov's verdicts on one plan JSON (see the module docstring).

    `resource_types`, when given, are handed to checkov as well as the types the checks
    read. `use_cache=False` judges every part afresh (and refreshes the cache).
    """
    checks = sorted(set(checks))
    external = str(external_checks_dir or "")
    if partition.empty(raw_plan):
        return []  # no resource and no data source: nothing for checkov to judge
    scratch = lifecycle.scratch_dir("checkov")
    started = time.time() - 1  # file times may be coarser than the clock
    try:
        size = worker_count(_managed(raw_plan))
        with WorkerPool(checks, external_checks_dir, size, scratch) as pool:
            profile = _profile(checks, external, pool, raw_plan)
            units = _units(raw_plan, checks, external, profile, resource_types)
            where = cache.folder()
            misses = [u for u in units if not (use_cache and _hit(u, where))]
            if misses:
                _judge(raw_plan, checks, external, misses, pool, scratch, len(units), where)
                cache.prune(where, started)  # new entries: keep the folder bounded
    finally:
        lifecycle.release(scratch)
    return [result for unit in units for result in unit.results or ()]


def _managed(raw: dict[str, Any]) -> int:
    """Managed resources in the plan (what checkov may have to judge, at most)."""
    return sum(1 for change in raw.get("resource_changes") or () if isinstance(change, dict)
               and change.get("mode") == "managed")


def _profile(checks: list[str], external: str, pool: WorkerPool,
             raw: dict[str, Any]) -> dict[str, Any]:
    """What the checks read (cached per check list; else from the first worker to start)."""
    key = cache.profile_key(checks, external)
    found = cache.read(cache.folder("checkov-profile"), key, cache.check_profile)
    if found is not None:
        return dict(found)
    # a cold cache: start as many workers as the plan's size will keep busy
    pool.start(max(1, math.ceil(_managed(raw) / BATCH_VERTICES)), profile=True)
    found = pool.profile()
    try:
        cache.check_profile(found)
    except TypeError as exc:
        raise ToolchainError(f"a checkov worker described its checks wrongly: {exc}") from exc
    cache.write(cache.folder("checkov-profile"), key, found)
    return found


def _units(raw: dict[str, Any], checks: list[str], external: str, profile: dict[str, Any],
           resource_types: set[str] | None) -> list[_Unit]:
    """The plan's units of work, each with the key of exactly what checkov will read."""
    if external:  # tfproof's own checks index the plan file itself: it goes as it is
        return [_Unit(cache_key(cache.canonical(raw), checks, external),
                      partition.vertices(raw, None))]
    types = None if profile["types"] is None else set(profile["types"]) | set(resource_types or ())
    with gc_paused():
        parts = (partition.parts(raw, types, map(tuple, profile["coupled"]))
                 if profile["split"] else partition.whole(raw, types))
        return [_Unit(cache_key(cache.canonical(partition.document(raw, p.vertices)), checks),
                      p.vertices) for p in parts]


def _hit(unit: _Unit, where: Path) -> bool:
    found = cache.read(where, unit.key, _results)
    if found is not None:
        unit.results = _results(found)
    return found is not None


def _batches(units: list[_Unit]) -> list[list[_Unit]]:
    """Units packed into checkov runs of about BATCH_VERTICES each, largest first (a small
    change makes one run: a second worker costs a second import of checkov, ~1.5 s)."""
    total = sum(len(u.vertices) for u in units)
    count = max(1, math.ceil(total / BATCH_VERTICES))
    batches: list[list[_Unit]] = [[] for _ in range(count)]
    sizes = [0] * count
    for unit in sorted(units, key=lambda u: -len(u.vertices)):
        lightest = sizes.index(min(sizes))
        batches[lightest].append(unit)
        sizes[lightest] += len(unit.vertices)
    return sorted((b for b in batches if b), key=lambda b: -sum(len(u.vertices) for u in b))


def _judge(raw: dict[str, Any], checks: list[str], external: str, misses: list[_Unit],
           pool: WorkerPool, scratch: Path, total: int, where: Path) -> None:
    """Run checkov on the units not cached; fill in and cache their verdicts as they come."""
    batches = _batches(misses) if not external else [misses]
    pool.start(len(batches))  # they import checkov (~1.5 s) while the documents are written
    jobs: dict[Path, list[_Unit]] = {}
    for number, batch in enumerate(batches):
        plan_file = scratch / f"part-{number}.json"
        vertices = [v for unit in batch for v in unit.vertices]
        document = raw if external else partition.document(raw, vertices)
        plan_file.write_text(json.dumps(document))
        del document
        jobs[scratch / f"verdicts-{number}.json"] = batch
    progress.say(f"checkov: {total} part(s) of the plan, {total - len(misses)} cached; judging "
                 f"{len(misses)} in {len(batches)} run(s) on {min(pool.size, len(batches))} "
                 "worker(s)")
    for out in pool.run([(_plan_file(out), out) for out in jobs]):
        records = cache.load_records(out.read_text())
        out.unlink()
        _plan_file(out).unlink()  # judged: its plan document need not wait for the others
        _assign(records, jobs[out], checks, not external, where)


def _plan_file(out: Path) -> Path:
    """The plan document a verdicts file answers (part-N.json beside verdicts-N.json)."""
    return out.with_name(out.name.replace("verdicts-", "part-"))


def _assign(records: Any, units: list[_Unit], checks: list[str], owned: bool,
            where: Path) -> None:
    """Hand a batch's verdicts to the units that own their resources, and cache each unit's."""
    try:
        results = _results(records)
    except (TypeError, KeyError, ValueError) as exc:
        raise ToolchainError(
            "a checkov worker returned verdicts of the wrong shape; no verdict is taken from "
            "them. Run the scan again, or run with --no-checkov."
        ) from exc
    owner = {v.address: unit for unit in units for v in unit.vertices}
    wanted = set(checks)
    for unit in units:
        unit.results = []
    for result in results:
        unit = owner.get(result.resource) if owned else units[0]
        if unit is None or (owned and result.check not in wanted):
            raise ToolchainError(
                f"a checkov worker returned a verdict ({result.check} on {result.resource}) "
                "for a resource or check it was not given; no verdict is taken from it. Run "
                "the scan again, or run with --no-checkov."
            )
        assert unit.results is not None
        unit.results.append(result)
    for unit in units:
        cache.write(where, unit.key, [_record(r) for r in unit.results or ()])


def _record(result: CheckovResult) -> dict[str, Any]:
    return {**result.__dict__, "evaluated_keys": list(result.evaluated_keys)}


def _results(records: Any) -> list[CheckovResult]:
    """Verdict records (worker output or cache entry) as results; TypeError when malformed."""
    if not isinstance(records, list):
        raise TypeError("checkov results are not a list")
    out = []
    for record in _dicts(records):
        keys = record["evaluated_keys"]
        result = CheckovResult(**{**record, "evaluated_keys": tuple(keys)})
        if not (isinstance(result.check, str) and isinstance(result.resource, str)
                and isinstance(result.passed, bool) and isinstance(keys, list)
                and isinstance(result.name, str)):
            raise TypeError("a checkov result has fields of the wrong type")
        out.append(result)
    return out


def _dicts(records: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for record in records:
        if not isinstance(record, dict):
            raise TypeError("a checkov result is not an object")
        yield record
