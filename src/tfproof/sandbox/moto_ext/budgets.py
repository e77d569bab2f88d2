"""Budget notifications, subscribers, updates and tags that moto 5.2.5's budgets service lacks.

Why the provider's budget create never completed: after CreateBudget and
CreateNotification, the read of `aws_budgets_budget` calls
DescribeSubscribersForNotification for every notification, and moto 5.2.5 does
not implement it (HTTP 500, "action has not been implemented"); the SDK retries
the 500 and the create fails. Nor does moto implement UpdateBudget (any in-place
change) or the subscriber actions, and DescribeNotificationsForBudget on a
missing budget crashes (KeyError, HTTP 500) instead of NotFoundException.

This follows the AWS Budgets API reference
(https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/):

- a notification is identified by NotificationType, ComparisonOperator,
  Threshold and ThresholdType (PERCENTAGE when omitted); a second one with the
  same identity is DuplicateRecordException, a missing one NotFoundException;
  DescribeNotificationsForBudget reports NotificationState OK (no spend here);
- DescribeSubscribersForNotification lists a notification's subscribers
  (MaxResults/NextToken); CreateSubscriber, UpdateSubscriber and DeleteSubscriber
  change them (at most 11, no duplicates), and deleting the last subscriber of a
  notification deletes the notification;
- UpdateBudget replaces every part of the budget but its name (the notifications
  stay; a TimePeriod left out keeps the old one); CalculatedSpend starts again at 0;
- CreateBudget's ResourceTags, TagResource, UntagResource and ListTagsForResource
  work on arn:<partition>:budgets::<account>:budget/<name>; DeleteBudget drops them.

The backend methods are in `budgets_models`, the request handling in `budgets_responses`;
this module probes moto and installs them.
"""

from __future__ import annotations

from tfproof.sandbox.moto_ext import Extension, budgets_models, budgets_responses

# the response methods moto 5.2.5 lacks
ACTIONS = (
    "describe_subscribers_for_notification", "update_budget", "update_notification",
    "create_subscriber", "delete_subscriber", "update_subscriber",
    "tag_resource", "untag_resource", "list_tags_for_resource",
)  # fmt: skip
# moto's own notification methods, replaced (identity, NotFound and duplicate checks)
REPLACED = ("create_notification", "delete_notification", "describe_notifications_for_budget")
PAGE_SIZE = 100


def _missing_budget_is_not_found() -> bool:
    """The probe: does moto answer NotFoundException for a missing budget's notifications?"""
    from moto.budgets.exceptions import NotFoundException
    from moto.budgets.models import BudgetsBackend

    try:
        BudgetsBackend("aws", "000000000000").describe_notifications_for_budget(
            account_id="000000000000", budget_name="tfproof-probe"
        )
    except NotFoundException:
        return True
    except Exception:
        return False
    return False


def install() -> bool:
    """Patch the budgets service; False (nothing changed) when moto has no defect left."""
    from moto.budgets.models import BudgetsBackend
    from moto.budgets.responses import BudgetsResponse
    from moto.utilities.paginator import paginate

    if all(hasattr(BudgetsResponse, a) for a in ACTIONS) and _missing_budget_is_not_found():
        return False
    budgets_models.ORIGINAL.setdefault("create_budget", BudgetsBackend.create_budget)
    budgets_models.ORIGINAL.setdefault("delete_budget", BudgetsBackend.delete_budget)
    for name in (*ACTIONS, *REPLACED, "create_budget", "delete_budget"):
        setattr(BudgetsBackend, name, getattr(budgets_models, name))
    pagination = {"describe_subscribers_for_notification": {
        "input_token": "next_token", "limit_key": "max_results", "limit_default": PAGE_SIZE,
        "unique_attribute": ["SubscriptionType", "Address"],
    }}  # fmt: skip
    BudgetsBackend.describe_subscribers_for_notification = paginate(pagination)(
        budgets_models.describe_subscribers_for_notification
    )
    for name in (*ACTIONS, "create_budget"):
        if name in budgets_responses.COMMANDS:
            method = budgets_responses.command(name)
        else:
            method = getattr(budgets_responses, f"r_{name}")
        setattr(BudgetsResponse, name, method)
    return True


EXTENSION = Extension(
    name="budgets",
    service="budgets",
    behaviour="AWS Budgets notifications and subscribers as the Budgets API reference documents "
    "them: DescribeSubscribersForNotification (which the provider's read of "
    "aws_budgets_budget calls and moto lacked), UpdateBudget, UpdateNotification, "
    "Create/Update/DeleteSubscriber, notifications identified by type, operator, threshold "
    "and threshold type (DuplicateRecordException, NotFoundException), NotFoundException for "
    "a missing budget's notifications, and budget tags (ResourceTags, TagResource, "
    "UntagResource, ListTagsForResource)",
    limits="no spend: CalculatedSpend stays 0 and notifications never fire (NotificationState "
    "is always OK); no budget actions, performance history or auto-adjusting budgets; no "
    "quota on notifications per budget; DescribeNotificationsForBudget and DescribeBudgets "
    "are not paginated",
    install=install,
)
