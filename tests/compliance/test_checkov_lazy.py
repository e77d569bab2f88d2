"""A checkov worker that imports only the profile's check modules judges as a full import does.

`tfproof.checkov.lazy` defers checkov's star imports of every check and imports the
modules a profile names. Here real workers (the worker's own command line, the pool's
protocol) judge the whole production plan and a few of its parts with a full import
and with the profile's modules, and the parts with profiles that are wrong (a module
missing, so its checks are not registered; a name outside checkov's checks, refused
before it is imported; an emptied one, which would judge nothing): every verdict is
the same, and the wrong ones say on stderr that the worker loaded every check instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tfproof.checkov import partition, worker
from tfproof.checkov.pool import WorkerPool
from tfproof.engine.catalog import checkov_resource_types, load_checkov_map
from tfproof.plan import Plan

pytestmark = [pytest.mark.plan, pytest.mark.checkov]
FALLBACK = "loaded all of checkov's checks instead"


@pytest.fixture(scope="module")
def checks() -> list[str]:
    return sorted(load_checkov_map())


@pytest.fixture(scope="module")
def profile(checks: list[str]) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:  # checkov's plain JSON reader, as a worker
        patch.setenv("CHECKOV_MAX_IAC_FILE_SIZE", "0")
        return worker.profile(checks, external=False)


def _part(plan: Plan, profile: dict[str, Any], folder: Path) -> Path:
    """A document of a few parts of the plan that plain and graph checks both judge."""
    types = set(profile["types"]) | set(checkov_resource_types())
    parts = partition.parts(plan.raw, types, map(tuple, profile["coupled"]))
    chosen = [p for p in parts if any(v.address.endswith("aws_s3_bucket.this")
                                      or ".aws_db_instance." in v.address for v in p.vertices)]
    path = folder / "part.json"
    path.write_text(json.dumps(partition.document(
        plan.raw, [v for p in chosen for v in p.vertices])))
    return path


def _judge(checks: list[str], only: tuple[list[str], list[str]] | None, documents: list[Path],
           folder: Path) -> tuple[list[set[tuple[str, str, bool]]], str]:
    """Each document judged, in turn, by one worker (the pool's protocol)."""
    scratch = folder / f"run-{len(list(folder.glob('run-*')))}"
    scratch.mkdir()
    outs = [scratch / f"verdicts-{n}.json" for n in range(len(documents))]
    with WorkerPool(checks, None, 1, scratch) as pool:
        pool.only = only
        assert sorted(pool.run(list(zip(documents, outs, strict=True)))) == sorted(outs)
        said = (scratch / "worker-0.err").read_text()
    return [{(r["check"], r["resource"], r["passed"]) for r in json.loads(out.read_text())}
            for out in outs], said


def test_a_lazy_worker_judges_as_a_full_one_and_a_wrong_profile_loads_everything(
        production_plan: Plan, checks: list[str], profile: dict[str, Any],
        tmp_path: Path) -> None:
    part = _part(production_plan, profile, tmp_path)
    whole = tmp_path / "whole.json"  # every resource the mapped checks read, in one run
    types = set(profile["types"]) | set(checkov_resource_types())
    whole.write_text(json.dumps(partition.trim_plan(production_plan.raw, types)))
    full, said = _judge(checks, None, [whole, part], tmp_path)
    for judged in full:
        assert {c for c, *_ in judged if c.startswith("CKV2_")}, "no graph check judged"
        assert {c for c, *_ in judged if not c.startswith("CKV2_")}, "no plain check judged"
    modules, plain = profile["modules"], profile["plain"]
    lazy, said = _judge(checks, (modules, plain), [whole, part], tmp_path)
    assert lazy == full
    assert FALLBACK not in said
    wrong = {
        "a module missing": ([m for m in modules if not m.endswith(".RDSEncryption")], plain),
        "not a check module": (["os", *modules], plain),
        "an emptied profile": ([], []),  # it names no check: the requested ones are missing
    }
    for why, only in wrong.items():
        verdicts, said = _judge(checks, only, [part], tmp_path)
        assert verdicts == full[1:], why
        assert FALLBACK in said, why
