"""The seed's "VPC Endpoints": private subnets reach S3 through a gateway endpoint."""

from __future__ import annotations

import re

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import blocks, truthy, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_vpc",)
RELATIONAL = True
ROUTE_TABLES = ("aws_route_table", "aws_default_route_table")
_S3 = re.compile(r"^com\.amazonaws\.[a-z0-9-]+\.s3$")


def _to_internet(table: Resource, index: PlanIndex) -> bool:
    """The route table sends traffic to an internet gateway (the subnets on it are public)."""
    def compute() -> bool:
        if any(t.type == "aws_internet_gateway" for t in index.references(table, "route")):
            return True
        if any(str(r.get("gateway_id") or "").startswith("igw-")
               for r in blocks(table.values, "route")):
            return True
        for route in index.referrers(table, "aws_route", "route_table_id"):
            if any(t.type == "aws_internet_gateway"
                   for t in index.references(route, "gateway_id")):
                return True
            if str(route.values.get("gateway_id") or "").startswith("igw-"):
                return True
        return False
    return index.memo("s3_vpc_endpoint.igw", table.address, compute)  # type: ignore[no-any-return]


def _main_tables(vpc: Resource, index: PlanIndex) -> list[Resource]:
    """The VPC's main route table where the plan manages it."""
    found = index.referrers(vpc, "aws_default_route_table", "default_route_table_id")
    for assoc in index.referrers(vpc, "aws_main_route_table_association", "vpc_id"):
        found += [t for t in index.references(assoc, "route_table_id") if t.type in ROUTE_TABLES]
    return found


def private_route_tables(vpc: Resource, index: PlanIndex) -> tuple[list[Resource], set[str]]:
    """Private subnets of the VPC and the route tables they use (the VPC address = main table)."""
    private, tables = [], set()
    main = _main_tables(vpc, index)
    for subnet in index.referrers(vpc, "aws_subnet", "vpc_id"):
        if truthy(subnet.values.get("map_public_ip_on_launch")):
            continue
        used = [t for assoc in index.referrers(subnet, "aws_route_table_association", "subnet_id")
                for t in index.references(assoc, "route_table_id") if t.type in ROUTE_TABLES]
        if any(_to_internet(t, index) for t in used or main):
            continue
        private.append(subnet)
        tables |= {t.address for t in used} if used else {vpc.address}
    return private, tables


def _attached(endpoint: Resource, vpc: Resource, index: PlanIndex) -> set[str] | None:
    """Route tables the endpoint is on (None when only known after apply)."""
    found = {t.address for t in index.references(endpoint, "route_table_ids")
             if t.type in ROUTE_TABLES or t.address == vpc.address}
    for assoc in index.referrers(endpoint, "aws_vpc_endpoint_route_table_association",
                                 "vpc_endpoint_id"):
        found |= {t.address for t in index.references(assoc, "route_table_id")}
    if vpc.address in found:  # main_route_table_id of the VPC
        found |= {t.address for t in _main_tables(vpc, index)}
    literal = [r for r in endpoint.values.get("route_table_ids") or [] if isinstance(r, str)]
    if found or literal:
        return found | set(literal)
    if unknown(endpoint, "route_table_ids") and not unset_on_create(endpoint, "route_table_ids"):
        return None
    return set()


def _gateway(endpoint: Resource) -> bool | None:
    """An S3 gateway endpoint (None: its service or type is known only after apply)."""
    service = endpoint.values.get("service_name")
    kind = endpoint.values.get("vpc_endpoint_type")
    if isinstance(kind, str) and kind != "Gateway":
        return False
    if isinstance(service, str) and not _S3.match(service):
        return False
    if service is None and unknown(endpoint, "service_name"):
        return None
    if kind is None and unknown(endpoint, "vpc_endpoint_type"):
        return None
    return isinstance(service, str)


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """A Gateway endpoint for com.amazonaws.<region>.s3 on every route table of a private subnet.

    Any one endpoint that serves every private route table passes the VPC, whatever the others
    are; the answer is unknown only when none is known to, and one might (its service, type or
    route tables known only after apply); failed when none can.
    """
    private, tables = private_route_tables(resource, index)
    if not private:
        return None
    names = ", ".join(sorted(s.address for s in private))
    s3_endpoints, gateways, pending = [], [], []
    for endpoint in index.referrers(resource, "aws_vpc_endpoint", "vpc_id"):
        service = endpoint.values.get("service_name")
        if isinstance(service, str) and _S3.match(service):
            s3_endpoints.append(endpoint)
        gateway = _gateway(endpoint)
        if gateway is None:
            pending.append(f"the service or type of {endpoint.address} is known only after "
                           "apply")
        elif gateway:
            gateways.append(endpoint)
    problems = []
    for endpoint in gateways:
        attached = _attached(endpoint, resource, index)
        if attached is None:
            pending.append(f"the route tables of {endpoint.address} are known only after apply")
            continue
        missing = tables - attached
        if attached and not missing:
            return Verdict.ok(f"S3 gateway endpoint {endpoint.address} is on the route tables of "
                              "the private subnets")
        if missing == {resource.address} and any(not a.startswith(("aws_", "module."))
                                                   for a in attached):
            pending.append(f"{endpoint.address} lists route table IDs that may or may not be the "
                           "VPC's main route table")
            continue
        where = "no route table" if not attached else "not on " + ", ".join(
            "the main route table" if m == resource.address else m for m in sorted(missing))
        problems.append(f"{endpoint.address} is attached to {where}")
    if pending:
        return Verdict.unknown("; ".join(pending))
    if not gateways:
        kinds = f" (only Interface endpoints: {', '.join(e.address for e in s3_endpoints)})" \
            if s3_endpoints else ""
        return Verdict.fail(f"VPC has private subnets ({names}) but no S3 gateway endpoint"
                            f"{kinds}: S3 traffic leaves through the NAT / internet")
    return Verdict.fail(f"S3 gateway endpoint does not serve the private subnets ({names}): "
                        + "; ".join(problems))


export_check(globals())
