"""AWS Budgets request handling for the actions moto 5.2.5 lacks, as methods of moto's
BudgetsResponse: parse the JSON request as moto's responses do, call the backend method of
the same name (`tfproof.sandbox.moto_ext.budgets_models`), answer in the API's shape.
"""

from __future__ import annotations

import json
from typing import Any

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


def command(name: str) -> Any:
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
