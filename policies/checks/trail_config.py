"""CloudTrail settings the audit trail depends on."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_cloudtrail",)
_REQUIRED = {
    "is_multi_region_trail": "not multi-region",
    "include_global_service_events": "does not include global service events",
    "enable_log_file_validation": "has no log file validation",
    "enable_logging": "is not logging",
}
_DEFAULT_TRUE = {"include_global_service_events", "enable_logging"}


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Every required setting true (unset defaults count where the provider defaults true)."""
    problems, undecided = [], False
    for attr, problem in _REQUIRED.items():
        value = resource.values.get(attr)
        if value is None and unknown(resource, attr):
            undecided = True
        elif value is None and attr in _DEFAULT_TRUE:
            continue
        elif not truthy(value):
            problems.append(problem)
    if problems:
        return Verdict.fail("trail " + ", ".join(problems))
    if undecided:
        return Verdict.unknown("trail settings are known only after apply")
    return Verdict.ok("trail is multi-region, global, validated and logging")


export_check(globals())
