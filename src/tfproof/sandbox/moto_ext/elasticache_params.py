"""ElastiCache cache parameter groups for moto 5.2.5, which has none (part of `elasticache`).

AWS semantics followed (ElastiCache API reference: CreateCacheParameterGroup,
DescribeCacheParameterGroups, DescribeCacheParameters, ModifyCacheParameterGroup,
ResetCacheParameterGroup, DeleteCacheParameterGroup):

- every family has a read-only `default.<family>` group, listed by
  DescribeCacheParameterGroups beside the account's own groups;
- names are stored lower-case, start with a letter, hold letters, digits and single
  hyphens; a taken name is `CacheParameterGroupAlreadyExists`, a missing one
  `CacheParameterGroupNotFound` (HTTP 404);
- DescribeCacheParameters lists the family's parameters; `Source=user` keeps only
  the ones ModifyCacheParameterGroup changed (what the Terraform provider reads back);
- ModifyCacheParameterGroup takes at most 20 parameters, refuses a non-modifiable
  one or a value outside its allowed set (`InvalidParameterValue`);
  ResetCacheParameterGroup resets the named parameters or all of them;
- a default group cannot be modified or deleted and a group used by a cluster
  cannot be deleted (`InvalidCacheParameterGroupState`).

This module imports moto at import time: only `elasticache.install()` imports it,
inside the embedded server process.
"""

from __future__ import annotations

import re
from typing import Any

from moto.core.common_models import BaseModel
from moto.elasticache.exceptions import (
    ElastiCacheException,
    InvalidParameterCombinationException,
    InvalidParameterValueException,
)
from moto.utilities.utils import get_partition

FAMILIES = (
    "memcached1.4", "memcached1.5", "memcached1.6", "redis2.6", "redis2.8", "redis3.2",
    "redis4.0", "redis5.0", "redis6.x", "redis7", "valkey7", "valkey8",
)  # fmt: skip
MAX_MODIFY = 20
_NAME_RE = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,254}(?<!-)$")

# (name, default, data type, allowed values, modifiable, change type, minimum engine version):
# a few well-known parameters of each engine, so a describe has the family's shape
_REDIS = (
    ("activedefrag", "no", "string", "yes,no", True, "immediate", "4.0.9"),
    ("cluster-enabled", "no", "string", "yes,no", True, "requires-reboot", "3.2.4"),
    ("maxclients", "65000", "integer", "1-65000", False, "requires-reboot", "2.6.13"),
    ("maxmemory-policy", "volatile-lru", "string",
     "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,"
     "volatile-ttl,noeviction", True, "immediate", "2.6.13"),
    ("maxmemory-samples", "3", "integer", "1-", True, "immediate", "2.6.13"),
    ("notify-keyspace-events", "", "string", None, True, "immediate", "2.8.6"),
    ("reserved-memory-percent", "25", "integer", "0-100", True, "immediate", "2.8.22"),
    ("tcp-keepalive", "300", "integer", "0-", True, "immediate", "2.8.6"),
    ("timeout", "0", "integer", "0,20-", True, "immediate", "2.6.13"),
)  # fmt: skip
_MEMCACHED = (
    ("chunk_size", "48", "integer", "1-", True, "requires-reboot", "1.4.5"),
    ("max_item_size", "1048576", "integer", "1048576-134217728", True, "requires-reboot",
     "1.4.5"),
)  # fmt: skip


class CacheParameterGroupNotFound(ElastiCacheException):
    code = "CacheParameterGroupNotFound"

    def __init__(self, name: str) -> None:
        super().__init__(f"CacheParameterGroup {name} not found.")


class CacheParameterGroupAlreadyExists(ElastiCacheException):
    code = "CacheParameterGroupAlreadyExists"

    def __init__(self, name: str) -> None:
        super().__init__(f"Parameter group {name} already exists.")


class InvalidCacheParameterGroupState(ElastiCacheException):
    code = "InvalidCacheParameterGroupState"


class CacheParameterGroup(BaseModel):
    """One parameter group; `values` holds only what the user changed."""

    def __init__(
        self, account_id: str, region: str, name: str, family: str, description: str
    ) -> None:
        self.cache_parameter_group_name = name
        self.cache_parameter_group_family = family
        self.description = description
        self.is_global = False
        self.is_default = name.startswith("default.")
        self.arn = (
            f"arn:{get_partition(region)}:elasticache:{region}:{account_id}:parametergroup:{name}"
        )
        self.values: dict[str, str] = {}

    def catalogue(self) -> dict[str, tuple[Any, ...]]:
        rows = _MEMCACHED if self.cache_parameter_group_family.startswith("memcached") else _REDIS
        return {row[0]: row for row in rows}

    def parameters(self, source: str | None) -> list[dict[str, Any]]:
        """The family's parameters (and user-set unknown ones), filtered by Source."""
        known = self.catalogue()
        out = []
        for name in sorted(set(known) | set(self.values)):
            _, default, dtype, allowed, modifiable, change, minimum = known.get(
                name, (name, None, "string", None, True, "immediate", None)
            )
            origin = "user" if name in self.values else "system"
            if source and (source == "user") != (origin == "user"):
                continue
            entry = {"ParameterName": name, "ParameterValue": self.values.get(name, default),
                     "Description": f"{name} ({self.cache_parameter_group_family})",
                     "Source": origin, "DataType": dtype, "AllowedValues": allowed,
                     "IsModifiable": modifiable, "MinimumEngineVersion": minimum,
                     "ChangeType": change}  # fmt: skip
            out.append({k: v for k, v in entry.items() if v is not None})
        return out


def _allowed(value: str, allowed: str | None) -> bool:
    """AWS's AllowedValues: a comma list of literals or `lo-hi` / `lo-` integer ranges."""
    if not allowed:
        return True
    for choice in allowed.split(","):
        low, dash, high = choice.partition("-")
        if not dash or not low.isdigit():
            if value == choice:
                return True
        elif value.isdigit() and int(value) >= int(low) and (not high or int(value) <= int(high)):
            return True
    return False


# -- backend methods (installed on moto's ElastiCacheBackend) ------------------------
def parameter_groups(backend: Any) -> dict[str, CacheParameterGroup]:
    """The backend's groups, with every family's default group (created on first use)."""
    groups = backend.__dict__.get("cache_parameter_groups")
    if groups is None:
        groups = {
            f"default.{family}": CacheParameterGroup(
                backend.account_id, backend.region_name, f"default.{family}", family,
                f"Default parameter group for {family}",
            )
            for family in FAMILIES
        }  # fmt: skip
        backend.cache_parameter_groups = groups
    return groups


def _group(backend: Any, name: str | None) -> CacheParameterGroup:
    group = parameter_groups(backend).get((name or "").lower())
    if group is None:
        raise CacheParameterGroupNotFound(name or "")
    return group


def _in_use(backend: Any, name: str) -> bool:
    users = list(backend.replication_groups.values()) + list(backend.cache_clusters.values())
    return any(
        getattr(u, "cache_parameter_group_name", None) == name
        and getattr(u, "cache_cluster_status", getattr(u, "status", "")) != "deleting"
        for u in users
    )


def create_cache_parameter_group(
    self: Any,
    cache_parameter_group_name: str,
    cache_parameter_group_family: str,
    description: str,
    tags: list[dict[str, str]] | None = None,
) -> CacheParameterGroup:
    name = (cache_parameter_group_name or "").lower()
    if not _NAME_RE.match(name):
        raise InvalidParameterValueException(
            "Parameter group name must begin with a letter, contain only ASCII letters, "
            "digits and hyphens, and not end with a hyphen or contain two consecutive hyphens."
        )
    if cache_parameter_group_family not in FAMILIES:
        raise InvalidParameterValueException(
            f"The parameter CacheParameterGroupFamily {cache_parameter_group_family} is not "
            "a valid family."
        )
    groups = parameter_groups(self)
    if name in groups:
        raise CacheParameterGroupAlreadyExists(name)
    group = CacheParameterGroup(
        self.account_id, self.region_name, name, cache_parameter_group_family, description
    )
    if tags:
        self.tagging_service.tag_resource(group.arn, tags)
    groups[name] = group
    return group


def describe_cache_parameter_groups(
    self: Any, cache_parameter_group_name: str | None = None
) -> list[CacheParameterGroup]:
    if cache_parameter_group_name:
        return [_group(self, cache_parameter_group_name)]
    return sorted(parameter_groups(self).values(), key=lambda g: g.cache_parameter_group_name)


def describe_cache_parameters(
    self: Any, cache_parameter_group_name: str, source: str | None = None
) -> list[dict[str, Any]]:
    if source and source not in ("user", "system", "engine-default"):
        raise InvalidParameterValueException(
            f"Invalid source {source}; valid values are user, system and engine-default."
        )
    return _group(self, cache_parameter_group_name).parameters(source)


def _modifiable(group: CacheParameterGroup) -> None:
    if group.is_default:
        raise InvalidCacheParameterGroupState(
            f"The default parameter group {group.cache_parameter_group_name} cannot be "
            "modified or deleted."
        )


def modify_cache_parameter_group(
    self: Any, cache_parameter_group_name: str, parameter_name_values: list[dict[str, str]]
) -> CacheParameterGroup:
    group = _group(self, cache_parameter_group_name)
    _modifiable(group)
    if not parameter_name_values or len(parameter_name_values) > MAX_MODIFY:
        raise InvalidParameterValueException(
            f"Between 1 and {MAX_MODIFY} parameters can be modified at a time."
        )
    known = group.catalogue()
    for item in parameter_name_values:
        name, value = item.get("ParameterName", ""), item.get("ParameterValue", "")
        row = known.get(name)
        if row and not row[4]:
            raise InvalidParameterValueException(f"Parameter {name} is not modifiable.")
        if row and not _allowed(value, row[3]):
            raise InvalidParameterValueException(
                f"Value {value} for parameter {name} is invalid. Allowed values: {row[3]}"
            )
    for item in parameter_name_values:
        group.values[item["ParameterName"]] = item.get("ParameterValue", "")
    return group


def reset_cache_parameter_group(
    self: Any,
    cache_parameter_group_name: str,
    reset_all_parameters: bool | None,
    parameter_name_values: list[dict[str, str]] | None,
) -> CacheParameterGroup:
    group = _group(self, cache_parameter_group_name)
    _modifiable(group)
    if reset_all_parameters and parameter_name_values:
        raise InvalidParameterCombinationException(
            "ResetAllParameters cannot be combined with ParameterNameValues."
        )
    if reset_all_parameters:
        group.values.clear()
    elif parameter_name_values:
        for item in parameter_name_values:
            group.values.pop(item.get("ParameterName", ""), None)
    else:
        raise InvalidParameterValueException(
            "Either ResetAllParameters or ParameterNameValues must be given."
        )
    return group


def delete_cache_parameter_group(self: Any, cache_parameter_group_name: str) -> None:
    group = _group(self, cache_parameter_group_name)
    _modifiable(group)
    name = group.cache_parameter_group_name
    if _in_use(self, name):
        raise InvalidCacheParameterGroupState(
            f"One or more cache clusters are still members of parameter group {name}, so "
            "the group cannot be deleted."
        )
    del parameter_groups(self)[name]
    self.tagging_service.delete_all_tags_for_resource(group.arn)


BACKEND_METHODS = {
    f.__name__: f
    for f in (
        create_cache_parameter_group, describe_cache_parameter_groups,
        describe_cache_parameters, modify_cache_parameter_group,
        reset_cache_parameter_group, delete_cache_parameter_group,
    )
}  # fmt: skip
