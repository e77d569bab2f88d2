"""RDS force-SSL through its parameter group, or an engine whose default forces it.

The rule: the attached parameter group sets rds.force_ssl = 1 (PostgreSQL, SQL Server) or
require_secure_transport = ON/1 (MySQL, MariaDB); or the group leaves it at the engine's
default and that default forces SSL, which holds for RDS for PostgreSQL 15 and later
(rds.force_ssl defaults to 1 there). No other engine default is credited (Aurora PostgreSQL
defaults to off; MySQL and MariaDB need require_secure_transport set).
A group that sets it off fails whatever the version. The major version comes from
engine_version or, when that is chosen at apply, from the parameter group's family (RDS only
accepts a group of the instance's major version). When neither is known the answer is unknown,
not failed: the rule's own exception may hold.
"""

from __future__ import annotations

import re

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import blocks, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_db_instance", "aws_rds_cluster")
RELATIONAL = True
_SETTINGS = {"rds.force_ssl", "require_secure_transport"}
_ON = {"1", "true", "on"}
_OFF = {"0", "false", "off"}
_PG_TYPES = ("aws_db_parameter_group", "aws_rds_cluster_parameter_group")
# engines whose default parameter group forces SSL from a major version on
DEFAULT_FORCES_SSL = {"postgres": 15}


def _setting(group: Resource) -> str | None:
    """The group's explicit force-SSL value ("on", "off"), None when it leaves the default."""
    found = None
    for parameter in blocks(group.values, "parameter"):
        if str(parameter.get("name", "")).lower() not in _SETTINGS:
            continue
        value = str(parameter.get("value", "")).lower()
        if value in _ON:
            return "on"
        if value in _OFF:
            found = "off"
    return found


def _major(text: object) -> int | None:
    match = re.match(r"(\d+)", str(text or ""))
    return int(match.group(1)) if match else None


def _family_major(group: Resource) -> int | None:
    """postgres15 / aurora-postgresql15 -> 15."""
    match = re.search(r"(\d+)(?:\.\d+)?$", str(group.values.get("family") or ""))
    return int(match.group(1)) if match else None


def _groups(resource: Resource, index: PlanIndex) -> list[Resource]:
    attr = "parameter_group_name" if resource.type == "aws_db_instance" else (
        "db_cluster_parameter_group_name")
    groups = [g for g in index.references(resource, attr) if g.type in _PG_TYPES]
    groups += [g for t in _PG_TYPES for g in index.referrers(resource, t, "name")]
    if not groups:
        name = resource.values.get(attr)
        groups = [g for g in index.of_type(*_PG_TYPES) if name and g.values.get("name") == name]
    return groups


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Pass when the attached parameter group forces TLS (or the engine default does)."""
    engine = str(resource.values.get("engine") or "")
    if resource.type == "aws_db_instance" and engine.startswith("aurora"):
        return None
    groups = _groups(resource, index)
    settings = {g.address: _setting(g) for g in groups}
    if "on" in settings.values():
        return Verdict.ok("parameter group forces SSL")
    off = sorted(address for address, value in settings.items() if value == "off")
    if off:
        return Verdict.fail(f"parameter group {', '.join(off)} turns SSL enforcement off "
                            "(rds.force_ssl / require_secure_transport = 0)")
    if any(unknown(g, "parameter") for g in groups):
        return Verdict.unknown("parameter group settings are known only after apply")
    since = DEFAULT_FORCES_SSL.get(engine)
    if since is None:
        return Verdict.fail(f"database does not force SSL (no rds.force_ssl / "
                            f"require_secure_transport in its parameter group, and "
                            f"{engine or 'the engine'} is not credited with forcing SSL by "
                            "default: only RDS for PostgreSQL 15+ is)")
    major = _major(resource.values.get("engine_version"))
    if major is None:
        majors = {m for m in map(_family_major, groups) if m is not None}
        major = majors.pop() if len(majors) == 1 else None
    if major is None:
        if unknown(resource, "engine_version"):
            return Verdict.unknown(f"engine_version is known only after apply: {engine} "
                                   f"{since}+ forces SSL by default, older versions do not")
        return Verdict.fail(f"database does not force SSL (no engine_version in the plan, and "
                            f"only {engine} {since}+ forces SSL by default)")
    if major >= since:
        return Verdict.ok(f"engine default forces SSL ({engine} {major} >= {since})")
    return Verdict.fail(f"database does not force SSL (no rds.force_ssl / "
                        f"require_secure_transport, and {engine} {major} < {since} defaults "
                        "to off)")


export_check(globals())
