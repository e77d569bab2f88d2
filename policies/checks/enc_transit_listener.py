"""Listeners: HTTPS/TLS with a security policy that refuses TLS 1.0 and 1.1, HTTP only to redirect.

Which protocols a named ELB security policy accepts is AWS's data, not something a pattern over
its name can be trusted with (`ELBSecurityPolicy-TLS13-1-0-2021-06` offers TLS 1.3 *and* still
accepts TLS 1.0), so it is read from `MIN_TLS`: every predefined policy with the oldest TLS
version it accepts, after AWS's "Security policies for your Application Load Balancer" page
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html,
"Protocols by policy"). A name that is not in the table is not vouched for: it fails."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import block, blocks, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_lb_listener", "aws_alb_listener")

REQUIRED = (1, 2)
# AWS's default for an HTTPS/TLS listener created through the API (Terraform, CLI,
# CloudFormation) without an ssl_policy; the console's default differs and does not apply here.
API_DEFAULT = "ELBSecurityPolicy-2016-08"

# The oldest TLS version each predefined security policy accepts. The TLS, FIPS (2023-04), FS
# and pre-2017 rows are AWS's "Protocols by policy" tables (ELBSecurityPolicy-2015-05 is
# identical to 2016-08). The RFC 9151 (2023-07) and post-quantum (2025-09) rows are AWS's
# policy names with the oldest version their TLS13-<oldest>- name carries, the scheme every
# tabulated TLS13 policy follows (AWS: TLS13-1-2-Res-PQ-2025-09 serves "TLS 1.3 only or
# TLS 1.2 only" clients; TLS13-1-0-PQ / -FIPS-PQ keep TLS 1.0). Only the table decides: a
# policy AWS adds later fails until its row is added here from AWS's table.
MIN_TLS: dict[str, tuple[int, int]] = {
    # TLS 1.3 policies (2021-06)
    "ELBSecurityPolicy-TLS13-1-3-2021-06": (1, 3),
    "ELBSecurityPolicy-TLS13-1-2-2021-06": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": (1, 2),
    "ELBSecurityPolicy-TLS13-1-1-2021-06": (1, 1),
    "ELBSecurityPolicy-TLS13-1-0-2021-06": (1, 0),
    # FIPS policies (2023-04, RFC 9151 2023-07)
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04": (1, 3),
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04": (1, 2),
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04": (1, 1),
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04": (1, 0),
    "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07": (1, 3),
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext0-RFC9151-FIPS-2023-07": (1, 2),
    # post-quantum (hybrid ML-KEM key exchange) policies (2025-09)
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09": (1, 3),
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09": (1, 2),
    "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09": (1, 0),
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09": (1, 3),
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09": (1, 2),
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09": (1, 2),
    "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09": (1, 0),
    # TLS 1.2-only and older policies
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": (1, 2),
    "ELBSecurityPolicy-TLS-1-2-2017-01": (1, 2),
    "ELBSecurityPolicy-TLS-1-1-2017-01": (1, 1),
    "ELBSecurityPolicy-TLS-1-0-2015-04": (1, 0),
    "ELBSecurityPolicy-2016-08": (1, 0),
    "ELBSecurityPolicy-2015-05": (1, 0),
    # forward-secrecy policies
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": (1, 2),
    "ELBSecurityPolicy-FS-1-2-Res-2019-08": (1, 2),
    "ELBSecurityPolicy-FS-1-2-2019-08": (1, 2),
    "ELBSecurityPolicy-FS-1-1-2019-08": (1, 1),
    "ELBSecurityPolicy-FS-2018-06": (1, 0),
}


def min_tls(policy: str) -> tuple[int, int] | None:
    """The oldest TLS version a named AWS security policy accepts (None: not a known policy)."""
    return MIN_TLS.get(policy)


def tls12_policy(policy: str) -> bool:
    """Named AWS policies that refuse TLS 1.0 and 1.1."""
    oldest = min_tls(policy)
    return oldest is not None and oldest >= REQUIRED


def _judge_policy(protocol: str, policy: str, default: bool = False) -> Verdict:
    how = " (AWS's default when ssl_policy is not set)" if default else ""
    oldest = min_tls(policy)
    if oldest is None:
        return Verdict.fail(
            f"{protocol} listener policy {policy} is not a security policy AWS documents as "
            "refusing TLS 1.0/1.1 (not in the policy's table of AWS security policies; if AWS "
            "has added it, add it there with the oldest protocol AWS lists for it)")
    if oldest < REQUIRED:
        return Verdict.fail(f"{protocol} listener policy {policy}{how} accepts TLS "
                            f"{oldest[0]}.{oldest[1]} (TLS 1.2+ required)")
    return Verdict.ok(f"{protocol} listener uses {policy} (TLS {oldest[0]}.{oldest[1]}+)")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """HTTPS/TLS listeners need a TLS 1.2+ policy; HTTP ones must redirect to HTTPS."""
    protocol = str(resource.values.get("protocol") or "").upper()
    if protocol in ("HTTPS", "TLS"):
        policy = resource.values.get("ssl_policy")
        if not policy:
            if unset_on_create(resource, "ssl_policy"):
                return _judge_policy(protocol, API_DEFAULT, default=True)
            if unknown(resource, "ssl_policy"):
                return Verdict.unknown("ssl_policy is known only after apply")
            return _judge_policy(protocol, API_DEFAULT, default=True)
        return _judge_policy(protocol, str(policy))
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
