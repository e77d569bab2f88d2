"""Live checks: each reads the applied sandbox back through boto3 and returns `LiveCheck`s.

A check is a function `(ctx: LiveContext) -> list[LiveCheck]`, registered in
`CHECKS` under a stable name; pytest runs each as one test and
`run_live_checks()` runs them all for the evidence bundle, so both layers
prove the same things the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from tfproof.sandbox.checks.alarm_drive import alarm_behaviour
from tfproof.sandbox.checks.alarms import alarm_actions, alarms_match_plan
from tfproof.sandbox.checks.backups import (
    rds_automated_backups,
    rds_point_in_time_restore,
    rds_snapshot_restore,
    redis_snapshots,
    s3_versioning_recovery,
)
from tfproof.sandbox.checks.base import LiveContext
from tfproof.sandbox.checks.promises import (
    cloudtrail_logging,
    ecr_scan_on_push,
    encryption_at_rest,
    log_retention,
    public_access_blocked,
    tags_on_everything,
)
from tfproof.sandbox.checks.replication import objects_replicate
from tfproof.sandbox.checks.services import (
    budget_as_planned,
    redis_encryption,
    xray_sampling_rules,
)
from tfproof.sandbox.livecheck import LiveCheck

Check = Callable[[LiveContext], list[LiveCheck]]

CHECKS: dict[str, Check] = {
    "alarms-match-plan": alarms_match_plan,
    "alarm-actions": alarm_actions,
    "alarm-behaviour": alarm_behaviour,
    "rds-automated-backups": rds_automated_backups,
    "rds-snapshot-restore": rds_snapshot_restore,
    "rds-point-in-time-restore": rds_point_in_time_restore,
    "s3-versioning-recovery": s3_versioning_recovery,
    "redis-snapshots": redis_snapshots,
    "redis-encryption": redis_encryption,
    "s3-replication": objects_replicate,
    "xray-sampling-rules": xray_sampling_rules,
    "budget": budget_as_planned,
    "encryption-at-rest": encryption_at_rest,
    "public-access-blocked": public_access_blocked,
    "cloudtrail-logging": cloudtrail_logging,
    "log-retention": log_retention,
    "ecr-scan-on-push": ecr_scan_on_push,
    "tags": tags_on_everything,
}

__all__ = ["CHECKS", "Check"]
