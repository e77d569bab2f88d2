"""Budgets notifications, subscribers, updates and tags on the embedded server.

(tfproof.sandbox.moto_ext.budgets) boto3 against a running server, then the
platform's budget applied by the bundled Terraform AWS provider: created, read
back without drift, updated in place and destroyed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tfproof.sandbox.kinds import EmbeddedSandbox
from tfproof.sandbox.runner import SandboxRun

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"
EMAIL = {"SubscriptionType": "EMAIL", "Address": "finops@example.com"}
SNS = {"SubscriptionType": "SNS", "Address": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"}
ACTUAL_80 = {
    "NotificationType": "ACTUAL",
    "ComparisonOperator": "GREATER_THAN",
    "Threshold": 80.0,
    "ThresholdType": "PERCENTAGE",
}


def _budget(name: str, amount: str = "1000") -> dict:
    return {
        "BudgetName": name,
        "BudgetType": "COST",
        "BudgetLimit": {"Amount": amount, "Unit": "USD"},
        "TimeUnit": "MONTHLY",
        "CostFilters": {"TagKeyValue": ["user:Project$gen-ai-services"]},
    }


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


@pytest.fixture()
def budgets(aws):
    return aws("budgets", region="us-east-1")


def _create(budgets, name: str, subscribers: list[dict] | None = None, **extra) -> None:
    budgets.create_budget(
        AccountId=ACCOUNT,
        Budget=_budget(name),
        NotificationsWithSubscribers=[
            {"Notification": ACTUAL_80, "Subscribers": subscribers or [EMAIL, SNS]}
        ],
        **extra,
    )


def _subscribers(budgets, name: str, notification: dict = ACTUAL_80, **page) -> dict:
    return budgets.describe_subscribers_for_notification(
        AccountId=ACCOUNT, BudgetName=name, Notification=notification, **page
    )


def test_subscribers_of_a_notification_created_with_the_budget(budgets):
    _create(budgets, "subs")
    [notification] = budgets.describe_notifications_for_budget(
        AccountId=ACCOUNT, BudgetName="subs"
    )["Notifications"]
    assert notification == {**ACTUAL_80, "NotificationState": "OK"}
    # the notification is named by type, operator, threshold and threshold type only
    assert _subscribers(budgets, "subs", notification)["Subscribers"] == [EMAIL, SNS]
    first = _subscribers(budgets, "subs", MaxResults=1)
    assert first["Subscribers"] == [EMAIL] and first["NextToken"]
    rest = _subscribers(budgets, "subs", MaxResults=1, NextToken=first["NextToken"])
    assert rest["Subscribers"] == [SNS] and "NextToken" not in rest


def test_describe_errors_for_a_missing_budget_or_notification(budgets):
    _create(budgets, "errs")
    with pytest.raises(ClientError) as error:
        budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="absent")
    assert _code(error) == "NotFoundException"
    with pytest.raises(ClientError) as error:
        _subscribers(budgets, "errs", {**ACTUAL_80, "Threshold": 90.0})
    assert _code(error) == "NotFoundException"
    with pytest.raises(ClientError) as error:
        _subscribers(budgets, "absent")
    assert _code(error) == "NotFoundException"


def test_notifications_are_unique_and_deleting_a_missing_one_fails(budgets):
    _create(budgets, "uniq")
    where = {"AccountId": ACCOUNT, "BudgetName": "uniq"}
    with pytest.raises(ClientError) as error:
        budgets.create_notification(**where, Notification=ACTUAL_80, Subscribers=[EMAIL])
    assert _code(error) == "DuplicateRecordException"
    forecast = {**ACTUAL_80, "NotificationType": "FORECASTED"}
    budgets.create_notification(**where, Notification=forecast, Subscribers=[SNS])
    budgets.update_notification(
        **where, OldNotification=forecast, NewNotification={**forecast, "Threshold": 100.0}
    )
    with pytest.raises(ClientError) as error:
        budgets.update_notification(
            **where, OldNotification={**forecast, "Threshold": 100.0}, NewNotification=ACTUAL_80
        )
    assert _code(error) == "DuplicateRecordException"
    budgets.delete_notification(**where, Notification={**forecast, "Threshold": 100.0})
    assert budgets.describe_notifications_for_budget(**where)["Notifications"] == [
        {**ACTUAL_80, "NotificationState": "OK"}
    ]
    with pytest.raises(ClientError) as error:
        budgets.delete_notification(**where, Notification=forecast)
    assert _code(error) == "NotFoundException"


def test_create_update_and_delete_subscribers(budgets):
    _create(budgets, "crud", subscribers=[EMAIL])
    where = {"AccountId": ACCOUNT, "BudgetName": "crud", "Notification": ACTUAL_80}
    budgets.create_subscriber(**where, Subscriber=SNS)
    with pytest.raises(ClientError) as error:
        budgets.create_subscriber(**where, Subscriber=SNS)
    assert _code(error) == "DuplicateRecordException"
    other = {"SubscriptionType": "EMAIL", "Address": "ops@example.com"}
    budgets.update_subscriber(**where, OldSubscriber=EMAIL, NewSubscriber=other)
    assert _subscribers(budgets, "crud")["Subscribers"] == [other, SNS]
    with pytest.raises(ClientError) as error:
        budgets.update_subscriber(**where, OldSubscriber=EMAIL, NewSubscriber=other)
    assert _code(error) == "NotFoundException"
    budgets.delete_subscriber(**where, Subscriber=other)
    with pytest.raises(ClientError) as error:
        budgets.delete_subscriber(**where, Subscriber=other)
    assert _code(error) == "NotFoundException"
    # deleting the last subscriber deletes the notification
    budgets.delete_subscriber(**where, Subscriber=SNS)
    notifications = budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="crud")[
        "Notifications"
    ]
    assert notifications == []


def test_update_budget_replaces_it_and_keeps_its_notifications(budgets):
    _create(budgets, "upd")
    before = budgets.describe_budget(AccountId=ACCOUNT, BudgetName="upd")["Budget"]
    budgets.update_budget(AccountId=ACCOUNT, NewBudget={**_budget("upd", "250"), "CostFilters": {}})
    after = budgets.describe_budget(AccountId=ACCOUNT, BudgetName="upd")["Budget"]
    assert after["BudgetLimit"] == {"Amount": "250", "Unit": "USD"}
    assert after.get("CostFilters", {}) == {}
    assert after["TimePeriod"] == before["TimePeriod"]
    assert after["CalculatedSpend"]["ActualSpend"]["Amount"] == "0"
    assert _subscribers(budgets, "upd")["Subscribers"] == [EMAIL, SNS]
    with pytest.raises(ClientError) as error:
        budgets.update_budget(AccountId=ACCOUNT, NewBudget=_budget("absent"))
    assert _code(error) == "NotFoundException"


def test_budget_tags_and_their_removal_with_the_budget(budgets):
    _create(budgets, "tagged", ResourceTags=[{"Key": "Owner", "Value": "finops"}])
    arn = f"arn:aws:budgets::{ACCOUNT}:budget/tagged"
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [
        {"Key": "Owner", "Value": "finops"}
    ]
    budgets.tag_resource(ResourceARN=arn, ResourceTags=[{"Key": "Tier", "Value": "1"}])
    budgets.untag_resource(ResourceARN=arn, ResourceTagKeys=["Owner"])
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [
        {"Key": "Tier", "Value": "1"}
    ]
    budgets.delete_budget(AccountId=ACCOUNT, BudgetName="tagged")
    with pytest.raises(ClientError) as error:
        budgets.list_tags_for_resource(ResourceARN=arn)
    assert _code(error) == "NotFoundException"


BUDGET_TF = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_budgets_budget" "this" {
  name              = "gen-ai-monthly"
  budget_type       = "COST"
  limit_amount      = "LIMIT"
  limit_unit        = "USD"
  time_unit         = "MONTHLY"
  time_period_start = "2025-01-01_00:00"

  cost_filters = {
    TagKeyValue = format("user:%s$%s", "Project", "gen-ai-services")
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = THRESHOLD
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = ["finops@example.com"]
    subscriber_sns_topic_arns  = ["arn:aws:sns:us-east-1:123456789012:gen-ai-alerts"]
  }
}
"""


def _budget_tf(limit: str, threshold: int) -> str:
    return BUDGET_TF.replace("LIMIT", limit).replace("THRESHOLD", str(threshold))


def test_terraform_creates_reads_updates_and_destroys_the_platform_budget(tmp_path: Path):
    """As infra/modules/budget writes the budget (provider 3.39.0), end to end."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(_budget_tf("1000", 80))
    run = SandboxRun(EmbeddedSandbox(), root)
    try:
        run.prepare()
        run.apply()
        [budget] = run.state["values"]["root_module"]["resources"]
        assert budget["values"]["cost_filters"] == {"TagKeyValue": "user:Project$gen-ai-services"}
        [notification] = budget["values"]["notification"]
        assert notification["subscriber_sns_topic_arns"] == [
            "arn:aws:sns:us-east-1:123456789012:gen-ai-alerts"
        ]
        assert run.pending_changes() == []
        assert run.workspace is not None  # the run's scratch copy is what Terraform applies
        (run.workspace.root / "main.tf").write_text(_budget_tf("500", 90))
        assert run.pending_changes() == ["aws_budgets_budget.this (update)"]
        run.apply()
        [budget] = run.state["values"]["root_module"]["resources"]
        assert budget["values"]["limit_amount"] == "500"
        assert [n["threshold"] for n in budget["values"]["notification"]] == [90]
        assert run.pending_changes() == []
    finally:
        report = run.teardown()
    assert report.clean, report
    assert report.destroyed == 1
