"""What an S3 bucket really has, inline (provider 3) or in split resources (provider 4+).

Provider 4 moved encryption, versioning, logging, policy, replication, object lock
and the public access block into `aws_s3_bucket_*` resources tied to the bucket by
reference; provider 3 keeps all but the last inline, and the account's public
access block (readers.account) counts for every bucket of its account. Every S3
policy asks here, so both styles (and a mix) are judged the same way, and
`writers` finds what delivers into a bucket (a trail, a load balancer) also when
it names the bucket through one of those configs. Each
switch answers True, False or None (unknown until apply), a known True first:
one config known to enable it is enough, and a config known only after apply
makes it unknown only while none does. `policies` gives the known documents and
whether another is still unknown.
"""

from __future__ import annotations

from typing import Any

from tfproof.engine.helpers import block, blocks, truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.readers import account
from tfproof.engine.readers.documents import document_statements
from tfproof.plan import Resource

BUCKET = ("aws_s3_bucket",)
_SSE_OK = {"AES256", "aws:kms", "aws:kms:dsse"}


def _unset_on_create(resource: Resource, attribute: str) -> bool:
    """An optional+computed block the configuration never sets, on a new resource: off."""
    return "create" in resource.actions and attribute not in resource.expressions


def _split(bucket: Resource, index: PlanIndex, resource_type: str) -> list[Resource]:
    return index.referrers(bucket, resource_type, "bucket")


def encryption(bucket: Resource, index: PlanIndex) -> bool | None:
    """Default encryption with AES256 or aws:kms, in any config or inline.

    One known to declare it is enough; a config known only after apply leaves it unknown
    only while none does.
    """
    pending = False
    for config in _split(bucket, index, "aws_s3_bucket_server_side_encryption_configuration"):
        for rule in blocks(config.values, "rule"):
            algo = block(rule, "apply_server_side_encryption_by_default").get("sse_algorithm")
            if algo in _SSE_OK:
                return True
        pending = pending or unknown(config, "rule")
    inline = block(bucket.values, "server_side_encryption_configuration")
    algo = block(block(inline, "rule"), "apply_server_side_encryption_by_default").get(
        "sse_algorithm"
    )
    if algo in _SSE_OK:
        return True
    if unknown(bucket, "server_side_encryption_configuration") and not _unset_on_create(
            bucket, "server_side_encryption_configuration"):
        pending = True
    return None if pending else False


def versioning(bucket: Resource, index: PlanIndex) -> bool | None:
    """Versioning enabled, in any aws_s3_bucket_versioning or inline.

    One known to enable it is enough; a config known only after apply leaves it unknown
    only while none does.
    """
    pending = False
    for config in _split(bucket, index, "aws_s3_bucket_versioning"):
        status = block(config.values, "versioning_configuration").get("status")
        if status == "Enabled":
            return True
        pending = pending or unknown(config, "versioning_configuration")
    if truthy(block(bucket.values, "versioning").get("enabled")):
        return True
    if object_lock(bucket, index):
        return True
    if unknown(bucket, "versioning") and not _unset_on_create(bucket, "versioning"):
        pending = True
    return None if pending else False


def object_lock(bucket: Resource, index: PlanIndex) -> bool:
    """S3 Object Lock known enabled: provider 4+ `object_lock_enabled = true`, provider 3's
    inline `object_lock_configuration { object_lock_enabled = "Enabled" }`, or an
    aws_s3_bucket_object_lock_configuration (its `object_lock_enabled` defaults to Enabled).

    S3 turns versioning on with Object Lock and never lets it be suspended afterwards, so a
    locked bucket is versioned whatever (or whether) a versioning config says.
    """
    if truthy(bucket.values.get("object_lock_enabled")):
        return True
    if block(bucket.values, "object_lock_configuration").get("object_lock_enabled") == "Enabled":
        return True
    return any(config.values.get("object_lock_enabled", "Enabled") == "Enabled"
               and not unknown(config, "object_lock_enabled")
               for config in _split(bucket, index, "aws_s3_bucket_object_lock_configuration"))


def logging(bucket: Resource, index: PlanIndex) -> bool | None:
    """Server access logging configured."""
    if _split(bucket, index, "aws_s3_bucket_logging"):
        return True
    if blocks(bucket.values, "logging"):
        return True
    if unknown(bucket, "logging"):
        return False if _unset_on_create(bucket, "logging") else None
    return False


# Split configs that hold the bucket's name (`bucket`): a writer that names one of them (to wait
# for the bucket policy that lets it write) names the bucket.
_NAMING_CONFIGS = (
    "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block", "aws_s3_bucket_acl",
    "aws_s3_bucket_ownership_controls", "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_logging",
    "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_object_lock_configuration",
)


def writers(bucket: Resource, index: PlanIndex, kinds: tuple[str, ...] | str,
            attribute: str) -> list[Resource]:
    """Resources of `kinds` whose `attribute` names the bucket: by reference to it, by its
    known name, or by reference to one of its split configs (`s3_bucket_name =
    aws_s3_bucket_policy.trail.bucket` is how a trail waits for the policy it needs), or a
    known literal naming it (also inside a block, or as an S3 ARN with a prefix)."""
    found = {r.address: r for r in index.referrers(bucket, kinds, attribute)}
    for config in index.referrers(bucket, _NAMING_CONFIGS, "bucket"):
        found.update((r.address, r) for r in index.referrers(config, kinds, attribute))
    name = bucket.values.get("bucket")
    if isinstance(name, str) and name:
        for kind in (kinds,) if isinstance(kinds, str) else kinds:
            found.update((r.address, r) for r in _by_literal_name(index, kind, attribute).get(
                name, ()))
    return list(found.values())


def _by_literal_name(index: PlanIndex, kind: str, attribute: str) -> dict[str, list[Resource]]:
    """Bucket name -> resources of `kind` whose known `attribute` names it (once per plan)."""
    def compute() -> dict[str, list[Resource]]:
        table: dict[str, list[Resource]] = {}
        for resource in index.of_type(kind):
            for name in _literal_names(resource.values.get(attribute)):
                table.setdefault(name, []).append(resource)
        return table
    return index.memo("s3.named", f"{kind}.{attribute}", compute)  # type: ignore[no-any-return]


def _literal_names(value: Any) -> set[str]:
    """Bucket names a known value gives: a name, an S3 ARN (`arn:aws:s3:::name/prefix`), or
    the `bucket` of a block (`access_logs { bucket = "name" }`)."""
    if isinstance(value, str):
        return {value.removeprefix("arn:aws:s3:::").split("/")[0]} if value else set()
    return {name for item in value if isinstance(item, dict)
            for name in _literal_names(item.get("bucket"))} if isinstance(value, list) else set()


def is_log_target(bucket: Resource, index: PlanIndex) -> bool:
    """True when other buckets deliver their access logs here (it cannot log to itself)."""
    if writers(bucket, index, "aws_s3_bucket_logging", "target_bucket"):
        return True
    if any(
        other.address != bucket.address
        for other in index.referrers(bucket, "aws_s3_bucket", "logging")
    ):
        return True
    # A dynamic `logging` block (e.g. a shared bucket module) is absent from the configuration
    # JSON: other buckets then name this one by its known name in their planned logging block.
    name = bucket.values.get("bucket")
    return isinstance(name, str) and bool(name) and any(
        other.address != bucket.address and logging.get("target_bucket") == name
        for other in index.of_type("aws_s3_bucket")
        for logging in blocks(other.values, "logging")
    )


PAB_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls",
             "restrict_public_buckets")


def public_access_flags(bucket: Resource, index: PlanIndex) -> dict[str, bool | None]:
    """Each public access block setting in effect: the bucket's own or its account's.

    S3 applies the more restrictive of the two per setting, so a setting is on when any block
    of the bucket (aws_s3_bucket_public_access_block) or of its account
    (aws_s3_account_public_access_block, same account only) is known to turn it on; unknown
    while one is known only after apply; off otherwise.
    """
    candidates = _split(bucket, index, "aws_s3_bucket_public_access_block") + (
        account.s3_account_flags(bucket, index))
    state: dict[str, bool | None] = {}
    for flag in PAB_FLAGS:
        if any(truthy(pab.values.get(flag)) for pab in candidates):
            state[flag] = True
        elif any(unknown(pab, flag) for pab in candidates):
            state[flag] = None
        else:
            state[flag] = False
    return state


def public_access_blocked(bucket: Resource, index: PlanIndex) -> bool | None:
    """All four public access block settings in effect (bucket's or account's, per setting).

    Failed beats unknown: one setting known off is False whatever the others are.
    """
    state = public_access_flags(bucket, index).values()
    if False in state:
        return False
    return None if None in state else True


def policies(bucket: Resource, index: PlanIndex) -> tuple[list[list[dict[str, Any]]], bool]:
    """The bucket's policy documents known at plan time; True beside them if one is not.

    Inline or aws_s3_bucket_policy. A deny is read on its own: a caller passes on a known
    deny whatever the unknown policies are, and is unknown only while no known one decides.
    """
    docs: list[list[dict[str, Any]]] = []
    pending = False
    for policy in _split(bucket, index, "aws_s3_bucket_policy"):
        statements = document_statements(policy, "policy", index)
        if statements is None:
            pending = True
        elif statements:
            docs.append(statements)
    inline = [] if _unset_on_create(bucket, "policy") else document_statements(
        bucket, "policy", index)
    if inline is None:
        pending = True
    elif inline:
        docs.append(inline)
    return docs, pending


def replication_rules(bucket: Resource, index: PlanIndex) -> list[tuple[Resource, dict[str, Any]]]:
    """Every replication rule with the resource that declares it (the bucket or a split config).

    Inline `replication_configuration { rules }` (provider 3) and
    aws_s3_bucket_replication_configuration `rule` (provider 4+); the owner says where a
    destination reference is read from.
    """
    rules = [(bucket, rule) for config in blocks(bucket.values, "replication_configuration")
             for rule in blocks(config, "rules")]
    for config in _split(bucket, index, "aws_s3_bucket_replication_configuration"):
        rules += [(config, rule) for rule in blocks(config.values, "rule")]
    return rules
