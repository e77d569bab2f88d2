"""Listeners: HTTPS/TLS with a TLS 1.2+ policy, HTTP only to redirect."""

from __future__ import annotations

import re

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import block, blocks, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_lb_listener", "aws_alb_listener")
_STRONG = re.compile(r"TLS13|TLS-1-2|TLS-1-3|FS-1-2")


def tls12_policy(policy: str) -> bool:
    """Named AWS policies that refuse TLS 1.0 and 1.1."""
    return bool(_STRONG.search(policy))


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """HTTPS/TLS listeners need a TLS1.2+ policy; HTTP ones must redirect to HTTPS."""
    protocol = str(resource.values.get("protocol") or "").upper()
    if protocol in ("HTTPS", "TLS"):
        policy = resource.values.get("ssl_policy")
        if not policy and unknown(resource, "ssl_policy"):
            return Verdict.unknown("ssl_policy is known only after apply")
        if policy and tls12_policy(str(policy)):
            return Verdict.ok(f"{protocol} listener uses {policy}")
        return Verdict.fail(f"{protocol} listener policy {policy or '(default)'} allows TLS < 1.2")
    if protocol == "HTTP":
        for action in blocks(resource.values, "default_action"):
            redirect = block(action, "redirect")
            to_https = str(redirect.get("protocol")).upper() == "HTTPS"
            if action.get("type") == "redirect" and to_https:
                return Verdict.ok("HTTP listener only redirects to HTTPS")
        return Verdict.fail("plain HTTP listener serves traffic without TLS")
    if not protocol and unknown(resource, "protocol"):
        return Verdict.unknown("protocol is known only after apply")
    return None


export_check(globals())
