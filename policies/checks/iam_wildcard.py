"""Wildcard IAM: Allow of * (or *:*) actions on * resources, in any identity policy.

A role is judged on all its inline policies together, and failed beats unknown beats passed:
one known policy granting * on * fails the role even when another is known only after apply
(built with a resource's ARN in it); the answer is unknown only when no known statement grants
it and some policy is still unknown. A policy that is an aws_iam_policy_document's JSON is read
from the data source's planned statements, as for the other identity policies.
"""

from __future__ import annotations

from typing import Any

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import as_list, blocks, parse_document, statements
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers.documents import document_statements
from tfproof.plan import Resource

RESOURCE_TYPES = (
    "aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy",
    "aws_iam_role",
)
RELATIONAL = True
_DOCUMENT = "aws_iam_policy_document"


def is_admin(statement: dict) -> bool:
    """Allow + (Action * or *:* or NotAction) + Resource *."""
    if str(statement.get("Effect", "Allow")).lower() != "allow":
        return False
    actions = {str(a) for a in as_list(statement.get("Action"))}
    wide = bool(actions & {"*", "*:*"}) or "NotAction" in statement
    resources = as_list(statement.get("Resource"))
    return wide and ("*" in resources or "NotResource" in statement)


def _from_documents(role: Resource) -> bool:
    """Every inline policy the configuration computes is the JSON of an aws_iam_policy_document."""
    config = role.expressions.get("inline_policy")
    if not isinstance(config, list) or len(config) != len(blocks(role.values, "inline_policy")):
        return False  # dynamic blocks: not in the configuration JSON
    for block in config:
        policy = block.get("policy") if isinstance(block, dict) else None
        if not isinstance(policy, dict) or "constant_value" in policy:
            continue
        if not any(str(ref).startswith(f"data.{_DOCUMENT}.")
                   for ref in policy.get("references") or []):
            return False
    return True


def _inline_documents(role: Resource, index: PlanIndex) -> tuple[list[list[dict[str, Any]]], int]:
    """The role's inline policies as far as the plan knows them, and how many it does not.

    A policy built from a data.aws_iam_policy_document that has an ARN in it is unknown, yet
    the data source's statements are in the plan: they count as the role's statements, as for
    any other identity policy (documents.document_statements). A policy computed any other way
    stays unknown.
    """
    known, pending = [], 0
    unknowns = role.unknown.get("inline_policy")
    flagged = any(item is True or (isinstance(item, dict) and item.get("policy") is True)
                  for item in (unknowns if isinstance(unknowns, list) else [unknowns]))
    for inline in blocks(role.values, "inline_policy"):
        # a value known only after apply is left out of the planned block (inline_policy is a
        # set: its unknown parts need not come in the order of the planned blocks)
        if "policy" not in inline and flagged:
            pending += 1
        elif inline.get("policy"):
            known.append(list(statements(parse_document(inline["policy"]))))
    if pending:
        # the statements of every aws_iam_policy_document the inline policies read
        from_data = document_statements(role, "inline_policy", index)
        if from_data:
            known.append(from_data)
            if _from_documents(role):
                pending = 0
    return known, pending


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Identity policies (and a role's inline_policy blocks)."""
    if resource.type == "aws_iam_role":
        documents, pending = _inline_documents(resource, index)
        if not documents and not pending:
            return None
    else:
        found = document_statements(resource, "policy", index)
        documents, pending = ([], 1) if found is None else ([found], 0)
    if any(is_admin(st) for doc in documents for st in doc):
        return Verdict.fail("policy allows * actions on * resources")
    if pending:
        return Verdict.unknown("the policy document is known only after apply")
    return Verdict.ok("no * on * statement")


export_check(globals())
