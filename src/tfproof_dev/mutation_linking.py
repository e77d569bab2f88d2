"""Mutation operators for the links between a setting and the resources it governs.

A control that reads a setting outside its resource holds only while the link is read right:
an account-wide setting (the ECR registry's scanning rules, the account S3 public access
block, EBS encryption by default) governs the resources of its account and region, and a
provider-4+ split `aws_s3_bucket_*` resource governs the bucket it names, which may be a
CloudTrail or load balancer log bucket named through such a resource. Each operator here
breaks one such setting and says where the failure must show: the resources it governed
(the repositories, the buckets, the volumes) or the bucket behind the split resource. Only
settings that a governed resource relies on are mutated (a bucket whose own block covers
what the account block switches off would not fail, and must not be expected to).
"""

from __future__ import annotations

from collections.abc import Callable

from tfproof.engine.helpers import block, blocks, truthy
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import load_policies
from tfproof.engine.readers import account, s3
from tfproof.plan import Resource
from tfproof_dev.mutation_operators import Operator, Values

Check = Callable[[Resource, PlanIndex], bool]
Blame = Callable[[Resource, PlanIndex], frozenset[str]]


def _passes(check: str, resource: Resource, index: PlanIndex) -> bool:
    """The custom policy `check` passes `resource` on the unmutated plan."""
    policy = {p.id: p for p in load_policies()}.get(check)
    verdict = policy.evaluate(resource, index) if policy else None
    return verdict is not None and verdict.outcome == "passed"


# -- account- and region-wide settings -------------------------------------------------------


def _repositories(config: Resource, index: PlanIndex) -> list[Resource]:
    return [r for r in index.of_type("aws_ecr_repository") if account.same_region(config, r, index)]


def _scanned(config: Resource, index: PlanIndex) -> bool:
    return bool(blocks(config.values, "rule")) and any(
        _passes("TFP_ECR_SCAN_ON_PUSH", r, index) for r in _repositories(config, index))


def _account_buckets(setting: Resource, index: PlanIndex) -> list[Resource]:
    return [b for b in index.of_type("aws_s3_bucket") if account.same_account(setting, b, index)]


def _relies_on_account_block(bucket: Resource, index: PlanIndex) -> bool:
    """Public access blocked, but not by the bucket's own block alone."""
    own = index.referrers(bucket, "aws_s3_bucket_public_access_block", "bucket")
    covered = all(any(truthy(pab.values.get(flag)) for pab in own) for flag in s3.PAB_FLAGS)
    return not covered and s3.public_access_blocked(bucket, index) is True


def _account_blocks(setting: Resource, index: PlanIndex) -> bool:
    return any(_relies_on_account_block(b, index) for b in _account_buckets(setting, index))


_DEVICES = ("aws_ebs_volume", "aws_instance", "aws_launch_template")


def _regional_devices(setting: Resource, index: PlanIndex) -> list[Resource]:
    return [r for r in index.of_type(*_DEVICES) if account.same_region(setting, r, index)]


def _encrypts_by_default(setting: Resource, index: PlanIndex) -> bool:
    """Enabled, and some new volume without snapshot leaves `encrypted` to it."""
    return truthy(setting.values.get("enabled")) and any(
        r.type == "aws_ebs_volume" and r.values.get("encrypted") is None
        and not r.values.get("snapshot_id") and _passes("TFP_ENC_REST_EBS", r, index)
        for r in _regional_devices(setting, index))


def _addresses(found: Callable[[Resource, PlanIndex], list[Resource]]) -> Blame:
    return lambda resource, index: frozenset(r.address for r in found(resource, index))


def _all_off(values: Values) -> None:
    values.update({flag: False for flag in s3.PAB_FLAGS})


ACCOUNT_WIDE: tuple[Operator, ...] = (
    Operator("drop_registry_scan_rules", "IMAGE-SCAN-PUSH",
             ("aws_ecr_registry_scanning_configuration",), _scanned,
             lambda v: v.update(rule=[]), blame=_addresses(_repositories),
             unknown_keys=("rule",)),
    Operator("account_public_access_off", "NET-PRIVATE",
             ("aws_s3_account_public_access_block",), _account_blocks, _all_off,
             blame=_addresses(_account_buckets), unknown_keys=s3.PAB_FLAGS),
    Operator("ebs_default_encryption_off", "ENC-REST", ("aws_ebs_encryption_by_default",),
             _encrypts_by_default, lambda v: v.update(enabled=False),
             blame=_addresses(_regional_devices), unknown_keys=("enabled",)),
)


# -- split bucket settings (provider 4+), for any bucket and for trail buckets -----------------


def _bucket(config: Resource, index: PlanIndex) -> Resource | None:
    """The one bucket a split config names (None when it names none or several)."""
    found = [b for b in index.references(config, "bucket") if b.type == "aws_s3_bucket"]
    return found[0] if len(found) == 1 else None


def _the_bucket(config: Resource, index: PlanIndex) -> frozenset[str]:
    found = _bucket(config, index)
    return frozenset({found.address} if found else ())


def _sole(config: Resource, index: PlanIndex) -> bool:
    """The bucket's only config of this type."""
    bucket = _bucket(config, index)
    return bucket is not None and [c.address for c in index.referrers(
        bucket, config.type, "bucket")] == [config.address]


def _sole_versioning(config: Resource, index: PlanIndex) -> bool:
    bucket = _bucket(config, index)
    return (bucket is not None and _sole(config, index)
            and block(config.values, "versioning_configuration").get("status") == "Enabled"
            and not truthy(block(bucket.values, "versioning").get("enabled"))
            and not s3.object_lock(bucket, index))


def _sole_encryption(config: Resource, index: PlanIndex) -> bool:
    bucket = _bucket(config, index)
    return (bucket is not None and _sole(config, index)
            and not blocks(bucket.values, "server_side_encryption_configuration"))


def _sole_lock(config: Resource, index: PlanIndex) -> bool:
    """A split object lock config that alone versions its bucket."""
    bucket = _bucket(config, index)
    return (bucket is not None and _sole(config, index)
            and not truthy(bucket.values.get("object_lock_enabled"))
            and not index.referrers(bucket, "aws_s3_bucket_versioning", "bucket")
            and not truthy(block(bucket.values, "versioning").get("enabled")))


def _locked_unversioned(bucket: Resource, index: PlanIndex) -> bool:
    """object_lock_enabled = true is all that versions the bucket."""
    return (truthy(bucket.values.get("object_lock_enabled"))
            and not index.referrers(bucket, ("aws_s3_bucket_versioning",
                                             "aws_s3_bucket_object_lock_configuration"), "bucket")
            and not truthy(block(bucket.values, "versioning").get("enabled"))
            and _passes("TFP_BACKUP_S3_VERSIONING", bucket, index))


def _holds(check: str, sole: Check, trail: bool = False) -> Check:
    """`sole` holds for the config, and its bucket passes `check` (and is a trail's bucket)."""
    def applies(config: Resource, index: PlanIndex) -> bool:
        bucket = _bucket(config, index)
        if bucket is None or not sole(config, index) or not _passes(check, bucket, index):
            return False
        return not trail or _passes("TFP_TRAIL_BUCKET", bucket, index)
    return applies


def _logging_and_target(config: Resource, index: PlanIndex) -> frozenset[str]:
    """The bucket, and the log bucket that stops receiving its logs (it may need its own)."""
    targets = {b.address for b in index.references(config, "target_bucket")
               if b.type == "aws_s3_bucket"}
    return _the_bucket(config, index) | targets


def _sole_block(config: Resource, index: PlanIndex) -> bool:
    """The bucket's only block, turning on a setting no account block of its account does."""
    bucket = _bucket(config, index)
    if bucket is None or not _sole(config, index):
        return False
    accounts = account.s3_account_flags(bucket, index)
    return any(truthy(config.values.get(flag))
               and not any(truthy(pab.values.get(flag)) for pab in accounts)
               for flag in s3.PAB_FLAGS)


def _sole_logging(config: Resource, index: PlanIndex) -> bool:
    bucket = _bucket(config, index)
    return bucket is not None and _sole(config, index) and not blocks(bucket.values, "logging")


def _sole_policy(config: Resource, index: PlanIndex) -> bool:
    bucket = _bucket(config, index)
    return (bucket is not None and _sole(config, index)
            and not (isinstance(bucket.values.get("policy"), str) and bucket.values["policy"]))


def _itself(resource: Resource, index: PlanIndex) -> tuple[str, ...]:
    return (resource.address,)


def _suspend(values: Values) -> None:
    values["versioning_configuration"] = [{"mfa_delete": None, "status": "Suspended"}]


def _nothing(values: Values) -> None:
    """Deletion operators change no values: they remove the resource."""


_VERSIONING = "aws_s3_bucket_versioning"
_SSE = "aws_s3_bucket_server_side_encryption_configuration"
_PAB = "aws_s3_bucket_public_access_block"

SPLIT_BUCKET: tuple[Operator, ...] = (
    Operator("suspend_split_versioning", "BACKUP", (_VERSIONING,),
             _holds("TFP_BACKUP_S3_VERSIONING", _sole_versioning), _suspend,
             blame=_the_bucket, unknown_keys=("versioning_configuration",)),
    Operator("delete_split_encryption", "ENC-REST", (_SSE,),
             _holds("TFP_ENC_REST_S3", _sole_encryption), _nothing, deletes=_itself,
             blame=_the_bucket),
    Operator("delete_split_public_access_block", "NET-PRIVATE", (_PAB,),
             _holds("TFP_S3_PUBLIC_ACCESS_BLOCK", _sole_block), _nothing, deletes=_itself,
             blame=_the_bucket),
    Operator("delete_split_logging", "AUDIT-LOGS", ("aws_s3_bucket_logging",),
             _holds("TFP_S3_ACCESS_LOGGING", _sole_logging), _nothing, deletes=_itself,
             blame=_logging_and_target),
    Operator("delete_split_tls_policy", "ENC-TRANSIT", ("aws_s3_bucket_policy",),
             _holds("TFP_ENC_TRANSIT_S3_TLS", _sole_policy), _nothing, deletes=_itself,
             blame=_the_bucket),
    Operator("delete_split_object_lock", "BACKUP", ("aws_s3_bucket_object_lock_configuration",),
             _holds("TFP_BACKUP_S3_VERSIONING", _sole_lock), _nothing, deletes=_itself,
             blame=_the_bucket),
    Operator("drop_object_lock", "BACKUP", ("aws_s3_bucket",), _locked_unversioned,
             lambda v: v.update(object_lock_enabled=False),
             unknown_keys=("object_lock_enabled",)),
    # the trail's bucket (also when the trail names it through its bucket policy)
    Operator("trail_bucket_versioning_suspended", "TRAIL", (_VERSIONING,),
             _holds("TFP_BACKUP_S3_VERSIONING", _sole_versioning, trail=True), _suspend,
             blame=_the_bucket, unknown_keys=("versioning_configuration",)),
    Operator("trail_bucket_encryption_deleted", "TRAIL", (_SSE,),
             _holds("TFP_ENC_REST_S3", _sole_encryption, trail=True), _nothing,
             deletes=_itself, blame=_the_bucket),
    Operator("trail_bucket_public_access_block_deleted", "TRAIL", (_PAB,),
             _holds("TFP_S3_PUBLIC_ACCESS_BLOCK", _sole_block, trail=True), _nothing,
             deletes=_itself, blame=_the_bucket),
)

LINKING: tuple[Operator, ...] = (*ACCOUNT_WIDE, *SPLIT_BUCKET)
