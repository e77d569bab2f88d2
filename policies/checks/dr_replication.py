"""The seed's DR: production documents are replicated across regions, to us-west-2."""

from __future__ import annotations

from collections.abc import Iterator

from tfproof.engine.addresses import split_address
from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import block, blocks, resource_tags, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.engine.readers import s3
from tfproof.engine.readers.account import region
from tfproof.plan import Resource

RESOURCE_TYPES = s3.BUCKET
RELATIONAL = True
SECONDARY = "us-west-2"
PRODUCTION = ("production", "prod")
# Resources that deliver logs into a bucket: such a bucket holds logs, not documents.
_LOG_WRITERS = (
    ("aws_cloudtrail", "s3_bucket_name"), ("aws_lb", "access_logs"), ("aws_alb", "access_logs"),
    ("aws_elb", "access_logs"),
    ("aws_flow_log", "log_destination"), ("aws_config_delivery_channel", "s3_bucket_name"),
    ("aws_s3_bucket_logging", "target_bucket"),
)


def _logged_names(index: PlanIndex) -> set[str]:
    """Bucket names other buckets send access logs to (also through dynamic logging blocks)."""
    def compute() -> set[str]:
        names = set()
        for bucket in index.of_type("aws_s3_bucket"):
            for logging in blocks(bucket.values, "logging"):
                if isinstance(logging.get("target_bucket"), str):
                    names.add(logging["target_bucket"])
        return names
    return index.memo("dr.logged", "names", compute)  # type: ignore[no-any-return]


def holds_logs(bucket: Resource, index: PlanIndex) -> bool:
    """A bucket that receives access logs, trail files, load balancer or flow logs."""
    if s3.is_log_target(bucket, index) or bucket.values.get("bucket") in _logged_names(index):
        return True
    return any(s3.writers(bucket, index, kind, attr) for kind, attr in _LOG_WRITERS)


def is_production(resource: Resource) -> bool:
    """Tagged (or default-tagged) Environment = production."""
    return str(resource_tags(resource).get("Environment", "")).lower() in PRODUCTION


def is_replica(bucket: Resource, index: PlanIndex) -> bool:
    """The destination of another bucket's replication (it holds the copy, not the original)."""
    def compute() -> set[str]:
        out: set[str] = set()
        for source in index.of_type("aws_s3_bucket"):
            out |= {t.address for t in destinations(source, index)[1] if isinstance(t, Resource)
                    and t.address != source.address}
        return out
    return bucket.address in index.memo("dr.replicas", "all", compute)


def documents_bucket(bucket: Resource, index: PlanIndex) -> bool:
    """A production bucket holding data (not logs, not a replica) outside the secondary region."""
    return (is_production(bucket) and region(bucket, index) != SECONDARY
            and not holds_logs(bucket, index) and not is_replica(bucket, index))


def _caller(module_address: str) -> str:
    """`module.a.module.b[0]` -> `module.a`: the module that calls the innermost one."""
    parts = split_address(module_address) if module_address else []
    return ".".join(parts[:-2]) if len(parts) >= 4 else ""


def _same_module(candidate: Resource, bucket: Resource) -> bool:
    """Created by the bucket's module instance, or (bucket modules) by a sibling call of it."""
    if candidate.module_address == bucket.module_address:
        return True
    caller = _caller(bucket.module_address)
    return bool(caller) and caller in (_caller(candidate.module_address),
                                       candidate.module_address)


def _by_arn(arn: str, index: PlanIndex) -> list[Resource]:
    name = arn.split(":::")[-1].split("/")[0]
    return [b for b in index.of_type("aws_s3_bucket") if b.values.get("bucket") == name]


def destinations(bucket: Resource, index: PlanIndex) -> tuple[bool, list[Resource | str], bool]:
    """(replicates at all, destination buckets or foreign ARNs, some destination unknown)."""
    rules = s3.replication_rules(bucket, index)
    found: dict[str, Resource | str] = {}
    pending = False
    enabled = [(owner, rule) for owner, rule in rules if rule.get("status") != "Disabled"]
    for owner, rule in enabled:
        arn = block(rule, "destination").get("bucket")
        if isinstance(arn, str) and arn:
            targets = _by_arn(arn, index)
            found.update({t.address: t for t in targets} if targets else {arn: arn})
            continue
        attr = "replication_configuration" if owner is bucket else "rule"
        refs = [t for t in index.references(owner, attr) if t.type == "aws_s3_bucket"]
        found.update({t.address: t for t in refs})
        pending = pending or not refs
    return bool(enabled), list(found.values()), pending


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """A production documents bucket replicates (Enabled rule) to a bucket created in us-west-2."""
    if not documents_bucket(resource, index):
        return None
    name = resource.values.get("bucket") or resource.address
    replicates, targets, pending = destinations(resource, index)
    if not replicates:
        if unknown(resource, "replication_configuration") and not blocks(
                resource.values, "replication_configuration") and "create" not in resource.actions:
            return Verdict.unknown("the replication configuration is known only after apply")
        return Verdict.fail(f"production documents bucket {name} is not replicated to "
                            f"{SECONDARY} (no enabled replication rule)")
    if s3.versioning(resource, index) is False:
        return Verdict.fail(f"bucket {name} replicates but is not versioned (S3 requires it)")
    if pending:
        # Destination set in a dynamic block or known only after apply: the buckets this
        # module instance creates in the secondary region are the candidates.
        targets += [b for b in index.of_type("aws_s3_bucket")
                    if _same_module(b, resource)
                    and b.address != resource.address
                    and region(b, index) == SECONDARY and not holds_logs(b, index)]
    where, unread = [], []
    for target in targets:
        if isinstance(target, str):
            where.append(f"{target} (not created by this plan: its region cannot be shown)")
            continue
        target_region = region(target, index)
        if target_region == SECONDARY:
            how = " (destination known after apply; the module creates it there)" if (
                pending) else ""
            return Verdict.ok(f"replicated to {target.address} in {SECONDARY}{how}")
        if target_region is None:
            unread.append(target.address)
        else:
            where.append(f"{target.address} in {target_region}")
    if unread:
        return Verdict.unknown(f"the region of {', '.join(unread)} is known only after apply")
    if pending and not where:
        return Verdict.unknown("the replication destination is known only after apply")
    return Verdict.fail(f"production documents bucket {name} replicates to "
                        f"{', '.join(where)}, not to a bucket in {SECONDARY}")


def evaluate_plan(index: PlanIndex) -> Iterator[Verdict]:
    """Say so when DR does not apply (no production documents bucket, e.g. a sandbox plan)."""
    buckets = index.of_type(*RESOURCE_TYPES)
    if any(documents_bucket(b, index) for b in buckets):
        return
    production = [b for b in buckets if is_production(b)]
    why = ("no S3 bucket" if not buckets else
           "no bucket is tagged Environment=production" if not production else
           f"the production buckets hold logs or are in {SECONDARY}")
    yield Verdict("passed", f"not applicable: {why}, so no production documents to replicate",
                  "(plan)")


export_check(globals())
