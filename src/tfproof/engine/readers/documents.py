"""Policy documents as statements, whether planned as JSON or still unknown.

A bucket or IAM policy built from `data.aws_iam_policy_document` with an ARN in
it is unknown until apply, yet its effect, actions, principals and conditions
are known: the plan holds the data source's partial values. Reading those
keeps TLS-only and least-privilege checks decidable at plan time.
"""

from __future__ import annotations

from typing import Any

from tfproof.engine.helpers import as_list, parse_document, statements, unknown
from tfproof.engine.index import PlanIndex
from tfproof.plan import Resource


def _from_data_source(values: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for statement in as_list(values.get("statement")):
        if not isinstance(statement, dict):
            continue
        converted: dict[str, Any] = {"Effect": statement.get("effect") or "Allow"}
        if statement.get("actions"):
            converted["Action"] = statement["actions"]
        if statement.get("not_actions"):
            converted["NotAction"] = statement["not_actions"]
        if statement.get("resources") is not None:
            converted["Resource"] = statement["resources"]
        principals: dict[str, list[Any]] = {}
        for principal in as_list(statement.get("principals")):
            if isinstance(principal, dict):
                principals.setdefault(principal.get("type", ""), []).extend(
                    as_list(principal.get("identifiers"))
                )
        if principals:
            converted["Principal"] = (
                "*" if principals.get("*") == ["*"] and len(principals) == 1 else principals
            )
        conditions: dict[str, dict[str, Any]] = {}
        for condition in as_list(statement.get("condition")):
            if isinstance(condition, dict):
                conditions.setdefault(condition.get("test", ""), {})[
                    condition.get("variable", "")
                ] = as_list(condition.get("values"))
        if conditions:
            converted["Condition"] = conditions
        out.append(converted)
    return out


def document_statements(
    resource: Resource, attribute: str, index: PlanIndex
) -> list[dict[str, Any]] | None:
    """The statements of `resource.<attribute>`; None when they cannot be known at plan time.

    An empty list means "no document" (attribute unset).
    """
    value = resource.values.get(attribute)
    if isinstance(value, str) and value.strip():
        return list(statements(parse_document(value)))
    if unknown(resource, attribute):
        sources = index.data_references(resource, attribute)
        docs = [s for s in sources if s.type == "aws_iam_policy_document"]
        if docs:
            return [st for doc in docs for st in _from_data_source(doc.values)]
        return None
    return []


def is_everyone(principal: Any) -> bool:
    """`"*"` or `{"AWS": "*"}`: anyone."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in as_list(v) for k, v in principal.items() if k in ("AWS", "*"))
    return False
