"""Wildcard IAM: Allow of * (or *:*) actions on * resources, in any identity policy."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import as_list, blocks
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers.documents import document_statements
from tfproof.plan import Resource

RESOURCE_TYPES = (
    "aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy",
    "aws_iam_role",
)
RELATIONAL = True


def is_admin(statement: dict) -> bool:
    """Allow + (Action * or *:* or NotAction) + Resource *."""
    if str(statement.get("Effect", "Allow")).lower() != "allow":
        return False
    actions = {str(a) for a in as_list(statement.get("Action"))}
    wide = bool(actions & {"*", "*:*"}) or "NotAction" in statement
    resources = as_list(statement.get("Resource"))
    return wide and ("*" in resources or "NotResource" in statement)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Identity policies (and a role's inline_policy blocks)."""
    documents = []
    if resource.type == "aws_iam_role":
        for inline in blocks(resource.values, "inline_policy"):
            if inline.get("policy"):
                documents.append(document_statements(Resource(
                    address=resource.address, type=resource.type, name=resource.name,
                    module_address=resource.module_address, index=resource.index,
                    values={"policy": inline["policy"]}, unknown={}, sensitive={},
                ), "policy", index))
        if not documents:
            return None
    else:
        documents.append(document_statements(resource, "policy", index))
    if any(doc is None for doc in documents):
        return Verdict.unknown("the policy document is known only after apply")
    if any(is_admin(st) for doc in documents for st in doc or []):
        return Verdict.fail("policy allows * actions on * resources")
    return Verdict.ok("no * on * statement")


export_check(globals())
