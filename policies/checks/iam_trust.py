"""IAM role trust policies: no wildcard principal, one service."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import as_list
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers.documents import document_statements, is_everyone
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_iam_role",)
RELATIONAL = True


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Allow statements: no * principal, at most one Service."""
    statements = document_statements(resource, "assume_role_policy", index)
    if statements is None:
        return Verdict.unknown("the trust policy is known only after apply")
    problems = []
    for statement in statements:
        if str(statement.get("Effect", "Allow")).lower() != "allow":
            continue
        principal = statement.get("Principal")
        if is_everyone(principal):
            problems.append("anyone (*) may assume the role")
        elif isinstance(principal, dict):
            services = {s for k, v in principal.items() if k == "Service" for s in as_list(v)}
            if len(services) > 1:
                problems.append("trusts several services: " + ", ".join(sorted(services)))
    if problems:
        return Verdict.fail("; ".join(problems))
    return Verdict.ok("trust policy names its principal")


export_check(globals())
