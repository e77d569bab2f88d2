"""The ElastiCache response methods the `elasticache` extension adds to moto (query API).

Each parses its request the way moto's own `ElastiCacheResponse` does
(`self._get_param` on botocore-parsed parameters) and hands the backend's model to
moto's serializer; the semantics live in the backend methods of
`elasticache_params`, `elasticache_groups` and `elasticache_tags`.

This module imports moto at import time: only `elasticache.install()` imports it.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult


# -- parameter groups ----------------------------------------------------------------
def _create_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.create_cache_parameter_group(
        cache_parameter_group_name=self._get_param("CacheParameterGroupName"),
        cache_parameter_group_family=self._get_param("CacheParameterGroupFamily"),
        description=self._get_param("Description"),
        tags=self._get_param("Tags", []),
    )
    return ActionResult({"CacheParameterGroup": group})


def _describe_groups_response(self: Any) -> ActionResult:
    groups = self.elasticache_backend.describe_cache_parameter_groups(
        cache_parameter_group_name=self._get_param("CacheParameterGroupName")
    )
    return ActionResult({"CacheParameterGroups": groups})


def _describe_parameters_response(self: Any) -> ActionResult:
    parameters = self.elasticache_backend.describe_cache_parameters(
        cache_parameter_group_name=self._get_param("CacheParameterGroupName"),
        source=self._get_param("Source"),
    )
    return ActionResult({"Parameters": parameters, "CacheNodeTypeSpecificParameters": []})


def _modify_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.modify_cache_parameter_group(
        cache_parameter_group_name=self._get_param("CacheParameterGroupName"),
        parameter_name_values=self._get_param("ParameterNameValues", []),
    )
    return ActionResult({"CacheParameterGroupName": group.cache_parameter_group_name})


def _reset_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.reset_cache_parameter_group(
        cache_parameter_group_name=self._get_param("CacheParameterGroupName"),
        reset_all_parameters=self._get_bool_param("ResetAllParameters"),
        parameter_name_values=self._get_param("ParameterNameValues", []),
    )
    return ActionResult({"CacheParameterGroupName": group.cache_parameter_group_name})


def _delete_response(self: Any) -> ActionResult:
    self.elasticache_backend.delete_cache_parameter_group(
        cache_parameter_group_name=self._get_param("CacheParameterGroupName")
    )
    return EmptyResult()


PARAMETER_GROUP_RESPONSES = {
    "create_cache_parameter_group": _create_response,
    "describe_cache_parameter_groups": _describe_groups_response,
    "describe_cache_parameters": _describe_parameters_response,
    "modify_cache_parameter_group": _modify_response,
    "reset_cache_parameter_group": _reset_response,
    "delete_cache_parameter_group": _delete_response,
}


# -- subnet groups and replication groups -------------------------------------------
def delete_subnet_group_response(self: Any) -> ActionResult:
    self.elasticache_backend.delete_cache_subnet_group(
        cache_subnet_group_name=self._get_param("CacheSubnetGroupName")
    )
    return EmptyResult()


def modify_subnet_group_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.modify_cache_subnet_group(
        cache_subnet_group_name=self._get_param("CacheSubnetGroupName"),
        cache_subnet_group_description=self._get_param("CacheSubnetGroupDescription"),
        subnet_ids=self._get_param("SubnetIds"),
    )
    return ActionResult({"CacheSubnetGroup": group})


def delete_group_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.delete_replication_group(
        replication_group_id=self._get_param("ReplicationGroupId"),
        retain_primary_cluster=self._get_bool_param("RetainPrimaryCluster"),
        final_snapshot_identifier=self._get_param("FinalSnapshotIdentifier"),
    )
    return ActionResult({"ReplicationGroup": group})
