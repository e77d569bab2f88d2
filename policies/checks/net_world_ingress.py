"""World-open ingress (IPv4 and IPv6), inline or as separate rules, on any port."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import (
    WORLD_CIDRS,
    as_list,
    ports_overlap,
    truthy,
    unknown,
)
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers.network import INGRESS_TYPES, ingress_rules
from tfproof.plan import Resource

RESOURCE_TYPES = INGRESS_TYPES
RELATIONAL = True
_LB_TYPES = ("aws_lb", "aws_alb", "aws_elb")



def _public_lb_group(group: Resource, index: PlanIndex) -> bool:
    lbs = index.referrers(group, _LB_TYPES, "security_groups")
    return any(not truthy(lb.values.get("internal")) for lb in lbs)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Fail on any world-open ingress that is not HTTPS-only to a public load balancer."""
    rules, groups = ingress_rules(resource, index)
    if not rules:
        return None
    attr = "ingress" if resource.type == "aws_security_group" else "cidr_blocks"
    open_rules = []
    for rule in rules:
        cidrs = set(as_list(rule.get("cidr_blocks"))) | set(as_list(rule.get("ipv6_cidr_blocks")))
        world = cidrs & WORLD_CIDRS
        if not world:
            continue
        low, high = ports_overlap(rule.get("from_port"), rule.get("to_port"), rule.get("protocol"))
        https_only = (low, high) == (443, 443) and str(rule.get("protocol")).lower() == "tcp"
        if https_only and groups and all(_public_lb_group(g, index) for g in groups):
            continue
        ports = "all ports" if (low, high) == (0, 65535) else f"ports {low}-{high}"
        open_rules.append(f"{ports} from {', '.join(sorted(world))}")
    if open_rules:
        return Verdict.fail("ingress open to the world: " + "; ".join(open_rules))
    if unknown(resource, attr) or unknown(resource, "ipv6_cidr_blocks"):
        return Verdict.unknown("ingress sources are known only after apply")
    return Verdict.ok("no world-open ingress")


export_check(globals())
