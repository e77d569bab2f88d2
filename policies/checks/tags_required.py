"""Every taggable resource carries Environment and Project (tags_all counts default_tags)."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import resource_tags, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("*",)
REQUIRED = ("Environment", "Project")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Taggable = the schema has tags/tags_all; both keys must be present and non-empty."""
    values = resource.values
    if "tags" not in values and "tags_all" not in values:
        return None
    tags = resource_tags(resource)
    if not isinstance(tags, dict):
        return None
    missing = [k for k in REQUIRED if not str(tags.get(k) or "").strip()]
    if not missing:
        return Verdict.ok("Environment and Project tags present")
    if unknown(resource, "tags"):
        return Verdict.unknown("tags are known only after apply")
    if unknown(resource, "tags_all"):
        defaults = index.default_tags(resource)
        if defaults is None:
            return Verdict.unknown("provider default_tags are known only after apply")
        merged = {**defaults, **(resource.values.get("tags") or {})}
        missing = [k for k in REQUIRED if not str(merged.get(k) or "").strip()]
        if not missing:
            return Verdict.ok("Environment and Project tags present (default_tags)")
    return Verdict.fail(f"missing tag(s) {', '.join(missing)} (tags and default_tags)")


export_check(globals())
