"""ElastiCache replication groups as AWS runs them, on top of moto 5.2.5 (part of `elasticache`).

AWS semantics followed (ElastiCache API reference: CreateReplicationGroup,
DescribeReplicationGroups, DescribeCacheClusters, DeleteReplicationGroup; the
ElastiCache user guide on automatic backups):

- a cluster-mode-disabled group has NumCacheClusters member clusters `<id>-001` (the
  primary), `<id>-002`, ... (replicas), each a cache cluster DescribeCacheClusters
  returns with the group's ReplicationGroupId, engine, actual engine version, node type,
  encryption and AUTH flags, subnet group, VPC security groups, parameter group (the
  family's default group when none is given), maintenance window (lower-case),
  availability zone (the subnet group's zones in turn) and one cache node; moto 5.2.5
  made one member whatever NumCacheClusters said and registered no cluster;
- the node group has a primary and a reader endpoint; ids are stored lower-case;
- the group's tags are applied to its member clusters too (the Terraform provider
  reads them from the first member);
- an unknown CacheParameterGroupName or CacheSubnetGroupName fails the create
  (`CacheParameterGroupNotFound`, `CacheSubnetGroupNotFoundFault`);
- with SnapshotRetentionLimit > 0 ElastiCache keeps automatic snapshots
  (`automatic.<id>-<time>`, SnapshotSource `automated`), deleted with the group;
- DeleteReplicationGroup answers `deleting`, then the group, its member clusters
  (the primary stays a standalone cluster with RetainPrimaryCluster) and its automatic
  snapshots are gone; FinalSnapshotIdentifier first takes a manual snapshot.

This module imports moto at import time: only `elasticache.install()` imports it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from moto.core.utils import utcnow
from moto.elasticache.exceptions import (
    CacheClusterAlreadyExists,
    CacheSubnetGroupNotFound,
    PasswordTooShort,
    ReplicationGroupNotFound,
)
from moto.elasticache.models import CacheCluster

DEFAULT_MAINTENANCE_WINDOW = "sun:23:00-mon:00:30"
DEFAULT_SNAPSHOT_WINDOW = "05:00-06:00"
# newest engine version of each line, as ElastiCache resolves "6.x", "6.2" or nothing
_ACTUAL = {"7": "7.1.0", "7.0": "7.0.7", "7.1": "7.1.0", "6": "6.2.6", "6.0": "6.0.5",
           "6.2": "6.2.6", "5": "5.0.6", "5.0": "5.0.6", "4": "4.0.10", "4.0": "4.0.10",
           "3": "3.2.10", "3.2": "3.2.10", "2": "2.8.24"}  # fmt: skip


def actual_engine_version(engine: str, requested: str | None) -> str:
    """The full version ElastiCache runs for a requested one (`6.x` -> `6.2.6`)."""
    if engine != "redis":
        return requested or "1.6.22"
    parts = [p for p in (requested or "7").split(".") if p != "x"]
    if len(parts) >= 3:
        return ".".join(parts[:3])
    return _ACTUAL.get(".".join(parts), _ACTUAL.get(parts[0], requested or "7.1.0"))


def default_parameter_group(engine: str, version: str) -> str:
    """The `default.<family>` group of an engine version."""
    major, minor = [*version.split("."), "0"][:2]
    if engine != "redis":
        return f"default.memcached1.{minor if major == '1' else '6'}"
    family = {"7": "redis7", "6": "redis6.x"}.get(major, f"redis{major}.{minor}")
    return f"default.{family}"


def _count(kwargs: dict[str, Any]) -> int:
    """Members of a cluster-mode-disabled group: NumCacheClusters, or replicas plus primary."""
    return int(kwargs.get("num_cache_clusters") or (kwargs.get("replicas_per_node_group") or 0) + 1)


def _member_ids(rid: str, count: int) -> list[str]:
    return [f"{rid}-{i:03d}" for i in range(1, count + 1)]


def _new_cluster(backend: Any, **values: Any) -> Any:
    """A moto CacheCluster built from keyword values (the rest None), whatever its signature."""
    names = [n for n in inspect.signature(CacheCluster.__init__).parameters if n != "self"]
    kwargs: dict[str, Any] = dict.fromkeys(names)
    kwargs.update(account_id=backend.account_id, region_name=backend.region_name,
                  log_delivery_configurations=[])  # fmt: skip
    kwargs.update({k: v for k, v in values.items() if k in kwargs})
    return CacheCluster(**kwargs)


def _zones(backend: Any, group: Any, preferred: list[str] | None) -> list[str]:
    if preferred:
        return list(preferred)
    subnet_group = backend.cache_subnet_groups.get(group.cache_subnet_group_name or "")
    zones: list[str] = []
    for subnet in getattr(subnet_group, "subnets", []):
        zone = subnet.get("subnet_availability_zone")
        zone = zone.get("Name") if isinstance(zone, dict) else zone
        if zone and zone not in zones:
            zones.append(zone)
    return zones or [f"{backend.region_name}a", f"{backend.region_name}b"]


def _members(group: Any, count: int, zones: list[str]) -> None:
    """Rebuild the single node group of a cluster-mode-disabled group with `count` members."""
    node_group = group.node_groups[0]
    domain = node_group["primary_endpoint_address"].split(".", 1)[1]
    node_group["reader_endpoint"] = {"address": node_group["reader_endpoint_address"],
                                     "port": group.port}  # fmt: skip
    node_group["node_group_members"] = [
        {"cache_cluster_id": f"{group.replication_group_id}-{i + 1:03d}", "cache_node_id": "0001",
         "read_endpoint": {"address": f"{group.replication_group_id}-{i + 1:03d}.{domain}",
                           "port": group.port},
         "preferred_availability_zone": zones[i % len(zones)],
         "current_role": "primary" if i == 0 else "replica"}
        for i in range(count)
    ]  # fmt: skip
    group.member_clusters = [m["cache_cluster_id"] for m in node_group["node_group_members"]]


def _register(backend: Any, group: Any, auth_token: str | None) -> None:
    """Register every node group member as a cache cluster carrying the group's settings."""
    created = utcnow()
    tags = backend.tagging_service.list_tags_for_resource(group.arn)["Tags"]
    for node_group in group.node_groups:
        for member in node_group["node_group_members"]:
            cid, zone = member["cache_cluster_id"], member.get("preferred_availability_zone")
            cluster = _new_cluster(
                backend, cache_cluster_id=cid, replication_group_id=group.replication_group_id,
                cache_node_type=group.cache_node_type, engine=group.engine,
                engine_version=group.engine_version, preferred_availability_zone=zone,
                cache_parameter_group_name=group.cache_parameter_group_name,
                cache_subnet_group_name=group.cache_subnet_group_name,
                security_group_ids=group.security_group_ids, port=group.port,
                preferred_maintenance_window=group.preferred_maintenance_window,
                notification_topic_arn=group.notification_topic_arn,
                auto_minor_version_upgrade=group.auto_minor_version_upgrade,
                snapshot_retention_limit=group.snapshot_retention_limit,
                snapshot_window=group.snapshot_window, auth_token=auth_token,
                transit_encryption_enabled=group.transit_encryption_enabled,
            )  # fmt: skip
            address = member.get("read_endpoint", {}).get("address") or f"{cid}.cache"
            cluster.replication_group_id = group.replication_group_id
            cluster.at_rest_encryption_enabled = group.at_rest_encryption_enabled
            cluster.transit_encryption_mode = group.transit_encryption_mode
            cluster.replication_group_log_delivery_enabled = False
            cluster.security_groups = [{"SecurityGroupId": sg, "Status": "active"}
                                       for sg in group.security_group_ids or []]  # fmt: skip
            cluster.cache_parameter_group = {
                "CacheParameterGroupName": group.cache_parameter_group_name,
                "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []}  # fmt: skip
            cluster.cache_nodes = [{
                "CacheNodeId": "0001", "CacheNodeStatus": "available",
                "CacheNodeCreateTime": created, "ParameterGroupStatus": "in-sync",
                "Endpoint": {"Address": address, "Port": group.port},
                "CustomerAvailabilityZone": zone}]  # fmt: skip
            if group.notification_topic_arn:
                cluster.notification_configuration = {
                    "TopicArn": group.notification_topic_arn,
                    "TopicStatus": "active",
                }
            backend.cache_clusters[cid] = cluster
            if tags:
                backend.tagging_service.tag_resource(cluster.arn, tags)


def fill_snapshot(backend: Any, snapshot: Any, group: Any, source: str) -> Any:
    """Give a snapshot of a group what AWS records: source, KMS key, VPC, node snapshot."""
    snapshot.snapshot_source = source
    snapshot.kms_key_id = snapshot.kms_key_id or group.kms_key_id
    subnet_group = backend.cache_subnet_groups.get(group.cache_subnet_group_name or "")
    snapshot.vpc_id = getattr(subnet_group, "vpc_id", None)
    snapshot.node_snapshots = [
        {"CacheClusterId": cid, "NodeGroupId": "0001", "CacheNodeId": "0001",
         "CacheSize": "0 MB", "SnapshotCreateTime": utcnow()}
        for cid in group.member_clusters[:1]
    ]  # fmt: skip
    return snapshot


def wrap_create(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateReplicationGroup that registers member clusters and fills AWS's defaults."""

    @functools.wraps(original)
    def create_replication_group(self: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["replication_group_id"] = (kwargs.get("replication_group_id") or "").lower()
        rid, token = kwargs["replication_group_id"], kwargs.get("auth_token")
        if kwargs.get("cache_parameter_group_name"):
            kwargs["cache_parameter_group_name"] = kwargs["cache_parameter_group_name"].lower()
            self.describe_cache_parameter_groups(kwargs["cache_parameter_group_name"])
        subnet_group = kwargs.get("cache_subnet_group_name")
        if subnet_group and subnet_group not in self.cache_subnet_groups:
            raise CacheSubnetGroupNotFound(subnet_group)
        if token is not None and not 16 <= len(token) <= 128:
            raise PasswordTooShort
        taken = [c for c in _member_ids(rid, _count(kwargs)) if c in self.cache_clusters]
        if rid not in self.replication_groups and taken:
            raise CacheClusterAlreadyExists(taken[0])
        group = original(self, *args, **kwargs)
        try:
            _complete(self, group, kwargs)
        except Exception:  # leave nothing half made: no group, members or tags
            delete_replication_group(self, rid)
            raise
        return group

    return create_replication_group


def _complete(backend: Any, group: Any, kwargs: dict[str, Any]) -> None:
    group.engine_version = actual_engine_version(group.engine, kwargs.get("engine_version"))
    group.cache_parameter_group_name = kwargs.get(
        "cache_parameter_group_name"
    ) or default_parameter_group(group.engine, group.engine_version)
    group.preferred_maintenance_window = (
        kwargs.get("preferred_maintenance_window") or DEFAULT_MAINTENANCE_WINDOW
    ).lower()
    group.snapshot_window = kwargs.get("snapshot_window") or DEFAULT_SNAPSHOT_WINDOW
    if group.auto_minor_version_upgrade is None:
        group.auto_minor_version_upgrade = True
    if group.transit_encryption_enabled and not group.transit_encryption_mode:
        group.transit_encryption_mode = "required"
    group.security_group_ids = list(kwargs.get("security_group_ids") or [])
    if group.cluster_mode != "enabled":
        _members(
            group, _count(kwargs), _zones(backend, group, kwargs.get("preferred_cache_cluster_azs"))
        )
    members = group.member_clusters
    group.snapshotting_cluster_id = (
        (members[1] if len(members) > 1 else members[0]) if group.snapshot_retention_limit
        else None
    )  # fmt: skip
    _register(backend, group, kwargs.get("auth_token"))
    if group.snapshot_retention_limit:
        name = f"automatic.{group.replication_group_id}-{utcnow():%Y-%m-%d-%H-%M}"
        snapshot = backend.create_snapshot(
            snapshot_name=name, replication_group_id=group.replication_group_id,
            cache_cluster_id=None, kms_key_id=group.kms_key_id, tags=None,
        )  # fmt: skip
        fill_snapshot(backend, snapshot, group, "automated")


def delete_replication_group(
    self: Any,
    replication_group_id: str,
    retain_primary_cluster: bool | None = None,
    final_snapshot_identifier: str | None = None,
) -> Any:
    group = self.replication_groups.get(replication_group_id)
    if group is None:
        raise ReplicationGroupNotFound(replication_group_id)
    if final_snapshot_identifier:
        snapshot = self.create_snapshot(
            snapshot_name=final_snapshot_identifier, replication_group_id=replication_group_id,
            cache_cluster_id=None, kms_key_id=group.kms_key_id, tags=None,
        )  # fmt: skip
        fill_snapshot(self, snapshot, group, "manual")
    group.status = "deleting"
    for index, cid in enumerate(group.member_clusters):
        cluster = self.cache_clusters.get(cid)
        if cluster is None:
            continue
        if retain_primary_cluster and index == 0:
            cluster.replication_group_id = None
            continue
        del self.cache_clusters[cid]
        self.tagging_service.delete_all_tags_for_resource(cluster.arn)
    for name, snapshot in list(self.snapshots.items()):
        if snapshot.replication_group_id == replication_group_id and (
            snapshot.snapshot_source == "automated"
        ):
            del self.snapshots[name]
            self.tagging_service.delete_all_tags_for_resource(snapshot.arn)
    del self.replication_groups[replication_group_id]
    self.tagging_service.delete_all_tags_for_resource(group.arn)
    return group
