"""Hostile cases of checkov's early, lazy worker (`CheckovSession.warm_up`, `tfproof.checkov.lazy`).

A scan of a big plan file starts a worker from the cached profile before the plan is
read, then looks the profile up again when it splits the plan. The cache is shared
(several scans, a CI cache restored or cleared meanwhile): the profile may be gone by
then. The worker started early never describes the checks (it was started from the
profile), so waiting for a description from it waited out the pool's one-hour limit.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tfproof.checkov import cache
from tfproof.checkov.runner import CheckovSession, run_checkov
from tfproof.engine.catalog import load_checkov_map

pytestmark = [pytest.mark.plan, pytest.mark.checkov]
PLAN = Path(__file__).parent / "fixtures" / "github_action" / "plan.json"


def _verdicts(results: list) -> set[tuple[str, str, bool]]:
    return {(r.check, r.resource, r.passed) for r in results}


def test_a_profile_removed_after_the_early_start_neither_hangs_nor_changes_a_verdict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFPROOF_CACHE_DIR", str(tmp_path / "cache"))
    raw = json.loads(PLAN.read_text())
    checks = sorted(load_checkov_map())
    cold = run_checkov(raw, checks, use_cache=False)  # caches the profile
    assert cold, "the fixture plan gave checkov nothing to judge"
    profiles = list(cache.folder("checkov-profile").iterdir())
    assert profiles
    with CheckovSession(checks) as session:
        assert session.pool is not None
        # fail, rather than wait an hour, if the scan waits for what never comes
        session.pool.deadline = time.monotonic() + 30
        assert session.warm_up(), "no early worker started from the cached profile"
        for entry in profiles:  # another command clears the cache meanwhile
            entry.unlink()
        started = time.monotonic()
        session.prepare(raw, use_cache=False)
        warm = session.results()
        waited = time.monotonic() - started
    assert _verdicts(warm) == _verdicts(cold)
    assert waited < 20, f"the scan waited {waited:.0f} s for a profile no worker would give"
