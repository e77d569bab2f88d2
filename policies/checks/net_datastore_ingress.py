"""Data-store security groups: ingress from security groups only, never from CIDR ranges.

Failed beats unknown beats passed: a rule with a known address range fails the group whatever
the others are; a rule whose ranges are known only after apply (an Elastic IP's /32, say) makes
the answer unknown, not passed. Provider 5's `aws_vpc_security_group_ingress_rule` counts as
a rule like the others (`cidr_ipv4`, `cidr_ipv6`, `prefix_list_id` are ranges;
`referenced_security_group_id` is a group); a serverless cache guards its groups like a
cluster does.
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import as_list
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers.network import INGRESS_TYPES, ingress_pending, ingress_rules
from tfproof.plan import Resource

RESOURCE_TYPES = INGRESS_TYPES
RELATIONAL = True
_STORES = {
    "aws_db_instance": "vpc_security_group_ids",
    "aws_rds_cluster": "vpc_security_group_ids",
    "aws_elasticache_cluster": "security_group_ids",
    "aws_elasticache_replication_group": "security_group_ids",
    "aws_elasticache_serverless_cache": "security_group_ids",
}
_RANGES = {
    "aws_security_group": ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"),
    "aws_security_group_rule": ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"),
    "aws_vpc_security_group_ingress_rule": ("cidr_ipv4", "cidr_ipv6", "prefix_list_id"),
}


def _guards_store(group: Resource, index: PlanIndex) -> bool:
    return any(index.referrers(group, store, attr) for store, attr in _STORES.items())


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Only rules on groups attached to a database or cache are judged."""
    rules, groups = ingress_rules(resource, index)
    if not rules or not any(_guards_store(g, index) for g in groups):
        return None
    ranges = sorted({str(c) for rule in rules for key in ("cidr_blocks", "ipv6_cidr_blocks",
                                                             "prefix_list_ids")
                     for c in as_list(rule.get(key)) if c is not None})
    if ranges:
        return Verdict.fail("data store reachable from address ranges " + ", ".join(ranges))
    if ingress_pending(resource, _RANGES[resource.type]):
        return Verdict.unknown("the address ranges of an ingress rule are known only after apply")
    return Verdict.ok("data store reachable only from security groups")


export_check(globals())
