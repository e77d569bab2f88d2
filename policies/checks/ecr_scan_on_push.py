"""ECR scan on push, per repository or registry-wide."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import block, blocks, truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_ecr_repository",)


def _registry_scans(index: PlanIndex) -> bool:
    for config in index.of_type("aws_ecr_registry_scanning_configuration"):
        for rule in blocks(config.values, "rule"):
            filters = [f.get("filter") for f in blocks(rule, "repository_filter")]
            if rule.get("scan_frequency") in ("SCAN_ON_PUSH", "CONTINUOUS_SCAN") and "*" in filters:
                return True
    return False


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """scan_on_push true on the repository, or a registry rule scanning every repository."""
    if truthy(block(resource.values, "image_scanning_configuration").get("scan_on_push")):
        return Verdict.ok("images are scanned on push")
    if _registry_scans(index):
        return Verdict.ok("registry scanning covers every repository")
    if unknown(resource, "image_scanning_configuration"):
        return Verdict.unknown("image scanning is known only after apply")
    return Verdict.fail("repository does not scan images on push")


export_check(globals())
