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
"""

from __future__ import annotations

import json
from typing import Any

from tfproof.sandbox.moto_ext import Extension

# the response methods moto 5.2.5 lacks
ACTIONS = (
    "describe_subscribers_for_notification", "update_budget", "update_notification",
    "create_subscriber", "delete_subscriber", "update_subscriber",
    "tag_resource", "untag_resource", "list_tags_for_resource",
)  # fmt: skip
# moto's own notification methods, replaced (identity, NotFound and duplicate checks)
REPLACED = ("create_notification", "delete_notification", "describe_notifications_for_budget")
MAX_SUBSCRIBERS = 11
PAGE_SIZE = 100
_ORIGINAL: dict[str, Any] = {}  # moto's create_budget and delete_budget, wrapped below


def _not_found(message: str) -> Exception:
    from moto.budgets.exceptions import NotFoundException

    return NotFoundException(message)


def _duplicate(record_type: str, name: str) -> Exception:
    from moto.budgets.exceptions import DuplicateRecordException

    return DuplicateRecordException(record_type=record_type, record_name=name)


def _identity(notification: dict[str, Any]) -> tuple[str, str, float, str]:
    """What names a notification in AWS Budgets (NotificationState is not part of it)."""
    return (
        notification.get("NotificationType", ""), notification.get("ComparisonOperator", ""),
        float(notification.get("Threshold", 0)), notification.get("ThresholdType") or "PERCENTAGE",
    )  # fmt: skip


def _key(subscriber: dict[str, Any]) -> tuple[str, str]:
    return subscriber.get("SubscriptionType", ""), subscriber.get("Address", "")


# -- backend (patched onto moto.budgets.models.BudgetsBackend) ---------------------------
def _budget(self: Any, account_id: str, name: str) -> Any:
    if name not in self.budgets[account_id]:
        raise _not_found(f"Unable to get budget: {name} - the budget doesn't exist.")
    return self.budgets[account_id][name]


def _notification(self: Any, account_id: str, name: str, details: dict[str, Any]) -> Any:
    for notification in _budget(self, account_id, name).notifications:
        if _identity(notification.details) == _identity(details):
            return notification
    raise _not_found(f"Unable to find notification {_identity(details)}.")


def _tagger(self: Any) -> Any:
    if "tagger" not in self.__dict__:
        from moto.utilities.tagging_service import TaggingService

        self.tagger = TaggingService()
    return self.tagger


def _arn(self: Any, account_id: str, name: str) -> str:
    return f"arn:{self.partition}:budgets::{account_id}:budget/{name}"


def _tagged(self: Any, arn: str) -> Any:
    """The tagger, once `arn` is known to name an existing budget (else NotFoundException)."""
    parts = (arn or "").split(":", 5)
    if len(parts) == 6 and parts[2] == "budgets" and parts[5].startswith("budget/"):
        _budget(self, parts[4], parts[5].split("/", 1)[1])
        return _tagger(self)
    raise _not_found(f"Unable to find resource {arn}.")


def create_budget(
    self: Any, account_id: str, budget: dict[str, Any], notifications: list[dict[str, Any]],
    resource_tags: list[dict[str, str]] | None = None,
) -> None:  # fmt: skip
    identities = [_identity(n["Notification"]) for n in notifications]
    if len(set(identities)) != len(identities):
        raise _duplicate("notification", budget["BudgetName"])
    _ORIGINAL["create_budget"](self, account_id, budget=budget, notifications=notifications)
    _tagger(self).tag_resource(_arn(self, account_id, budget["BudgetName"]), resource_tags or [])


def delete_budget(self: Any, account_id: str, budget_name: str) -> None:
    _ORIGINAL["delete_budget"](self, account_id, budget_name=budget_name)
    _tagger(self).delete_all_tags_for_resource(_arn(self, account_id, budget_name))


def update_budget(self: Any, account_id: str, new_budget: dict[str, Any]) -> None:
    from moto.budgets.models import Budget

    name = new_budget.get("BudgetName", "")
    old = self.budgets[account_id].get(name)
    if old is None:
        raise _not_found(f"Unable to update budget: {name} - the budget doesn't exist.")
    kept = {k: v for k, v in new_budget.items() if k != "CalculatedSpend"}
    kept.setdefault("TimePeriod", old.budget["TimePeriod"])
    fresh = Budget(kept, [])
    fresh.notifications = old.notifications
    self.budgets[account_id][name] = fresh


def create_notification(
    self: Any, account_id: str, budget_name: str, notification: dict[str, Any],
    subscribers: list[dict[str, Any]],
) -> None:  # fmt: skip
    budget = _budget(self, account_id, budget_name)
    if any(_identity(n.details) == _identity(notification) for n in budget.notifications):
        raise _duplicate("notification", budget_name)
    budget.add_notification(details=dict(notification), subscribers=list(subscribers))


def delete_notification(self: Any, account_id: str, budget_name: str, notification: Any) -> None:
    found = _notification(self, account_id, budget_name, notification)
    self.budgets[account_id][budget_name].notifications.remove(found)


def describe_notifications_for_budget(self: Any, account_id: str, budget_name: str) -> Any:
    budget = _budget(self, account_id, budget_name)
    return [{**n.details, "NotificationState": "OK"} for n in budget.notifications]


def update_notification(
    self: Any, account_id: str, budget_name: str, old: dict[str, Any], new: dict[str, Any]
) -> None:
    found = _notification(self, account_id, budget_name, old)
    others = [n for n in self.budgets[account_id][budget_name].notifications if n is not found]
    if any(_identity(n.details) == _identity(new) for n in others):
        raise _duplicate("notification", budget_name)
    found.details = dict(new)


def describe_subscribers_for_notification(
    self: Any, account_id: str, budget_name: str, notification: dict[str, Any]
) -> list[dict[str, Any]]:
    return list(_notification(self, account_id, budget_name, notification).subscribers)


def create_subscriber(
    self: Any, account_id: str, budget_name: str, notification: Any, subscriber: Any
) -> None:
    found = _notification(self, account_id, budget_name, notification)
    if _key(subscriber) in [_key(s) for s in found.subscribers]:
        raise _duplicate("subscriber", budget_name)
    if len(found.subscribers) >= MAX_SUBSCRIBERS:
        from moto.core.exceptions import JsonRESTError

        raise JsonRESTError("CreationLimitExceededException",
                            f"A notification takes at most {MAX_SUBSCRIBERS} subscribers.")
    found.subscribers = [*found.subscribers, dict(subscriber)]


def delete_subscriber(
    self: Any, account_id: str, budget_name: str, notification: Any, subscriber: Any
) -> None:
    found = _notification(self, account_id, budget_name, notification)
    kept = [s for s in found.subscribers if _key(s) != _key(subscriber)]
    if len(kept) == len(found.subscribers):
        raise _not_found(f"Unable to find subscriber {subscriber.get('Address')}.")
    found.subscribers = kept
    if not kept:  # AWS: deleting the last subscriber also deletes the notification
        self.budgets[account_id][budget_name].notifications.remove(found)


def update_subscriber(
    self: Any, account_id: str, budget_name: str, notification: Any, old: Any, new: Any
) -> None:
    found = _notification(self, account_id, budget_name, notification)
    keys = [_key(s) for s in found.subscribers]
    if _key(old) not in keys:
        raise _not_found(f"Unable to find subscriber {old.get('Address')}.")
    if _key(new) != _key(old) and _key(new) in keys:
        raise _duplicate("subscriber", budget_name)
    found.subscribers = [dict(new) if _key(s) == _key(old) else s for s in found.subscribers]


def tag_resource(self: Any, arn: str, tags: list[dict[str, str]]) -> None:
    _tagged(self, arn).tag_resource(arn, tags)


def untag_resource(self: Any, arn: str, keys: list[str]) -> None:
    _tagged(self, arn).untag_resource_using_names(arn, keys)


def list_tags_for_resource(self: Any, arn: str) -> list[dict[str, str]]:
    return _tagged(self, arn).list_tags_for_resource(arn)["Tags"]  # type: ignore[no-any-return]


# -- responses (patched onto moto.budgets.responses.BudgetsResponse) ---------------------
# actions that answer {}: the backend method of the same name takes these request parameters
COMMANDS = {
    "create_budget": ("AccountId", "Budget", "NotificationsWithSubscribers", "ResourceTags"),
    "update_budget": ("AccountId", "NewBudget"),
    "update_notification": ("AccountId", "BudgetName", "OldNotification", "NewNotification"),
    "create_subscriber": ("AccountId", "BudgetName", "Notification", "Subscriber"),
    "delete_subscriber": ("AccountId", "BudgetName", "Notification", "Subscriber"),
    "update_subscriber": ("AccountId", "BudgetName", "Notification", "OldSubscriber",
                          "NewSubscriber"),
    "tag_resource": ("ResourceARN", "ResourceTags"),
    "untag_resource": ("ResourceARN", "ResourceTagKeys"),
}  # fmt: skip
LISTS = {"NotificationsWithSubscribers", "ResourceTags", "ResourceTagKeys"}  # absent: []


def _command(name: str) -> Any:
    """The response method of one COMMANDS action."""

    def respond(self: Any) -> str:
        args = [self._get_param(p, [] if p in LISTS else None) for p in COMMANDS[name]]
        getattr(self.backend, name)(*args)
        return "{}"

    respond.__name__ = respond.__qualname__ = name
    return respond


def r_describe_subscribers_for_notification(self: Any) -> str:
    subscribers, token = self.backend.describe_subscribers_for_notification(
        account_id=self._get_param("AccountId"), budget_name=self._get_param("BudgetName"),
        notification=self._get_param("Notification"),
        max_results=self._get_param("MaxResults"), next_token=self._get_param("NextToken"),
    )  # fmt: skip
    return json.dumps({"Subscribers": subscribers, **({"NextToken": token} if token else {})})


def r_list_tags_for_resource(self: Any) -> str:
    tags = self.backend.list_tags_for_resource(self._get_param("ResourceARN"))
    return json.dumps({"ResourceTags": tags})


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
    _ORIGINAL.setdefault("create_budget", BudgetsBackend.create_budget)
    _ORIGINAL.setdefault("delete_budget", BudgetsBackend.delete_budget)
    for name in (*ACTIONS, *REPLACED, "create_budget", "delete_budget"):
        setattr(BudgetsBackend, name, globals()[name])
    pagination = {"describe_subscribers_for_notification": {
        "input_token": "next_token", "limit_key": "max_results", "limit_default": PAGE_SIZE,
        "unique_attribute": ["SubscriptionType", "Address"],
    }}  # fmt: skip
    BudgetsBackend.describe_subscribers_for_notification = paginate(pagination)(
        describe_subscribers_for_notification
    )
    for name in (*ACTIONS, "create_budget"):
        method = _command(name) if name in COMMANDS else globals()[f"r_{name}"]
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
