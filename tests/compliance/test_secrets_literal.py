"""TFP_SECRETS_LITERAL names where a literal credential sits (fixture root `secrets`).

test_policies.py checks the outcome of every pass_/fail_ resource; here the
message must name the path a reader has to fix, and the policy must judge a
plan that nobody redacted (built in memory) the same way as a redacted one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import load_policies
from tfproof.plan import Plan

FIXTURES = Path(__file__).parent / "fixtures"


def _policy():
    return next(p for p in load_policies() if p.id == "TFP_SECRETS_LITERAL")


def _messages(plan: Plan) -> dict[str, tuple[str, str]]:
    policy, index = _policy(), PlanIndex(plan)
    out = {}
    for address, resource in plan.resources.items():
        verdict = policy.evaluate(resource, index)
        if verdict is not None:
            out[address] = (verdict.outcome, verdict.message)
    return out


@pytest.mark.plan
def test_each_literal_is_reported_with_its_path(plan_of):
    found = _messages(plan_of(FIXTURES / "secrets"))
    failed = {a: m for a, (o, m) in found.items() if o == "failed"}
    assert failed == {
        "aws_lambda_function.fail_lambda_literal_password":
            "literal credential in environment.variables.DB_PASSWORD",
        "aws_ecs_task_definition.fail_task_literal_environment":
            "literal credential in container_definitions[0].environment.DB_PASSWORD",
        "aws_ecs_task_definition.fail_task_heredoc_json":
            "literal credential in container_definitions[0].environment.API_TOKEN",
        "aws_instance.fail_instance_user_data_export": "literal credential in user_data",
        "aws_launch_template.fail_launch_template_base64": "literal credential in user_data",
    }


def _raw(expressions: dict, values: dict) -> dict:
    """A plan JSON with one Lambda, exactly as `terraform show -json` writes it (unredacted)."""
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [{
            "address": "aws_lambda_function.f", "mode": "managed",
            "type": "aws_lambda_function", "name": "f", "values": values,
            "sensitive_values": {},
        }]}},
        "resource_changes": [],
        "configuration": {"root_module": {"resources": [{
            "address": "aws_lambda_function.f", "mode": "managed",
            "type": "aws_lambda_function", "name": "f", "expressions": expressions,
        }]}},
    }


ENV = {"DB_PASSWORD": "In-Memory-Pw-1", "LOG_LEVEL": "info"}


def test_an_unredacted_constant_map_fails_too():
    plan = Plan(_raw({"environment": [{"variables": {"constant_value": ENV}}]},
                     {"environment": [{"variables": ENV}]}), checked=True)
    assert _messages(plan) == {"aws_lambda_function.f": (
        "failed", "literal credential in environment.variables.DB_PASSWORD")}


def test_a_map_from_references_is_not_a_literal():
    # Terraform writes only the references of a map that mixes variables and literals
    plan = Plan(_raw({"environment": [{"variables": {"references": ["var.db_password"]}}]},
                     {"environment": [{"variables": ENV}]}), checked=True)
    assert _messages(plan)["aws_lambda_function.f"][0] == "passed"


def test_a_reference_free_call_is_judged_by_its_planned_value():
    # `variables = merge({...})`: no constant_value, no reference: the planned value is the literal
    plan = Plan(_raw({"environment": [{"variables": {}}]},
                     {"environment": [{"variables": ENV}]}), checked=True)
    assert _messages(plan)["aws_lambda_function.f"] == (
        "failed", "literal credential in environment.variables.DB_PASSWORD")
