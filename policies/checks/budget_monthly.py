"""The seed's "Budget Alerts": a monthly cost budget that notifies at 80 % of actual spend."""

from __future__ import annotations

from collections.abc import Iterator

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import blocks, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_budgets_budget",)
RELATIONAL = True
PERCENT = 80
# What runs up a bill by the hour: a plan holding one of these needs a budget.
COST_DRIVERS = (
    "aws_ecs_cluster", "aws_db_instance", "aws_rds_cluster", "aws_elasticache_cluster",
    "aws_elasticache_replication_group", "aws_lb", "aws_alb", "aws_instance",
    "aws_autoscaling_group", "aws_eks_cluster", "aws_nat_gateway",
)


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _pending(budget: Resource, number: int) -> dict:
    """The after_unknown map of notification `number` (`{}` when all of it is known)."""
    notes = budget.unknown.get("notification")
    if isinstance(notes, list) and number < len(notes) and isinstance(notes[number], dict):
        return notes[number]
    return {}


def _subscribed(budget: Resource, index: PlanIndex, number: int, note: dict) -> bool | None:
    """The notification has a subscriber (e-mail or SNS); None when only known after apply."""
    if note.get("subscriber_email_addresses") or note.get("subscriber_sns_topic_arns"):
        return True
    if any(t.type == "aws_sns_topic" for t in index.references(budget, "notification")):
        return True
    pending = _pending(budget, number)
    if any(pending.get(k) is True for k in ("subscriber_email_addresses",
                                            "subscriber_sns_topic_arns")):
        return None
    return False


def _percent(note: dict, limit: float | None) -> float | None:
    """The notification's threshold as a percentage of the budget."""
    threshold = _number(note.get("threshold"))
    if threshold is None:
        return None
    if note.get("threshold_type") == "ABSOLUTE_VALUE":
        return threshold / limit * 100 if limit else None
    return threshold


def _on_actual(budget: Resource, number: int, note: dict, limit: float | None) -> bool | None:
    """ACTUAL spend, GREATER_THAN (or EQUAL_TO) at most 80 %; None while a part is unknown."""
    pending = _pending(budget, number)
    parts: list[bool | None] = [
        None if pending.get("notification_type") is True
        else note.get("notification_type") == "ACTUAL",
        None if pending.get("comparison_operator") is True
        else str(note.get("comparison_operator")).startswith(("GREATER_THAN", "EQUAL_TO")),
    ]
    percent = _percent(note, limit)
    if pending.get("threshold") is True or pending.get("threshold_type") is True:
        parts.append(None)
    elif percent is not None:
        parts.append(0 < percent <= PERCENT)
    elif note.get("threshold_type") == "ABSOLUTE_VALUE" and unknown(budget, "limit_amount"):
        parts.append(None)
    else:
        parts.append(False)
    if False in parts:
        return False
    return None if None in parts else True


def judge(budget: Resource, index: PlanIndex) -> Verdict:
    """This budget alone: COST, MONTHLY, an ACTUAL notification at <= 80 % with a subscriber.

    A part known only after apply (a threshold, the limit, a subscriber) makes it unknown
    unless a known part already breaks the rule.
    """
    values = budget.values
    problems = []
    pending = False
    for key, want in (("budget_type", "COST"), ("time_unit", "MONTHLY")):
        if values.get(key) is None and unknown(budget, key):
            pending = True
        elif values.get(key) != want:
            problems.append(f"{key} is {values.get(key)!r}, not {want}")
    limit = _number(values.get("limit_amount"))
    notes = blocks(values, "notification")
    actual, maybe = [], False
    for number, note in enumerate(notes):
        on_actual = _on_actual(budget, number, note, limit)
        if on_actual is False:
            continue
        subscribed = _subscribed(budget, index, number, note)
        if on_actual:
            actual.append((_percent(note, limit), subscribed))
        elif subscribed is not False:
            maybe = True
    met = [p for p, subscribed in actual if subscribed and p is not None]
    if not met:
        if maybe or any(subscribed is None for _, subscribed in actual) or (
                not notes and unknown(budget, "notification")):
            pending = True
        elif actual:
            problems.append("the ACTUAL-spend notification has no subscriber: it alerts nobody")
        else:
            problems.append(f"no notification on ACTUAL spend at or below {PERCENT} %")
    if problems:
        return Verdict.fail("; ".join(problems))
    if pending:
        return Verdict.unknown("a part of the rule (budget type or period, a notification's "
                               "type, threshold or subscriber) is known only after apply")
    return Verdict.ok(f"monthly cost budget notifies on ACTUAL spend above {min(met):g} %")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """A budget that falls short fails only when no other budget of the plan meets the rule.

    One budget meeting it is enough: while another budget may meet it (known only after
    apply), the short one is unknown, not failed.
    """
    verdict = judge(resource, index)
    if verdict.outcome != "failed":
        return verdict
    others = {b.address: judge(b, index).outcome for b in index.of_type(*RESOURCE_TYPES)
              if b.address != resource.address}
    if "passed" in others.values():
        return None
    maybe = sorted(address for address, outcome in others.items() if outcome == "unknown")
    if maybe:
        return Verdict.unknown(f"{verdict.message}; but {', '.join(maybe)} may meet the rule "
                               "(known only after apply)")
    return verdict


def evaluate_plan(index: PlanIndex) -> Iterator[Verdict]:
    """No budget at all in a plan that runs billable services: the plan fails (no address)."""
    if index.of_type(*RESOURCE_TYPES):
        return
    drivers = index.of_type(*COST_DRIVERS)
    if drivers:
        more = f" and {len(drivers) - 1} more billable resources" if len(drivers) > 1 else ""
        yield Verdict("failed", f"no aws_budgets_budget in a plan that runs "
                      f"{drivers[0].address}{more}: add a monthly COST budget with an ACTUAL "
                      f"notification at {PERCENT} %", "(plan)")


export_check(globals())
