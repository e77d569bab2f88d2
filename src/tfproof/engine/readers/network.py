"""Security group ingress as one list of rules, whatever style declared it.

Ingress may be inline `ingress` blocks, `aws_security_group_rule` resources, or
(provider 5) `aws_vpc_security_group_ingress_rule`; the last two reach their
group through `security_group_id`, a configuration reference. Network policies
read all three the same way here.
"""

from __future__ import annotations

from typing import Any

from tfproof.engine.helpers import as_list, blocks, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.plan import Resource

INGRESS_TYPES = ("aws_security_group", "aws_security_group_rule",
                 "aws_vpc_security_group_ingress_rule")


def ingress_rules(resource: Resource, index: PlanIndex) -> tuple[list[dict[str, Any]],
                                                                  list[Resource]]:
    """The ingress rules a resource declares and the security group(s) they open."""
    if resource.type == "aws_security_group":
        return blocks(resource.values, "ingress"), [resource]
    if resource.type == "aws_security_group_rule" and resource.values.get("type") != "ingress":
        return [], []
    groups = [g for g in index.references(resource, "security_group_id")
              if g.type == "aws_security_group"]
    if resource.type == "aws_security_group_rule":
        return [resource.values], groups
    rule = dict(resource.values)
    rule["cidr_blocks"] = as_list(rule.pop("cidr_ipv4", None))
    rule["ipv6_cidr_blocks"] = as_list(rule.pop("cidr_ipv6", None))
    rule["protocol"] = rule.pop("ip_protocol", None)
    if rule.get("prefix_list_id"):
        rule["prefix_list_ids"] = [rule["prefix_list_id"]]
    return [rule], groups


def _unknown_part(node: object) -> bool:
    """An after_unknown node that is, or holds, an unknown value."""
    return node is True or (isinstance(node, list) and any(_unknown_part(n) for n in node))


def ingress_pending(resource: Resource, keys: tuple[str, ...]) -> bool:
    """Some ingress rule of `resource` has one of `keys` known only after apply.

    Inline `ingress` blocks of a group are looked at block by block; a rule
    resource by its own attributes (an attribute left unset on create is not
    pending).
    """
    if resource.type == "aws_security_group":
        pending = resource.unknown.get("ingress")
        items = pending if isinstance(pending, list) else []
        return any(isinstance(item, dict) and any(_unknown_part(item.get(k)) for k in keys)
                   for item in items)
    return any(unknown(resource, k) and not unset_on_create(resource, k) for k in keys)
