"""A big plan file starts its checkov worker before it is read, and never leaves it behind.

`tfproof.engine.scan` starts one worker (importing only the profile's check modules)
while the plan is loaded and the engine runs, when the plan file is big and the check
list's profile is cached. Here the size bar is lowered to the production plan, which is
scanned three times on one cache: cold (no profile yet: no early worker), unchanged (the
early worker starts, every part is cached, it is stopped), and with one bucket's tags
changed (the early worker judges that part, and no other starts). Every scan says the
same, and no worker outlives its scan; a plan file that does not parse stops the early
worker with the scan's own exit-2 error.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tfproof import lifecycle
from tfproof.engine import scan as scan_module
from tfproof.errors import InputError
from tfproof.plan import Plan

pytestmark = [pytest.mark.plan, pytest.mark.checkov]


def _verdicts(report: Any) -> set[tuple[str, str, str, str]]:
    return {(f.control, f.check, f.resource, f.status) for f in report.findings}


def _retagged(raw: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(raw)
    bucket = next(r for r in changed["resource_changes"] if r["type"] == "aws_s3_bucket")
    after = bucket["change"]["after"]
    after["tags"] = {**(after.get("tags") or {}), "team": "edited"}
    return changed


def test_the_early_worker_judges_a_change_and_is_stopped_when_nothing_changed(
        production_plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFPROOF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(scan_module, "EARLY_WORKER_BYTES", 1)
    started: list[tuple[list[str], subprocess.Popen[Any]]] = []
    real_popen = lifecycle.popen

    def spy(argv: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
        proc = real_popen(argv, **kwargs)
        started.append((list(argv), proc))
        return proc

    monkeypatch.setattr(lifecycle, "popen", spy)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(production_plan.raw))
    cold = scan_module.scan(plan=plan_file)
    assert started and not any("--modules" in argv for argv, _ in started)

    started.clear()
    warm = scan_module.scan(plan=plan_file)
    assert _verdicts(warm) == _verdicts(cold)
    assert len(started) == 1 and "--modules" in started[0][0], "no early worker started"
    assert started[0][1].poll() is not None, "the early worker outlived the scan"

    started.clear()
    changed_file = tmp_path / "changed.json"
    changed_file.write_text(json.dumps(_retagged(production_plan.raw)))
    changed = scan_module.scan(plan=changed_file)
    assert _verdicts(changed) == _verdicts(cold)  # tags decide none of the verdicts
    assert len(started) == 1, "the changed part was not judged by the early worker alone"
    assert started[0][1].poll() is not None

    started.clear()
    broken = tmp_path / "broken.json"
    broken.write_text(plan_file.read_text()[:-2])
    with pytest.raises(InputError):
        scan_module.scan(plan=broken)
    assert len(started) == 1 and started[0][1].poll() is not None
