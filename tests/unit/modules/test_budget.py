"""budget: gen-ai-monthly, 1000 USD, filtered on the Project cost tag, 80 % actual-spend alert
to its subscribers."""

from __future__ import annotations

import pytest
from tftest import TerraformPlanOutput

from .support import resources

pytestmark = pytest.mark.plan


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("budget")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    assert set(resources(plan)) == {"module.this.aws_budgets_budget.this"}


@pytest.mark.control("COST")
def test_monthly_cost_budget_on_the_project_tag(this) -> None:
    budget = this.resources["aws_budgets_budget.this"]["values"]
    assert budget["name"] == "gen-ai-monthly"
    assert budget["budget_type"] == "COST"
    assert (float(budget["limit_amount"]), budget["limit_unit"]) == (1000.0, "USD")
    assert budget["time_unit"] == "MONTHLY"
    assert budget["time_period_start"] == "2025-01-01_00:00"
    # AWS stores user cost-allocation tags as user:<key>$<value> (deviation 19).
    assert budget["cost_filters"] == {"TagKeyValue": "user:Project$gen-ai-services"}


@pytest.mark.control("COST")
def test_alert_at_80_percent_actual_spend_reaches_topic_and_mail(this) -> None:
    (notification,) = this.resources["aws_budgets_budget.this"]["values"]["notification"]
    assert notification["comparison_operator"] == "GREATER_THAN"
    assert notification["threshold"] == 80
    assert notification["threshold_type"] == "PERCENTAGE"
    assert notification["notification_type"] == "ACTUAL"
    assert notification["subscriber_sns_topic_arns"] == [
        "arn:aws:sns:us-east-1:123456789012:gen-ai-alerts"
    ]
    assert notification["subscriber_email_addresses"] == ["finops@example.com"]
