"""checkov over the parts of a plan gives the verdicts of one checkov run over the whole plan.

The parts are the connected components of checkov's graph as tfproof.checkov.edges
rebuilds it without checkov; here they are held against checkov's own graph (every
edge inside one part) on both envs' plans and on a synthetic plan grown from the
production plan by bench/synth.py (whose last, truncated copy leaves names that checkov
resolves across module instances), and the verdicts of the parts, judged by two workers,
against one checkov run over that whole plan. Then one resource changes: only its part is
judged again, and a corrupted entry of another part is recomputed, never trusted.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tfproof.checkov import edges, partition, runner, worker
from tfproof.checkov.pool import WorkerPool
from tfproof.engine.catalog import checkov_resource_types, load_checkov_map
from tfproof.plan import Plan

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.plan, pytest.mark.checkov]


def _synth() -> Any:
    spec = importlib.util.spec_from_file_location("tfproof_bench_synth",
                                                  ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def checks() -> list[str]:
    return sorted(load_checkov_map())


@pytest.fixture(scope="module")
def types(checks: list[str]) -> set[str]:
    os.environ.setdefault("CHECKOV_MAX_IAC_FILE_SIZE", "0")  # checkov's plain JSON reader
    found = worker.readable_types(checks)
    assert found is not None
    return found | set(checkov_resource_types())


@pytest.fixture(scope="module")
def grown(production_plan: Plan) -> dict[str, Any]:
    """Two copies of the production plan and a third cut short (~300 judged resources)."""
    base = _synth().managed_count(production_plan.raw)
    return _synth().replicate(production_plan.raw, 2 * base + 60)


def _checkov_graph(raw: dict[str, Any], types: set[str], folder: Path) -> Any:
    from checkov.common.graph.db_connectors.networkx.networkx_db_connector import (
        NetworkxConnector,
    )
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.graph_manager import TerraformGraphManager
    from checkov.terraform.plan_utils import create_definitions

    path = folder / "whole.json"
    path.write_text(json.dumps(partition.trim_plan(raw, types)))
    definitions, _ = create_definitions(None, [str(path)], RunnerFilter(
        framework=["terraform_plan"]), {})
    return TerraformGraphManager(db_connector=NetworkxConnector()).build_graph_from_definitions(
        definitions, render_variables=False)


def test_every_edge_of_checkovs_graph_stays_inside_one_part(
        env_plan: Any, grown: dict[str, Any], types: set[str], tmp_path: Path) -> None:
    plans = {"production": env_plan("production").raw, "sandbox": env_plan("sandbox").raw,
             "grown": grown}
    for name, raw in plans.items():
        parts = partition.parts(raw, types)
        owner = {a: i for i, part in enumerate(parts) for a in part.addresses}
        graph = _checkov_graph(raw, types, tmp_path)
        address = {i: v.attributes.get("__address__") for i, v in enumerate(graph.vertices)
                   if v.block_type in ("resource", "data")}
        assert set(address.values()) == set(owner), name
        inside = [e for e in graph.edges if e.origin in address and e.dest in address]
        assert inside, f"{name}: checkov's graph has no edge to hold"
        crossing = [(address[e.origin], address[e.dest]) for e in inside
                    if owner[address[e.origin]] != owner[address[e.dest]]]
        assert not crossing, f"{name}: edges between parts: {crossing[:5]}"
        assert len(parts) > 10, f"{name}: {len(parts)} parts: the plan was hardly split"
    # the grown plan exercises checkov's choice among same-named vertices of other instances
    nodes = partition.vertices(grown, types)
    groups = {key: edges.Group([v for v in nodes if (v.block, v.name) == key])
              for key in {(v.block, v.name) for v in nodes}}
    dangling = [v for v in nodes
                for key in edges.references(edges.strings([v.item.get("values"), *v.confs]),
                                            set(groups))
                if len({t.address.split(".")[1] for t in groups[key].tied(v)}) > 1]
    assert dangling, "no reference resolved across module instances"


def _whole_run(raw: dict[str, Any], checks: list[str], types: set[str],
               folder: Path) -> set[tuple[str, str, bool, frozenset[str]]]:
    """One checkov run over the whole plan (checkov's runner, in this process)."""
    path = folder / "whole-run.json"
    path.write_text(json.dumps(partition.trim_plan(raw, types)))
    return {(r["check"], r["resource"], r["passed"], frozenset(r["evaluated_keys"]))
            for r in worker.scan(path, checks)}


def _verdicts(results: list[runner.CheckovResult]) -> set[tuple[str, str, bool, frozenset[str]]]:
    found = {(r.check, r.resource, r.passed, frozenset(r.evaluated_keys)) for r in results}
    assert len(found) == len(results), "a verdict came twice"
    return found


def test_parts_judge_as_one_run_does_and_only_what_changed_runs_again(
        grown: dict[str, Any], checks: list[str], types: set[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TFPROOF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TFPROOF_CHECKOV_WORKERS", "2")
    extra = set(checkov_resource_types())
    jobs: list[int] = []
    real_run = WorkerPool.run

    def counting(pool: WorkerPool, work: list[tuple[Path, Path]]) -> Any:
        for plan_file, _ in work:
            jobs.append(len(partition.vertices(json.loads(plan_file.read_text()), None)))
        return real_run(pool, work)

    monkeypatch.setattr(WorkerPool, "run", counting)
    parted = runner.run_checkov(grown, checks, resource_types=extra)
    assert len(jobs) >= 2, "the parts were not spread over the workers"
    whole = _whole_run(grown, checks, types, tmp_path)
    assert {c for c, *_ in whole if c.startswith("CKV2_")}, "no graph check ran"
    assert _verdicts(parted) == whole, sorted(map(str, _verdicts(parted) ^ whole))[:10]

    # one resource changed, and another part's cache entry corrupted
    changed = copy.deepcopy(grown)
    bucket = next(r for m in changed["planned_values"]["root_module"]["child_modules"][1:2]
                  for r in _all(m) if r["type"] == "aws_s3_bucket")
    # a new values object: bench/synth.py's copies share their resources' values
    bucket["values"] = {**bucket["values"],
                        "tags": {**(bucket["values"].get("tags") or {}), "team": "edited"}}
    profile = worker.profile(checks, external=False)
    units = {u.key: len(u.vertices) for u in runner._units(changed, checks, "", profile, extra)}
    keys = list(units)
    missing = [k for k in keys if not (tmp_path / "cache" / "checkov" / f"{k}.json").exists()]
    assert len(missing) == 1
    victim_key = next(k for k in keys if k not in missing)
    victim = tmp_path / "cache" / "checkov" / f"{victim_key}.json"
    victim.write_bytes(victim.read_bytes()[:-5])
    rejudged = units[missing[0]] + units[victim_key]  # the changed part and the corrupted one
    jobs.clear()
    capfd.readouterr()
    again = runner.run_checkov(changed, checks, resource_types=extra)
    assert capfd.readouterr().err.count("discarded the corrupted cache entry") == 1
    assert len(jobs) == 1 and jobs[0] <= rejudged < sum(units.values()) / 4, (
        f"judged again: {jobs} resources, the two parts hold {rejudged}")
    assert _verdicts(again) == whole  # tags decide none of the mapped checks
    assert _verdicts(runner.run_checkov(changed, checks, resource_types=extra)) == whole
    assert len(jobs) == 1, "an unchanged plan started a worker"


def _all(module: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        found += _all(child)
    return found


def test_the_worker_refuses_a_plan_checkov_cannot_read(checks: list[str],
                                                       tmp_path: Path) -> None:
    """checkov swallows a plan it cannot parse and returns no verdict at all: the worker
    turns that into a refusal (exit 3), which the pool turns into exit 2."""
    broken = {"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {
        "root_module": {"resources": [{"address": "aws_s3_bucket.b", "mode": "managed",
                                       "type": "aws_s3_bucket", "name": "b",
                                       "values": ["not", "an", "object"]}]}}}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(worker.Unreadable):
        worker.scan(path, checks)
