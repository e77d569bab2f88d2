"""RDS force-SSL through its parameter group."""

from __future__ import annotations

import re

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import blocks, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_db_instance", "aws_rds_cluster")
RELATIONAL = True
_SETTINGS = {"rds.force_ssl": {"1", "true", "on"}, "require_secure_transport": {"1", "on", "true"}}
_PG_TYPES = ("aws_db_parameter_group", "aws_rds_cluster_parameter_group")


def _forces_ssl(group: Resource) -> bool:
    for parameter in blocks(group.values, "parameter"):
        wanted = _SETTINGS.get(str(parameter.get("name", "")).lower())
        if wanted and str(parameter.get("value", "")).lower() in wanted:
            return True
    return False


def _default_forces_ssl(values: dict) -> bool:
    """PostgreSQL 15+ defaults rds.force_ssl to 1."""
    engine = str(values.get("engine") or "")
    match = re.match(r"(\d+)", str(values.get("engine_version") or ""))
    return "postgres" in engine and bool(match) and int(match.group(1)) >= 15


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Pass when the attached parameter group forces TLS (or the engine default does)."""
    attr = "parameter_group_name" if resource.type == "aws_db_instance" else (
        "db_cluster_parameter_group_name")
    engine = str(resource.values.get("engine") or "")
    if resource.type == "aws_db_instance" and engine.startswith("aurora"):
        return None
    groups = [g for g in index.references(resource, attr) if g.type in _PG_TYPES]
    groups += [g for t in _PG_TYPES for g in index.referrers(resource, t, "name")]
    if not groups:
        name = resource.values.get(attr)
        groups = [g for g in index.of_type(*_PG_TYPES) if name and g.values.get("name") == name]
    if any(_forces_ssl(g) for g in groups):
        return Verdict.ok("parameter group forces SSL")
    if any(unknown(g, "parameter") for g in groups):
        return Verdict.unknown("parameter group settings are known only after apply")
    if _default_forces_ssl(resource.values):
        return Verdict.ok("engine default forces SSL")
    return Verdict.fail("database does not force SSL (no rds.force_ssl / require_secure_transport)")


export_check(globals())
