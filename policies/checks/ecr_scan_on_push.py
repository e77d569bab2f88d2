"""ECR scan on push, per repository or by the registry's scanning configuration.

Once a registry scanning configuration exists (one per account and region), it decides for
every repository of that registry: a repository no scan-on-push filter matches is set to
manual scanning (BASIC) or not scanned at all (ENHANCED), whatever its own
image_scanning_configuration says. So the registry's rules are read first, and the
repository's own flag counts only where no configuration governs it.
"""

from __future__ import annotations

import re

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import block, blocks, truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import account
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_ecr_repository",)
RELATIONAL = True
# Frequencies that scan every pushed image, per scan type: BASIC knows SCAN_ON_PUSH and MANUAL;
# ENHANCED's CONTINUOUS_SCAN scans on push and again as new vulnerabilities are published.
_ON_PUSH = {"BASIC": ("SCAN_ON_PUSH",), "ENHANCED": ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")}


def matches(pattern: str, name: str) -> bool:
    """ECR's WILDCARD filter: without `*` a substring; with it, `*` is zero or more characters."""
    if "*" not in pattern:
        return pattern in name
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), name) is not None


def registry_scans(config: Resource, repository: Resource) -> bool | None:
    """Whether one registry configuration scans the repository's pushed images (None: unknown)."""
    name = repository.values.get("name")
    accepted = _ON_PUSH.get(str(config.values.get("scan_type")), ())
    pending = unknown(config, "scan_type") or unknown(config, "rule")
    for rule in blocks(config.values, "rule"):
        if rule.get("scan_frequency") not in accepted:
            continue
        for flt in blocks(rule, "repository_filter"):
            pattern = flt.get("filter")
            if not isinstance(pattern, str) or flt.get("filter_type", "WILDCARD") != "WILDCARD":
                continue
            if pattern == "*" or (isinstance(name, str) and matches(pattern, name)):
                return True
            pending = pending or not isinstance(name, str)
    return None if pending else False


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """A registry rule scanning this repository on push (or continuously, ENHANCED), else the
    repository's own scan_on_push where no registry configuration governs it."""
    configs = account.ecr_registry_configs(resource, index)
    if configs:
        states = [registry_scans(config, resource) for config in configs]
        if False in states:
            return Verdict.fail("the registry scanning configuration has no SCAN_ON_PUSH (or, "
                                "ENHANCED, CONTINUOUS_SCAN) rule whose filter matches this "
                                "repository; its own scan_on_push is ignored")
        if None in states:
            return Verdict.unknown("the registry scanning rules or the repository name are "
                                   "known only after apply")
        return Verdict.ok("the registry scanning configuration scans this repository on push")
    if truthy(block(resource.values, "image_scanning_configuration").get("scan_on_push")):
        return Verdict.ok("images are scanned on push")
    if unknown(resource, "image_scanning_configuration"):
        return Verdict.unknown("image scanning is known only after apply")
    return Verdict.fail("repository does not scan images on push")


export_check(globals())
