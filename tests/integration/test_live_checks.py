"""Every live check against the applied sandbox env, plus idempotence and completeness."""

from __future__ import annotations

import pytest

from tfproof.sandbox.checks import CHECKS

from .conftest import record_checks

# under xdist (nox -s integration: --dist loadgroup) the env's apply and the crash-recovery
# runs share a worker, in sequence: a crashed run's record is cleaned by its own test, never
# by the env's start-of-run cleanup racing it from the other worker
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("sandbox-env")]


@pytest.mark.parametrize("name", list(CHECKS))
def test_live_check(live_run, name):
    results = live_run.check(name)
    record_checks(results)
    assert results, f"{name} checked nothing"
    failed = [r for r in results if r.status == "failed"]
    assert not failed, "\n".join(f"{r.resource}: {r.detail}" for r in failed)
    if all(r.status == "skipped" for r in results):
        pytest.skip("; ".join(sorted({r.detail for r in results})))


def test_plan_after_apply_shows_no_changes(live_run):
    drift = live_run.drift()
    record_checks(live_run.idempotence(drift))
    assert not drift["unexplained"], "changes right after apply:\n" + "\n".join(
        drift["unexplained"][:40])
    assert not drift["env-default-tags"], (
        "resources repeat the provider's default_tags keys in their own tags (provider 3.x "
        "strips them on read, so every plan re-adds them):\n"
        + "\n".join(drift["env-default-tags"][:40])
    )


def test_the_apply_leaves_nothing_of_the_env_out(live_run):
    """Every resource the env plans is applied: no moto gap, no toggle switched off for it."""
    assert not live_run.run.gaps, "left out: " + "; ".join(
        g.skip_reason() for g in live_run.run.gaps)
    assert not [v for v, value in live_run.run.record.variables.items() if value == "false"]
    applied = {r.address for r in live_run.context.resources()}
    missing = sorted(set(live_run.run.plan.resources) - applied)
    assert not missing, f"planned but not applied: {missing[:20]}"


def test_no_secret_in_the_run_files(live_run):
    import os

    from tfproof.terraform.inputs import env_secret_variables

    secret = os.environ.get("TF_VAR_db_password") or env_secret_variables()["db_password"]
    files = [p for p in live_run.run.record.directory.glob("*") if p.is_file()]
    assert files, "the run folder holds no files to check"
    for path in files:
        assert secret not in path.read_text(errors="replace"), f"db_password in clear in {path}"
