"""Daily backups, 7-day retention, point-in-time recovery, and no unguarded deletion.

Every part of the rule is judged on its own, and a part known at plan time to break it fails
the database even when another part is known only after apply: failed beats unknown beats
passed (skip_final_snapshot = true fails whatever the retention turns out to be).
"""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_db_instance", "aws_rds_cluster")
MIN_DAYS = 7
# CreateDBInstance keeps automated backups 1 day when BackupRetentionPeriod is not sent (RDS API
# reference, "Default: 1"); a restore (snapshot, point in time, S3) inherits its source's instead.
API_DEFAULT_DAYS = 1
_RESTORES = ("snapshot_identifier", "restore_to_point_in_time", "s3_import")


def _retention(resource: Resource) -> tuple[int | None, bool]:
    """(days kept, whether that is AWS's default); days None when known only after apply."""
    days = resource.values.get("backup_retention_period")
    if days is not None:
        return int(days), False
    if not unknown(resource, "backup_retention_period"):
        return 0, False
    if (resource.type == "aws_db_instance"
            and unset_on_create(resource, "backup_retention_period")
            and not any(key in resource.expressions for key in _RESTORES)):
        return API_DEFAULT_DAYS, True
    return None, False


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Backups >= 7 days with a window; deletion protection; final snapshot kept."""
    values = resource.values
    if resource.type == "aws_db_instance" and (
        values.get("replicate_source_db") or str(values.get("engine", "")).startswith("aurora")
    ):
        return None
    problems: list[str] = []
    pending: list[str] = []
    days, default = _retention(resource)
    if days is None:
        pending.append("backup_retention_period")
    elif days < MIN_DAYS:
        how = "; AWS's default, backup_retention_period is not set" if default else ""
        problems.append(f"backups kept {days} days (< {MIN_DAYS}{how})")
    window = "backup_window" if resource.type == "aws_db_instance" else "preferred_backup_window"
    if not values.get(window) and not unknown(resource, window):
        problems.append("no backup window")
    protection = values.get("deletion_protection")
    if protection is None and unknown(resource, "deletion_protection"):
        pending.append("deletion_protection")
    elif not truthy(protection):
        problems.append("no deletion protection")
    skip = values.get("skip_final_snapshot")
    if skip is None and unknown(resource, "skip_final_snapshot"):
        pending.append("skip_final_snapshot")
    elif truthy(skip):
        problems.append("final snapshot skipped")
    if problems:
        return Verdict.fail("database backups: " + ", ".join(problems))
    if pending:
        return Verdict.unknown(f"{', '.join(pending)} known only after apply")
    return Verdict.ok(f"backups kept {days} days, protected from deletion")


export_check(globals())
