"""ElastiCache for Redis as the platform's module creates it, patched into moto 5.2.5.

moto 5.2.5 serves replication groups, subnet groups and snapshots only in part: it
has no cache parameter groups, registers none of a replication group's member
clusters (so the Terraform provider's read fails with CacheClusterNotFound), leaves
a deleted replication group "deleting" forever and cannot delete a subnet group.
The behaviour, each part citing the ElastiCache API reference, lives in
`elasticache_params` (parameter groups), `elasticache_groups` (replication groups,
member clusters, automatic and final snapshots) and `elasticache_tags` (subnet group
deletion and changes, tags by ARN), with their request parsing in
`elasticache_responses`. Those modules import moto, so `install()` alone imports them.

Guards, per action: an action moto's backend or response class already has (e.g.
`create_cache_parameter_group`) is left alone; the replication group create and
delete are probed on a throwaway backend (are member clusters registered, is a deleted
group gone, is FinalSnapshotIdentifier taken) and the tag actions are left alone when
moto's ARN check already accepts parameter groups.
"""

from __future__ import annotations

import inspect
from typing import Any

from tfproof.sandbox.moto_ext import Extension

BEHAVIOUR = (
    "ElastiCache API reference: CreateCacheParameterGroup / DescribeCacheParameterGroups / "
    "DescribeCacheParameters / ModifyCacheParameterGroup / ResetCacheParameterGroup / "
    "DeleteCacheParameterGroup (default.<family> groups, CacheParameterGroupNotFound, "
    "CacheParameterGroupAlreadyExists, Source=user lists changed parameters, a used or "
    "default group cannot be deleted); CreateReplicationGroup registers the member clusters "
    "<id>-001.. (NumCacheClusters) as cache clusters with the group's engine, actual engine "
    "version, node type, encryption, AUTH, subnet group, security groups, parameter group "
    "and zone, a primary and a reader endpoint, the group's tags on every member; "
    "SnapshotRetentionLimit > 0 keeps an automatic snapshot (taken at creation); "
    "DeleteReplicationGroup answers 'deleting' then removes the group, its members and "
    "automatic snapshots (FinalSnapshotIdentifier takes a manual snapshot first); "
    "DeleteCacheSubnetGroup (CacheSubnetGroupInUse, CacheSubnetGroupNotFoundFault) and "
    "ModifyCacheSubnetGroup; tag actions check the ARN's resource exists and accept "
    "parameter groups."
)
LIMITS = (
    "Creation and deletion are instant (no 'creating' state) and only the first automatic "
    "snapshot is taken (at creation, not in the window; none later, none expire). "
    "DescribeCacheParameters knows a dozen common parameters per engine and accepts any other "
    "name; the parameter group family is not checked against the engine version. "
    "ModifyReplicationGroup is moto's own (description, node type, failover, Multi-AZ, "
    "retention only; nothing reaches the member clusters), and there is no "
    "Increase/DecreaseReplicaCount, resharding or global datastore. A standalone cache "
    "cluster (CreateCacheCluster) is moto's own, including its never-ending deletion. "
    "Describe actions of parameter groups do not paginate."
)

_PROBE_ID = "tfproof-probe"


def _probe(backend_cls: type) -> tuple[bool, bool]:
    """(registers member clusters, finishes deleting) for moto's own replication groups."""
    try:
        backend = backend_cls("us-east-1", "000000000000")
        names = inspect.signature(backend.create_replication_group).parameters
        kwargs: dict[str, Any] = dict.fromkeys(names)
        kwargs.update(replication_group_id=_PROBE_ID, replication_group_description="probe",
                      num_cache_clusters=2, cache_node_type="cache.t3.micro", engine="redis",
                      preferred_cache_cluster_azs=[], node_group_configuration=[],
                      log_delivery_configurations=[], tags=[])  # fmt: skip
        backend.create_replication_group(**kwargs)
        members = {f"{_PROBE_ID}-001", f"{_PROBE_ID}-002"} <= set(backend.cache_clusters)
        backend.delete_replication_group(
            replication_group_id=_PROBE_ID, retain_primary_cluster=None
        )
        gone = _PROBE_ID not in backend.replication_groups
        takes_final = (
            "final_snapshot_identifier"
            in inspect.signature(backend.delete_replication_group).parameters
        )
        return members, gone and takes_final
    except Exception:
        return False, False


def _tags_native(backend_cls: type) -> bool:
    """True when moto's own tag actions accept a parameter group's ARN."""
    try:
        probe = backend_cls("us-east-1", "000000000000")
        arn = "arn:aws:elasticache:us-east-1:000000000000:parametergroup:probe"
        return bool(probe.arn_regex.match(arn))
    except Exception:
        return False


def install() -> bool:
    """Patch what the running moto lacks; False (nothing changed) when it has it all."""
    from moto.elasticache.models import ElastiCacheBackend
    from moto.elasticache.responses import ElastiCacheResponse

    from tfproof.sandbox.moto_ext import elasticache_groups as groups
    from tfproof.sandbox.moto_ext import elasticache_params as params
    from tfproof.sandbox.moto_ext import elasticache_responses as responses
    from tfproof.sandbox.moto_ext import elasticache_tags as tags

    def native(action: str) -> bool:
        return hasattr(ElastiCacheBackend, action) or hasattr(ElastiCacheResponse, action)

    patched = False
    members_native, delete_native = _probe(ElastiCacheBackend)
    tags_native = _tags_native(ElastiCacheBackend)

    missing = [action for action in params.BACKEND_METHODS if not native(action)]
    for action in missing:
        setattr(ElastiCacheBackend, action, params.BACKEND_METHODS[action])
        setattr(ElastiCacheResponse, action, responses.PARAMETER_GROUP_RESPONSES[action])
        patched = True
    if "create_cache_parameter_group" in missing:  # the groups live in this patch's store
        ElastiCacheBackend.iter_tagged_resources = tags.wrap_iter_tagged(
            ElastiCacheBackend.iter_tagged_resources
        )

    subnet_actions = {
        "delete_cache_subnet_group": (tags.delete_cache_subnet_group,
                                      responses.delete_subnet_group_response),
        "modify_cache_subnet_group": (tags.modify_cache_subnet_group,
                                      responses.modify_subnet_group_response),
    }  # fmt: skip
    for action, (method, response) in subnet_actions.items():
        if not native(action):
            setattr(ElastiCacheBackend, action, method)
            setattr(ElastiCacheResponse, action, response)
            patched = True

    if not members_native:
        ElastiCacheBackend.create_replication_group = groups.wrap_create(
            ElastiCacheBackend.create_replication_group
        )
        patched = True
    if not delete_native:
        ElastiCacheBackend.delete_replication_group = groups.delete_replication_group
        ElastiCacheResponse.delete_replication_group = responses.delete_group_response
        patched = True

    if not tags_native:
        ElastiCacheBackend.list_tags_for_resource = tags.list_tags_for_resource
        for action in ("add_tags_to_resource", "remove_tags_from_resource"):
            setattr(ElastiCacheBackend, action,
                    tags.wrap_tagging(getattr(ElastiCacheBackend, action)))  # fmt: skip
        patched = True
    return patched


EXTENSION = Extension(
    name="elasticache",
    service="elasticache",
    behaviour=BEHAVIOUR,
    limits=LIMITS,
    install=install,
)
