"""BACKUP, live: the backups exist, and they restore.

A retention setting proves nothing by itself; these checks take a snapshot and
restore it into a new instance, restore to a point in time, and recover an
overwritten and a deleted S3 object from their versions. Everything they
create carries the run's tag and is removed before the check returns.
"""

from __future__ import annotations

import secrets
from typing import Any

from tfproof.sandbox.checks.base import LiveContext, wait_until
from tfproof.sandbox.livecheck import SKIPPED, LiveCheck, outcome

CONTROL = "BACKUP"


def _instance(ctx: LiveContext, identifier: str) -> dict[str, Any]:
    rds = ctx.client("rds")
    return dict(rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0])


def _waiter_config(ctx: LiveContext) -> dict[str, int]:
    # bounded: 2 min against moto, 40 min against a real account
    return {"Delay": 5, "MaxAttempts": 24} if ctx.sandbox.kind == "embedded" else \
        {"Delay": 30, "MaxAttempts": 80}


def rds_automated_backups(ctx: LiveContext) -> list[LiveCheck]:
    """Automated backups kept >= 7 days, in the planned window."""
    out = []
    for res in ctx.resources("aws_db_instance"):
        db = _instance(ctx, res.values["identifier"])
        retention = int(db.get("BackupRetentionPeriod", 0))
        window = db.get("PreferredBackupWindow")
        planned = res.values.get("backup_window")
        problems = []
        if retention < 7:
            problems.append(f"backups kept {retention} days (< 7)")
        if planned and window != planned:
            problems.append(f"backup window {window} (planned {planned})")
        out.append(outcome(
            "RDS automated backups", CONTROL, not problems,
            "; ".join(problems) or f"kept {retention} days, window {window}", res.address,
        ))  # fmt: skip
    return out or [outcome("RDS automated backups", CONTROL, False, "no RDS instance applied")]


def _restore_and_remove(ctx: LiveContext, new_id: str, restore: Any, what: str,
                        address: str) -> LiveCheck:  # fmt: skip
    rds = ctx.client("rds")
    config = _waiter_config(ctx)
    try:
        restore()
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=new_id,
                                                     WaiterConfig=config)  # fmt: skip
        restored = _instance(ctx, new_id)
        ok = restored["DBInstanceStatus"] == "available" and restored.get("StorageEncrypted")
        detail = (f"{what} restored into {new_id}: status {restored['DBInstanceStatus']}, "
                  f"encrypted {restored.get('StorageEncrypted')}")  # fmt: skip
        return outcome(f"RDS {what} restores", CONTROL, bool(ok), detail, address)
    finally:
        try:
            rds.delete_db_instance(DBInstanceIdentifier=new_id, SkipFinalSnapshot=True,
                                   DeleteAutomatedBackups=True)  # fmt: skip
            rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=new_id,
                                                       WaiterConfig=config)  # fmt: skip
        except rds.exceptions.DBInstanceNotFoundFault:
            pass


def rds_snapshot_restore(ctx: LiveContext) -> list[LiveCheck]:
    """A manual snapshot restores into a new instance, which is then removed."""
    rds = ctx.client("rds")
    out = []
    for res in ctx.resources("aws_db_instance"):
        source = _instance(ctx, res.values["identifier"])
        suffix = secrets.token_hex(3)
        snap_id, new_id = f"tfproof-snap-{suffix}", f"tfproof-restore-{suffix}"
        rds.create_db_snapshot(DBSnapshotIdentifier=snap_id,
                               DBInstanceIdentifier=res.values["identifier"],
                               Tags=ctx.run_tags())  # fmt: skip
        try:
            rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier=snap_id,
                                                         WaiterConfig=_waiter_config(ctx))
            out.append(_restore_and_remove(
                ctx, new_id,
                lambda s=snap_id, n=new_id, src=source: rds.restore_db_instance_from_db_snapshot(
                    DBInstanceIdentifier=n, DBSnapshotIdentifier=s,
                    DBInstanceClass=src["DBInstanceClass"],
                    DBSubnetGroupName=src["DBSubnetGroup"]["DBSubnetGroupName"],
                    VpcSecurityGroupIds=[g["VpcSecurityGroupId"]
                                         for g in src.get("VpcSecurityGroups", [])],
                    PubliclyAccessible=False, Tags=ctx.run_tags(),
                ),
                "manual snapshot", res.address,
            ))  # fmt: skip
        finally:
            rds.delete_db_snapshot(DBSnapshotIdentifier=snap_id)
    return out or [outcome("RDS manual snapshot restores", CONTROL, False, "no RDS instance")]


def rds_point_in_time_restore(ctx: LiveContext) -> list[LiveCheck]:
    """Point-in-time restore (latest restorable time) into a new instance, then removed."""
    if not ctx.sandbox.supports_point_in_time_restore:
        return [LiveCheck("RDS point-in-time restore", CONTROL, SKIPPED,
                          f"the {ctx.sandbox.kind} sandbox has no point-in-time restore; the "
                          "real-account run covers it")]  # fmt: skip
    rds = ctx.client("rds")
    out = []
    for res in ctx.resources("aws_db_instance"):
        source = _instance(ctx, res.values["identifier"])
        new_id = f"tfproof-pitr-{secrets.token_hex(3)}"
        out.append(_restore_and_remove(
            ctx, new_id,
            lambda n=new_id, src=source, ident=res.values["identifier"]:
                rds.restore_db_instance_to_point_in_time(
                    SourceDBInstanceIdentifier=ident, TargetDBInstanceIdentifier=n,
                    UseLatestRestorableTime=True, DBInstanceClass=src["DBInstanceClass"],
                    DBSubnetGroupName=src["DBSubnetGroup"]["DBSubnetGroupName"],
                    PubliclyAccessible=False, Tags=ctx.run_tags(),
                ),
            "point-in-time", res.address,
        ))  # fmt: skip
    return out or [outcome("RDS point-in-time restore", CONTROL, False, "no RDS instance")]


def _versioned_buckets(ctx: LiveContext) -> list[Any]:
    return [
        r for r in ctx.resources("aws_s3_bucket")
        if any(v.get("enabled") for v in r.values.get("versioning") or [])
    ]  # fmt: skip


def s3_versioning_recovery(ctx: LiveContext) -> list[LiveCheck]:
    """Versioning is on where planned, and it recovers an overwritten and a deleted object."""
    s3 = ctx.client("s3")
    out = []
    buckets = _versioned_buckets(ctx)
    for res in buckets:
        status = s3.get_bucket_versioning(Bucket=res.values["bucket"]).get("Status")
        out.append(outcome("S3 versioning on", CONTROL, status == "Enabled",
                           f"versioning status {status}", res.address))  # fmt: skip
    target = next((b for b in buckets if "documents" in b.values["bucket"]),
                  buckets[0] if buckets else None)  # fmt: skip
    if target is None:
        return [*out, outcome("S3 versioning recovers", CONTROL, False, "no versioned bucket")]
    bucket, key = target.values["bucket"], f"tfproof-probe/{ctx.run_id}.txt"
    try:
        first = s3.put_object(Bucket=bucket, Key=key, Body=b"version one")["VersionId"]
        s3.put_object(Bucket=bucket, Key=key, Body=b"version two")
        old = s3.get_object(Bucket=bucket, Key=key, VersionId=first)["Body"].read()
        marker = s3.delete_object(Bucket=bucket, Key=key).get("VersionId")
        try:
            s3.head_object(Bucket=bucket, Key=key)
            gone = False
        except s3.exceptions.ClientError:
            gone = True
        s3.delete_object(Bucket=bucket, Key=key, VersionId=marker)  # undelete
        back = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        ok = old == b"version one" and gone and back == b"version two"
        out.append(outcome(
            "S3 versioning recovers", CONTROL, ok,
            f"overwritten version read back: {old == b'version one'}; deleted object hidden: "
            f"{gone}; undeleted by removing the delete marker: {back == b'version two'}",
            target.address,
        ))  # fmt: skip
    finally:
        versions = s3.list_object_versions(Bucket=bucket, Prefix=key)
        for item in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
    return out


def _snapshot_taken(ctx: LiveContext, group_id: str, address: str) -> LiveCheck:
    """A manual snapshot of the group is taken, listed and becomes available, then removed."""
    ec = ctx.client("elasticache")
    name = f"tfproof-{ctx.run_id}-{secrets.token_hex(2)}"
    ec.create_snapshot(ReplicationGroupId=group_id, SnapshotName=name, Tags=ctx.run_tags())
    found: list[dict[str, Any]] = []

    def available() -> bool:
        found[:] = ec.describe_snapshots(SnapshotName=name)["Snapshots"]
        return bool(found) and found[0].get("SnapshotStatus") == "available"

    try:
        ready = wait_until(available, 60 if ctx.sandbox.kind == "embedded" else 1800, 5.0)
        listed = ec.describe_snapshots(ReplicationGroupId=group_id, SnapshotSource="manual")
        in_list = name in {s["SnapshotName"] for s in listed["Snapshots"]}
        status = found[0].get("SnapshotStatus") if found else "not listed"
        return outcome("Redis snapshot taken", CONTROL, ready and in_list,
                       f"{name}: {status}, listed for {group_id}: {in_list}", address)
    finally:
        ec.delete_snapshot(SnapshotName=name)


def redis_snapshots(ctx: LiveContext) -> list[LiveCheck]:
    """Redis keeps snapshots as planned (retention, window) and a snapshot can be taken."""
    groups = ctx.resources("aws_elasticache_replication_group")
    if not groups:
        gap = ctx.gap_for("aws_elasticache_replication_group")
        if gap is not None:
            return [LiveCheck("Redis keeps snapshots", CONTROL, SKIPPED, gap.skip_reason())]
        return [outcome("Redis keeps snapshots", CONTROL, False, "no Redis replication group")]
    ec = ctx.client("elasticache")
    out = []
    for res in groups:
        group_id = res.values["replication_group_id"]
        group = ec.describe_replication_groups(ReplicationGroupId=group_id)[
            "ReplicationGroups"][0]
        limit = int(group.get("SnapshotRetentionLimit", 0))
        planned = int(res.values.get("snapshot_retention_limit") or 0)
        window = group.get("SnapshotWindow")
        out.append(outcome(
            "Redis keeps snapshots", CONTROL,
            limit >= 1 and limit == planned and window == res.values.get("snapshot_window"),
            f"snapshot retention {limit} day(s) (planned {planned}), window {window} "
            f"(planned {res.values.get('snapshot_window')})", res.address,
        ))  # fmt: skip
        out.append(_snapshot_taken(ctx, group_id, res.address))
    return out
