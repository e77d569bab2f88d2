"""AWS Budgets behaviour as methods of moto's BudgetsBackend: notifications, subscribers,
UpdateBudget and budget tags (the semantics are listed in `tfproof.sandbox.moto_ext.budgets`).

`tfproof.sandbox.moto_ext.budgets.install` sets each public function here on
`moto.budgets.models.BudgetsBackend` under its own name; create_budget and delete_budget wrap
moto's originals, kept in `ORIGINAL`. moto is imported inside functions only.
"""

from __future__ import annotations

from typing import Any

MAX_SUBSCRIBERS = 11
ORIGINAL: dict[str, Any] = {}  # moto's create_budget and delete_budget, wrapped below


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
    ORIGINAL["create_budget"](self, account_id, budget=budget, notifications=notifications)
    _tagger(self).tag_resource(_arn(self, account_id, budget["BudgetName"]), resource_tags or [])


def delete_budget(self: Any, account_id: str, budget_name: str) -> None:
    ORIGINAL["delete_budget"](self, account_id, budget_name=budget_name)
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
