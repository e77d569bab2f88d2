"""checkov, offline, with only the built-in checks the catalog maps, over the parts of a plan.

A plan is split into the parts checkov's checks can see together
(`tfproof.checkov.partition`: the connected components of checkov's own
graph), each part's verdicts are cached by the hash of exactly what checkov
reads for it (`tfproof.checkov.cache`), and the parts not cached are judged by
worker processes (`tfproof.checkov.pool`, checkov's own terraform_plan runner in
`tfproof.checkov.worker`, importing only the mapped checks' modules once a profile
says which: `tfproof.checkov.lazy`), in batches of a few hundred resources:
checkov's graph building grows with the square of what it is given, a part does
not. `CheckovSession` lets the scan start a worker before the plan is read and run
its own policies while checkov judges. The verdicts are those of one checkov run
over the whole plan (tests/compliance/test_checkov_partition.py); a plan with one
resource changed re-runs checkov on that resource's part alone; an unchanged plan
needs no worker (one started early is stopped).

Checks are limited to `policies/checkov_map.yaml`; no platform API key, no
guideline download, no update check. `checkov_command()` and `parse_report()` run
and read plain `checkov -f`, which the worker's verdicts are tested against.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfproof import lifecycle, progress
from tfproof.checkov import cache, partition, verdicts
from tfproof.checkov.cache import CACHE_FORMAT, cache_key, checkov_version
from tfproof.checkov.pool import WORKER_TIMEOUT, WorkerPool, offline_env
from tfproof.checkov.verdicts import CheckovResult, checkov_command, parse_report
from tfproof.errors import ToolchainError
from tfproof.plan import gc_paused
from tfproof.settings import current

__all__ = ["CACHE_FORMAT", "WORKER_TIMEOUT", "CheckovResult", "CheckovSession", "cache_key",
           "checkov_command", "checkov_version", "offline_env", "parse_report", "run_checkov"]

BATCH_VERTICES = 300  # resources per checkov run: small enough that its graph stays linear
# Each checkov worker holds its own checkov (~175 MB). A second one halves the wall time
# of a big cold scan, but on a plan of a few thousand resources it buys ~1.5 s for ~60 %
# more peak memory: by default a worker is added per this many managed resources.
RESOURCES_PER_WORKER = 4000


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
    with CheckovSession(checks, external_checks_dir) as session:
        session.prepare(raw_plan, use_cache, resource_types)
        return session.results()


class CheckovSession:
    """One checkov judgement of one plan, in steps that let the caller work meanwhile.

    `warm_up()` starts a worker before the plan is even read (its import of checkov,
    ~1 s, then overlaps the caller's own work); `prepare()` splits the plan, reads the
    cache and starts the workers the missing parts need; `results()` waits for them.
    A context manager: leaving it stops every worker and removes the scratch folder.
    """

    def __init__(self, checks: list[str], external_checks_dir: Path | None = None) -> None:
        self.checks = sorted(set(checks))
        self.external_dir = external_checks_dir
        self.external = str(external_checks_dir or "")
        self.scratch: Path | None = None
        self.pool: WorkerPool | None = None
        self.units: list[_Unit] = []
        self.jobs: dict[Path, list[_Unit]] = {}
        self.started = time.time() - 1  # file times may be coarser than the clock
        # the profile warm_up started its worker from: prepare uses it, not a second read
        # (the entry may be gone by then, and a worker started early never describes checks)
        self.profile: dict[str, Any] | None = None

    def __enter__(self) -> CheckovSession:
        self.scratch = lifecycle.scratch_dir("checkov")
        try:
            self.pool = WorkerPool(self.checks, self.external_dir, worker_count(), self.scratch)
        except BaseException:
            lifecycle.release(self.scratch)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.pool is not None:
                self.pool.close(graceful=exc[0] is None)
        finally:
            if self.scratch is not None:
                lifecycle.release(self.scratch)

    def warm_up(self) -> bool:
        """Start one worker now, when the check list's profile is cached (a scan on a cold
        cache starts its workers as it learns what the checks read); True when started."""
        assert self.pool is not None
        if self.external or self.pool.workers:
            return False
        found = cache.read_profile(self.checks, self.external)
        if found is None:
            return False
        self.profile = dict(found)
        self.pool.only = (found["modules"], found["plain"])
        self.pool.start(1)
        return True

    def prepare(self, raw_plan: dict[str, Any], use_cache: bool = True,
                resource_types: set[str] | None = None) -> None:
        """Split the plan, take what the cache holds, start the workers the rest needs and
        hand them their parts (the caller may work until `results()`)."""
        assert self.pool is not None and self.scratch is not None
        if partition.empty(raw_plan):  # no resource and no data source: nothing to judge
            self.pool.close(graceful=False)  # nor for a worker started early to wait for
            return
        self.pool.size = worker_count(_managed(raw_plan))
        profile = self.profile or _profile(self.checks, self.external, self.pool, raw_plan)
        if not self.external:
            self.pool.only = (profile["modules"], profile["plain"])
        self.units = _units(raw_plan, self.checks, self.external, profile, resource_types)
        where = cache.folder()
        misses = [u for u in self.units if not (use_cache and _hit(u, where))]
        if misses:
            self.jobs = _documents(raw_plan, self.external, misses, self.pool, self.scratch,
                                   len(self.units))
        else:
            self.pool.close(graceful=False)  # a worker started early has nothing to do

    def results(self) -> list[CheckovResult]:
        """Every part's verdicts (waiting for the workers), the new ones cached."""
        assert self.pool is not None
        if self.jobs:
            where = cache.folder()
            for out in self.pool.run([(_plan_file(out), out) for out in self.jobs]):
                records = cache.load_records(out.read_text())
                out.unlink()
                _plan_file(out).unlink()  # judged: its document need not wait for the others
                _assign(records, self.jobs[out], self.checks, not self.external, where)
            self.jobs = {}
            cache.prune(where, self.started)  # new entries: keep the folder bounded
        return [result for unit in self.units for result in unit.results or ()]


def _managed(raw: dict[str, Any]) -> int:
    """Managed resources in the plan (what checkov may have to judge, at most)."""
    return sum(1 for change in raw.get("resource_changes") or () if isinstance(change, dict)
               and change.get("mode") == "managed")


def _profile(checks: list[str], external: str, pool: WorkerPool,
             raw: dict[str, Any]) -> dict[str, Any]:
    """What the checks read (cached per check list; else from the first worker to start)."""
    found = cache.read_profile(checks, external)
    if found is not None:
        return dict(found)
    # a cold cache: start as many workers as the plan's size will keep busy
    pool.start(max(1, math.ceil(_managed(raw) / BATCH_VERTICES)), profile=True)
    found = pool.profile()
    try:
        cache.check_profile(found)
    except TypeError as exc:
        raise ToolchainError(f"a checkov worker described its checks wrongly: {exc}") from exc
    cache.write(cache.folder("checkov-profile"), cache.profile_key(checks, external), found)
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
    found = cache.read(where, unit.key, verdicts.results)
    if found is not None:
        unit.results = verdicts.results(found)
    return found is not None


def _batches(units: list[_Unit]) -> list[list[_Unit]]:
    """Units packed into checkov runs of about BATCH_VERTICES each, largest first (a small
    change makes one run: a second worker costs a second import of checkov, ~1 s)."""
    total = sum(len(u.vertices) for u in units)
    count = max(1, math.ceil(total / BATCH_VERTICES))
    batches: list[list[_Unit]] = [[] for _ in range(count)]
    sizes = [0] * count
    for unit in sorted(units, key=lambda u: -len(u.vertices)):
        lightest = sizes.index(min(sizes))
        batches[lightest].append(unit)
        sizes[lightest] += len(unit.vertices)
    return sorted((b for b in batches if b), key=lambda b: -sum(len(u.vertices) for u in b))


def _documents(raw: dict[str, Any], external: str, misses: list[_Unit], pool: WorkerPool,
               scratch: Path, total: int) -> dict[Path, list[_Unit]]:
    """Write the plan documents of the units not cached, in batches, and start the workers
    they need; {verdicts file: its units}."""
    batches = _batches(misses) if not external else [misses]
    pool.start(len(batches))  # they import checkov (~1 s) while the documents are written
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
    return jobs


def _plan_file(out: Path) -> Path:
    """The plan document a verdicts file answers (part-N.json beside verdicts-N.json)."""
    return out.with_name(out.name.replace("verdicts-", "part-"))


def _assign(records: Any, units: list[_Unit], checks: list[str], owned: bool,
            where: Path) -> None:
    """Hand a batch's verdicts to the units that own their resources, and cache each unit's."""
    try:
        found = verdicts.results(records)
    except (TypeError, KeyError, ValueError) as exc:
        raise ToolchainError(
            "a checkov worker returned verdicts of the wrong shape; no verdict is taken from "
            "them. Run the scan again, or run with --no-checkov."
        ) from exc
    owner = {v.address: unit for unit in units for v in unit.vertices}
    wanted = set(checks)
    for unit in units:
        unit.results = []
    for result in found:
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
        cache.write(where, unit.key, [verdicts.record(r) for r in unit.results or ()])
