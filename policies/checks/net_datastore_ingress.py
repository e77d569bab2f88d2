"""Data-store security groups: ingress from security groups only, never from CIDR ranges."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import as_list
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers.network import INGRESS_TYPES, ingress_rules
from tfproof.plan import Resource

RESOURCE_TYPES = INGRESS_TYPES
RELATIONAL = True
_STORES = {
    "aws_db_instance": "vpc_security_group_ids",
    "aws_rds_cluster": "vpc_security_group_ids",
    "aws_elasticache_cluster": "security_group_ids",
    "aws_elasticache_replication_group": "security_group_ids",
}


def _guards_store(group: Resource, index: PlanIndex) -> bool:
    return any(index.referrers(group, store, attr) for store, attr in _STORES.items())


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Only rules on groups attached to a database or cache are judged."""
    rules, groups = ingress_rules(resource, index)
    if not rules or not any(_guards_store(g, index) for g in groups):
        return None
    ranges = sorted({c for rule in rules for key in ("cidr_blocks", "ipv6_cidr_blocks",
                                                        "prefix_list_ids")
                     for c in as_list(rule.get(key))})
    if ranges:
        return Verdict.fail("data store reachable from address ranges " + ", ".join(ranges))
    return Verdict.ok("data store reachable only from security groups")


export_check(globals())
