"""Mutations of the compliant production plan: each is caught at the mutated address only.

The settings that govern other resources (account-wide switches, provider-4+ split bucket
settings, the buckets a trail names through them) are mutated on the hand-made plan-JSON roots
that hold them (provider 3.39's production plan has none of the account-wide ones): each
mutant must fail what the setting governed, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfproof.engine.policy import load_policies
from tfproof.plan import Plan
from tfproof_dev.mutation import OPERATORS, judge, mutants, score
from tfproof_dev.mutation_linking import LINKING
from tfproof_dev.mutation_operators import DELETIONS

FIXTURES = Path(__file__).parent / "fixtures"
LINKING_CORPUS = ("account_wide", "split_buckets_p5", "provider6_resources")


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
    # the production plan has no inline S3 settings and no S3 Object Lock
    missing = expected - applied - {"drop_s3_encryption", "disable_versioning", "drop_object_lock"}
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


# -- the links between a setting and what it governs ----------------------------------------


@pytest.fixture(scope="module")
def linking_mutants():
    names = {o.name for o in LINKING}
    found = []
    for root in LINKING_CORPUS:
        plan = Plan.load(FIXTURES / root / "plan.json")
        found += [(plan, m) for m in mutants(plan) if m.operator.name in names]
    return found


def test_every_linking_operator_applies_to_the_corpus(linking_mutants):
    labels = {m.label for _, m in linking_mutants}
    assert {o.name for o in LINKING} == {m.operator.name for _, m in linking_mutants}
    # the paths a reader could lose without a verdict changing: a trail that names its bucket
    # through the bucket policy, Object Lock as versioning, a region set on the resource
    assert {
        "trail_bucket_versioning_suspended@aws_s3_bucket_versioning.aux_pass_trail_split",
        "drop_object_lock@aws_s3_bucket.pass_trail_object_lock",
        "delete_split_object_lock@aws_s3_bucket_object_lock_configuration."
        "aux_pass_alb_logs_object_lock",
        "ebs_default_encryption_off@aws_ebs_encryption_by_default.aux_default_eu",
        "drop_registry_scan_rules@aws_ecr_registry_scanning_configuration.aux_registry_eu",
        "account_public_access_off@aws_s3_account_public_access_block.aux_account",
    } <= labels


def test_linking_mutant_is_caught_where_the_setting_governs(linking_mutants):
    policies = load_policies()
    for plan, mutant in linking_mutants:
        outcome = judge(plan, mutant, policies=policies)
        assert outcome.caught, f"{mutant.label} escaped on {plan.name}"
        assert outcome.blamed <= mutant.blame, f"{mutant.label} also blamed {outcome.blamed}"
