"""ElastiCache subnet group deletion and changes, and tags by ARN (part of `elasticache`).

AWS semantics followed (ElastiCache API reference: DeleteCacheSubnetGroup,
ModifyCacheSubnetGroup, ListTagsForResource, AddTagsToResource,
RemoveTagsFromResource):

- DeleteCacheSubnetGroup fails with `CacheSubnetGroupInUse` while a replication group
  or cache cluster uses the group and with `CacheSubnetGroupNotFoundFault` when there is
  none; ModifyCacheSubnetGroup replaces the description and subnets;
- the tag actions take the ARN of a cluster, replication group, subnet group,
  parameter group, snapshot or user; an ARN of something that does not exist fails
  with that kind's not-found error (moto 5.2.5 answered an empty list, and refused
  parameter-group ARNs as `InvalidARN`);
- the Resource Groups Tagging API also lists the account's own parameter groups.

This module imports moto at import time: only `elasticache.install()` imports it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from moto.core.resource_tagging import TaggedResource
from moto.elasticache.exceptions import (
    CacheClusterNotFound,
    CacheSubnetGroupNotFound,
    ElastiCacheException,
    InvalidARNFault,
    ReplicationGroupNotFound,
    SnapshotNotFound,
    UserNotFound,
)
from moto.elasticache.models import CacheSubnetGroup

_ARN_RE = re.compile(r"^arn:[\w-]+:elasticache:[\w-]+:\d{12}:([a-z]+):(.+)$")


class CacheSubnetGroupInUse(ElastiCacheException):
    code = "CacheSubnetGroupInUse"

    def __init__(self, name: str) -> None:
        super().__init__(f"Cache subnet group {name} is currently in use by a cache cluster.")


def _subnet_group(backend: Any, name: str) -> Any:
    group = backend.cache_subnet_groups.get(name)
    if group is None:
        raise CacheSubnetGroupNotFound(name)
    return group


def delete_cache_subnet_group(self: Any, cache_subnet_group_name: str) -> None:
    group = _subnet_group(self, cache_subnet_group_name)
    users = list(self.replication_groups.values()) + [
        c for c in self.cache_clusters.values() if c.cache_cluster_status != "deleting"
    ]
    if any(getattr(u, "cache_subnet_group_name", None) == cache_subnet_group_name for u in users):
        raise CacheSubnetGroupInUse(cache_subnet_group_name)
    del self.cache_subnet_groups[cache_subnet_group_name]
    self.tagging_service.delete_all_tags_for_resource(group.arn)


def modify_cache_subnet_group(
    self: Any,
    cache_subnet_group_name: str,
    cache_subnet_group_description: str | None = None,
    subnet_ids: list[str] | None = None,
) -> Any:
    group = _subnet_group(self, cache_subnet_group_name)
    if subnet_ids:
        group = CacheSubnetGroup(
            account_id=self.account_id, region_name=self.region_name,
            cache_subnet_group_name=cache_subnet_group_name,
            cache_subnet_group_description=group.cache_subnet_group_description,
            subnet_ids=subnet_ids, tags=group.tags,
        )  # fmt: skip
        self.cache_subnet_groups[cache_subnet_group_name] = group
    if cache_subnet_group_description is not None:
        group.cache_subnet_group_description = cache_subnet_group_description
    return group


# -- tags ----------------------------------------------------------------------------
def _check_arn(backend: Any, arn: str) -> None:
    """Raise the not-found error of the ARN's kind when its resource does not exist."""
    match = _ARN_RE.match(arn or "")
    if not match:
        raise InvalidARNFault(arn)
    kind, name = match.groups()
    if kind == "parametergroup":
        backend.describe_cache_parameter_groups(name)  # raises CacheParameterGroupNotFound
        return
    lookups: dict[str, tuple[dict[str, Any], Callable[[str], Exception]]] = {
        "cluster": (backend.cache_clusters, CacheClusterNotFound),
        "replicationgroup": (backend.replication_groups, ReplicationGroupNotFound),
        "subnetgroup": (backend.cache_subnet_groups, CacheSubnetGroupNotFound),
        "snapshot": (backend.snapshots, SnapshotNotFound),
        "user": (backend.users, UserNotFound),
    }
    if kind not in lookups:
        raise InvalidARNFault(arn)
    items, missing = lookups[kind]
    if name not in items:
        raise missing(name)


def list_tags_for_resource(self: Any, arn: str) -> dict[str, list[dict[str, str]]]:
    _check_arn(self, arn)
    return self.tagging_service.list_tags_for_resource(arn)


def wrap_tagging(original: Callable[..., Any]) -> Callable[..., Any]:
    """Add/RemoveTags that first check the ARN names an existing resource."""

    @functools.wraps(original)
    def checked(self: Any, arn: str, tags: Any) -> Any:
        _check_arn(self, arn)
        return original(self, arn, tags)

    return checked


def wrap_iter_tagged(original: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """The Resource Groups Tagging API's view, with the account's own parameter groups."""

    @functools.wraps(original)
    def iter_tagged_resources(self: Any) -> Iterator[Any]:
        yield from original(self)
        for group in self.describe_cache_parameter_groups():
            if not group.cache_parameter_group_name.startswith("default."):
                yield TaggedResource(
                    arn=group.arn,
                    tags=self.tagging_service.get_tag_dict_for_resource(group.arn),
                    resource_type="elasticache:parametergroup",
                    extra={"include_untagged": True},
                )

    return iter_tagged_resources
