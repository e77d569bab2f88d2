"""World-open ingress (IPv4 and IPv6), inline or as separate rules, on any port.

Failed beats unknown beats passed: a known world-open rule fails the group whatever the others
are; a rule whose source ranges are known only after apply makes it unknown; a rule from a
security group (its ID known only after apply) is no address range and does not. A world-open
rule whose ports or protocol are known only after apply is unknown only where it could still
be the one exception (tcp 443 to a public load balancer's group): anywhere else every port
breaks the rule, and a known from_port or to_port other than 443 is a port that does.
"""

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
from tfproof.engine.readers.network import INGRESS_TYPES, ingress_pending, ingress_rules
from tfproof.plan import Resource

RESOURCE_TYPES = INGRESS_TYPES
RELATIONAL = True
_LB_TYPES = ("aws_lb", "aws_alb", "aws_elb")
_SOURCES = {
    "aws_security_group": ("cidr_blocks", "ipv6_cidr_blocks"),
    "aws_security_group_rule": ("cidr_blocks", "ipv6_cidr_blocks"),
    "aws_vpc_security_group_ingress_rule": ("cidr_ipv4", "cidr_ipv6"),
}
_PORT_KEYS = {
    "aws_security_group": ("from_port", "to_port", "protocol"),
    "aws_security_group_rule": ("from_port", "to_port", "protocol"),
    "aws_vpc_security_group_ingress_rule": ("from_port", "to_port", "ip_protocol"),
}


def _ports_pending(resource: Resource, number: int) -> bool:
    """Rule `number`'s ports or protocol are known only after apply."""
    keys = _PORT_KEYS[resource.type]
    if resource.type != "aws_security_group":
        return any(unknown(resource, k) for k in keys)
    pending = resource.unknown.get("ingress")
    if pending is True:
        return True
    item = pending[number] if isinstance(pending, list) and number < len(pending) else None
    return isinstance(item, dict) and any(item.get(k) is True for k in keys)


def _may_be_https(rule: dict) -> bool:
    """No known part of the rule rules out tcp 443 alone (the unknown parts may still be)."""
    protocol = rule.get("protocol")
    if protocol is not None and str(protocol).lower() != "tcp":
        return False
    return all(rule.get(k) in (None, 443) for k in ("from_port", "to_port"))


def _public_lb_group(group: Resource, index: PlanIndex) -> bool:
    lbs = index.referrers(group, _LB_TYPES, "security_groups")
    return any(not truthy(lb.values.get("internal")) for lb in lbs)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Fail on any world-open ingress that is not HTTPS-only to a public load balancer."""
    rules, groups = ingress_rules(resource, index)
    if not rules:
        return None
    lb_only = bool(groups) and all(_public_lb_group(g, index) for g in groups)
    open_rules, maybe = [], []
    for number, rule in enumerate(rules):
        cidrs = set(as_list(rule.get("cidr_blocks"))) | set(as_list(rule.get("ipv6_cidr_blocks")))
        world = ", ".join(sorted(cidrs & WORLD_CIDRS))
        if not world:
            continue
        low, high = ports_overlap(rule.get("from_port"), rule.get("to_port"), rule.get("protocol"))
        every_port = str(rule.get("protocol")).lower() in ("-1", "all")
        if not every_port and _ports_pending(resource, number):
            ports = "-".join("?" if rule.get(k) is None else str(rule.get(k))
                             for k in ("from_port", "to_port"))
            if lb_only and _may_be_https(rule):
                maybe.append(f"ports {ports} from {world}")
            else:
                open_rules.append(f"ports {ports} from {world} (? known only after apply; it "
                                  "cannot be tcp 443 alone to a public load balancer)")
            continue
        https_only = (low, high) == (443, 443) and str(rule.get("protocol")).lower() == "tcp"
        if https_only and lb_only:
            continue
        ports = "all ports" if (low, high) == (0, 65535) else f"ports {low}-{high}"
        open_rules.append(f"{ports} from {world}")
    if open_rules:
        return Verdict.fail("ingress open to the world: " + "; ".join(open_rules))
    if maybe:
        return Verdict.unknown("world-open ingress to a public load balancer, allowed only if "
                               "tcp 443 (? known only after apply): " + "; ".join(maybe))
    if ingress_pending(resource, _SOURCES[resource.type]):
        return Verdict.unknown("ingress sources are known only after apply")
    return Verdict.ok("no world-open ingress")


export_check(globals())
