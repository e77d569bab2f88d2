"""Live read-back of the platform's single-resource services: Redis, X-Ray, the budget.

Each compares what the sandbox API returns with what the plan said, field by
field, and names every field that differs: a rule or budget that exists but
samples or limits differently from the plan is as wrong as a missing one.
"""

from __future__ import annotations

from typing import Any

from tfproof.sandbox.checks.base import LiveContext
from tfproof.sandbox.livecheck import LiveCheck, outcome


def _differences(planned: dict[str, Any], actual: dict[str, Any],
                 fields: tuple[tuple[str, str], ...]) -> list[str]:  # fmt: skip
    """`api=value (planned value)` for each (plan field, API field) whose values differ."""
    wrong = []
    for tf, api in fields:
        want, got = planned.get(tf), actual.get(api)
        if isinstance(want, int | float) and isinstance(got, int | float | str):
            same = float(want) == float(got)
        else:
            same = (want or None) == (got or None)
        if not same:
            wrong.append(f"{api}={got!r} (planned {want!r})")
    return wrong


def redis_encryption(ctx: LiveContext) -> list[LiveCheck]:
    """ENC-REST and ENC-TRANSIT: the replication group and every member cluster encrypt."""
    ec = ctx.client("elasticache")
    out = []
    for res in ctx.resources("aws_elasticache_replication_group"):
        group = ec.describe_replication_groups(
            ReplicationGroupId=res.values["replication_group_id"])["ReplicationGroups"][0]
        members = [ec.describe_cache_clusters(CacheClusterId=m)["CacheClusters"][0]
                   for m in group.get("MemberClusters", [])]  # fmt: skip
        for flag, control in (("AtRestEncryptionEnabled", "ENC-REST"),
                              ("TransitEncryptionEnabled", "ENC-TRANSIT")):  # fmt: skip
            off = [m["CacheClusterId"] for m in members if not m.get(flag)]
            ok = bool(group.get(flag)) and bool(members) and not off
            out.append(outcome(
                f"Redis {flag.removesuffix('Enabled')}", control, ok,
                f"group {flag}={group.get(flag)}; {len(members)} member cluster(s)"
                + (f", off on {', '.join(off)}" if off else ""), res.address,
            ))  # fmt: skip
    return out or [outcome("Redis encrypted", "ENC-REST", False, "no Redis replication group")]


_XRAY_FIELDS = (
    ("priority", "Priority"), ("fixed_rate", "FixedRate"), ("reservoir_size", "ReservoirSize"),
    ("service_name", "ServiceName"), ("service_type", "ServiceType"), ("host", "Host"),
    ("http_method", "HTTPMethod"), ("url_path", "URLPath"), ("resource_arn", "ResourceARN"),
    ("version", "Version"),
)


def xray_sampling_rules(ctx: LiveContext) -> list[LiveCheck]:
    """OBSERVABILITY: every planned X-Ray sampling rule is served as planned."""
    xray = ctx.client("xray")
    served: dict[str, dict[str, Any]] = {}
    for page in xray.get_paginator("get_sampling_rules").paginate():
        for record in page["SamplingRuleRecords"]:
            served[record["SamplingRule"]["RuleName"]] = record["SamplingRule"]
    out = []
    for res in ctx.resources("aws_xray_sampling_rule"):
        rule = served.get(res.values["rule_name"])
        if rule is None:
            out.append(outcome("X-Ray sampling rule as planned", "OBSERVABILITY", False,
                               f"{res.values['rule_name']} not served", res.address))
            continue
        wrong = _differences(res.values, rule, _XRAY_FIELDS)
        out.append(outcome(
            "X-Ray sampling rule as planned", "OBSERVABILITY", not wrong,
            "; ".join(wrong) or f"{rule['RuleName']}: priority {rule['Priority']}, "
            f"{rule['FixedRate']:.0%} after {rule['ReservoirSize']}/s", res.address,
        ))  # fmt: skip
    return out or [outcome("X-Ray sampling rule as planned", "OBSERVABILITY", False,
                           "no X-Ray sampling rule applied")]  # fmt: skip


def _notifications(budgets: Any, account: str, name: str) -> set[tuple[Any, ...]]:
    found = set()
    for item in budgets.describe_notifications_for_budget(
            AccountId=account, BudgetName=name).get("Notifications", []):
        subscribers = budgets.describe_subscribers_for_notification(
            AccountId=account, BudgetName=name, Notification=item)["Subscribers"]
        found.add((item["NotificationType"], item["ComparisonOperator"],
                   float(item["Threshold"]), item.get("ThresholdType", "PERCENTAGE"),
                   frozenset((s["SubscriptionType"], s["Address"]) for s in subscribers)))
    return found


def _planned_notifications(values: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {
        (n["notification_type"], n["comparison_operator"], float(n["threshold"]),
         n.get("threshold_type") or "PERCENTAGE",
         frozenset([*(("EMAIL", a) for a in n.get("subscriber_email_addresses") or []),
                    *(("SNS", a) for a in n.get("subscriber_sns_topic_arns") or [])]))
        for n in values.get("notification") or []
    }  # fmt: skip


def budget_as_planned(ctx: LiveContext) -> list[LiveCheck]:
    """COST: the budget's limit, period and notifications (with subscribers) read back."""
    budgets = ctx.client("budgets")
    out = []
    for res in ctx.resources("aws_budgets_budget"):
        account, name = res.values["account_id"], res.values["name"]
        budget = budgets.describe_budget(AccountId=account, BudgetName=name)["Budget"]
        actual = {"BudgetType": budget["BudgetType"], "TimeUnit": budget["TimeUnit"],
                  "Amount": budget["BudgetLimit"]["Amount"],
                  "Unit": budget["BudgetLimit"]["Unit"]}  # fmt: skip
        wrong = _differences(res.values, actual, (
            ("budget_type", "BudgetType"), ("time_unit", "TimeUnit"),
            ("limit_amount", "Amount"), ("limit_unit", "Unit")))  # fmt: skip
        planned = _planned_notifications(res.values)
        served = _notifications(budgets, account, name)
        if served != planned:
            wrong.append(f"{len(served)} notification(s) served, {len(planned)} planned "
                         "(type, operator, threshold or subscribers differ)")
        out.append(outcome(
            "budget as planned", "COST", not wrong,
            "; ".join(wrong) or f"{actual['Amount']} {actual['Unit']} per "
            f"{actual['TimeUnit'].lower()}, {len(served)} notification(s) with subscribers",
            res.address,
        ))  # fmt: skip
    return out or [outcome("budget as planned", "COST", False, "no budget applied")]
