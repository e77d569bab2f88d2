"""A checkov worker that dies, hangs or answers garbage ends the scan with exit 2, never with
the verdicts it did give, and leaves no process behind.

The workers here are hostile stand-ins (a few lines of Python speaking, or breaking, the
worker's protocol) driven by the real pool; the real worker's own refusal of a plan
checkov cannot read is in tests/compliance/test_checkov_partition.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tfproof import lifecycle
from tfproof.checkov import runner
from tfproof.checkov.pool import WorkerPool
from tfproof.errors import ToolchainError

PROFILE = '{"profile": {"types": null, "split": true, "why": ""}}'


def _hostile(body: str) -> list[str]:
    """A worker command: says it is ready, then behaves as `body` says."""
    script = f"import sys, time\nprint({PROFILE!r}, flush=True)\n{body}\n"
    return [sys.executable, "-c", script]


def _run(tmp_path: Path, body: str, timeout: float = 60) -> tuple[WorkerPool, str]:
    plan = tmp_path / "part-0.json"
    plan.write_text("{}")
    pool = WorkerPool(["CKV_AWS_1"], None, 1, tmp_path, timeout=timeout,
                      command=_hostile(body))
    procs = []
    with pytest.raises(ToolchainError) as caught, pool:
        pool.start(1)
        procs = [w.proc for w in pool.workers]
        list(pool.run([(plan, tmp_path / "verdicts-0.json")]))
    assert procs and all(p.poll() is not None for p in procs), "a worker outlived the scan"
    assert not any(p.pid in lifecycle._children for p in procs)
    return pool, str(caught.value)


def test_a_worker_that_dies_mid_job_fails_the_scan(tmp_path: Path) -> None:
    _, message = _run(tmp_path, "sys.stdin.readline()\n"
                                "print('out of memory', file=sys.stderr)\nsys.exit(9)")
    assert "ended before it finished its work (exit 9)" in message
    assert "out of memory" in message and "no verdict of this run is used" in message


def test_a_worker_that_answers_garbage_fails_the_scan(tmp_path: Path) -> None:
    _, message = _run(tmp_path, "sys.stdin.readline()\nprint('PASSED', flush=True)\n"
                                "sys.stdin.read()")
    assert "not its protocol" in message


def test_a_worker_that_claims_another_job_fails_the_scan(tmp_path: Path) -> None:
    _, message = _run(tmp_path, "sys.stdin.readline()\n"
                                "print('{\"done\": \"/elsewhere.json\"}', flush=True)\n"
                                "sys.stdin.read()")
    assert "not its protocol" in message


def test_a_worker_that_hangs_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    _, message = _run(tmp_path, "sys.stdin.readline()\ntime.sleep(600)", timeout=1.0)
    assert "ran longer than 1 s" in message


def test_verdicts_for_what_the_worker_was_not_given_are_refused(tmp_path: Path) -> None:
    vertex = runner.partition.Vertex(0, "aws_s3_bucket.a", "resource", "aws_s3_bucket.a", "", {})
    unit = runner._Unit("k", [vertex])
    good = {"check": "CKV_AWS_1", "name": "n", "resource": "aws_s3_bucket.a", "passed": True,
            "evaluated_keys": []}
    for bad in ({**good, "resource": "aws_s3_bucket.other"}, {**good, "check": "CKV_AWS_2"},
                {**good, "passed": "yes"}, "PASSED", {"check": "CKV_AWS_1"}):
        with pytest.raises(ToolchainError):
            runner._assign([bad], [unit], ["CKV_AWS_1"], True, tmp_path)
    with pytest.raises(ToolchainError):
        runner._assign({"not": "a list"}, [unit], ["CKV_AWS_1"], True, tmp_path)
    assert not list(tmp_path.iterdir()), "a refused batch left a cache entry"
