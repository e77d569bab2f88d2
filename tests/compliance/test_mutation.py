"""Mutations of the compliant production plan: each is caught at the mutated address only."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfproof.engine.policy import load_policies
from tfproof_dev.mutation import OPERATORS, judge, mutants, score
from tfproof_dev.mutation_operators import DELETIONS


@pytest.fixture(scope="module")
def production_mutants(production_plan):
    found = list(mutants(production_plan))
    assert found, "no mutation applies to the production plan"
    return found


@pytest.mark.plan
def test_every_operator_applies_somewhere(production_plan, production_mutants):
    applied = {m.operator.name for m in production_mutants}
    # operators whose resource types the env has must find a target there
    present = {r.type for r in production_plan.resources.values()}
    expected = {o.name for o in OPERATORS if o.types == ("*",) or set(o.types) & present}
    missing = expected - applied - {"drop_s3_encryption", "disable_versioning"}
    assert not missing


@pytest.mark.plan
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutant_is_caught_at_its_address_only(data, production_plan, production_mutants):
    mutant = data.draw(st.sampled_from(production_mutants))
    outcome = judge(production_plan, mutant, policies=load_policies())
    assert outcome.caught, f"{mutant.label} escaped"
    assert outcome.blamed <= mutant.blame, f"{mutant.label} also blamed {outcome.blamed}"


@pytest.mark.plan
def test_deleting_what_must_exist_is_caught_where_the_gap_is(production_mutants,
                                                             production_plan):
    """Alarms, budget, sampling rule, S3 endpoint, replication: each deletion is reported."""
    policies = load_policies()
    names = {o.name for o in DELETIONS}
    chosen = [m for m in production_mutants if m.operator.name in names]
    assert {m.operator.name for m in chosen} == names - {"delete_replication_config"}
    blamed = {}
    for mutant in chosen:
        outcome = judge(production_plan, mutant, policies=policies)
        assert outcome.caught, f"{mutant.label} escaped"
        assert outcome.blamed == mutant.blame, f"{mutant.label} blamed {outcome.blamed}"
        blamed[mutant.operator.name] = sorted(outcome.blamed)
    assert blamed["delete_budget"] == ["(plan)"]
    assert blamed["delete_sampling_rule"] == ["module.platform.module.ecs.aws_ecs_cluster.this"]
    assert blamed["delete_s3_endpoint"] == ["module.platform.module.network.aws_vpc.this"]
    assert blamed["delete_health_alarms"] == ["module.platform.module.ecs.aws_ecs_cluster.this"]
    assert blamed["delete_disk_alarms"] == ["module.platform.module.rds.aws_db_instance.this"]
    assert blamed["drop_replication"] == [
        "module.platform.module.storage.module.documents.aws_s3_bucket.this"]


@pytest.mark.plan
def test_score_reports_every_mutant(production_plan):
    result = score(production_plan, limit=30)
    assert result["mutants"] == 30
    assert result["score"] == 1.0 and result["precision"] == 1.0, result["escaped"]
    assert sum(k["mutants"] for k in result["by_kind"].values()) == 30
