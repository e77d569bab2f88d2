"""Daily backups, 7-day retention, point-in-time recovery, and no unguarded deletion.

Covers `aws_db_instance` and Aurora `aws_rds_cluster`. An Aurora cluster's backups, deletion
protection and final snapshot are the cluster's own: its `aws_rds_cluster_instance` members
(whose `preferred_backup_window` AWS ignores when the cluster sets one) are never read for it,
and an Aurora member declared as `aws_db_instance` is not judged.

Every part of the rule is judged on its own, and a part known at plan time to break it fails
the database even when another part is known only after apply: failed beats unknown beats
passed (skip_final_snapshot = true fails whatever the retention turns out to be).

Deletion protection is required in every environment: the catalog's BACKUP control ("is
protected from deletion") names none, and the policy has no way to tell environments apart
that the control vouches for, so a sandbox with deletion_protection = false fails too.
"""

from __future__ import annotations

import re

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown, unset_on_create
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_db_instance", "aws_rds_cluster")
MIN_DAYS = 7
# The RDS API refuses a backup window shorter than 30 minutes ("Must be at least 30 minutes",
# CreateDBInstance / CreateDBCluster PreferredBackupWindow) and wants hh24:mi-hh24:mi in UTC.
MIN_WINDOW_MINUTES = 30
_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
# CreateDBInstance / CreateDBCluster keep automated backups 1 day when BackupRetentionPeriod is
# not sent (RDS API reference, "Default: 1"); a restore (snapshot, point in time, S3) inherits
# its source's instead.
API_DEFAULT_DAYS = 1
_RESTORES = ("snapshot_identifier", "restore_to_point_in_time", "s3_import")


def _retention(resource: Resource) -> tuple[int | None, bool]:
    """(days kept, whether that is AWS's default); days None when known only after apply."""
    days = resource.values.get("backup_retention_period")
    if days is not None:
        return int(days), False
    if not unknown(resource, "backup_retention_period"):
        return 0, False
    if (unset_on_create(resource, "backup_retention_period")
            and not any(key in resource.expressions for key in _RESTORES)):
        return API_DEFAULT_DAYS, True
    return None, False


def window_problem(window: object) -> str | None:
    """Why a backup window is not one RDS accepts (None when it is)."""
    match = _WINDOW.match(str(window))
    if not match:
        return f"backup window {window!r} is not hh24:mi-hh24:mi (UTC)"
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    minutes = (end_h * 60 + end_m - start_h * 60 - start_m) % (24 * 60)
    if minutes < MIN_WINDOW_MINUTES:
        return f"backup window {window} lasts {minutes} minutes (< {MIN_WINDOW_MINUTES})"
    return None


def _window(resource: Resource, problems: list[str], pending: list[str]) -> None:
    """A set window must be valid; one left unset on create is AWS's to assign."""
    name = "backup_window" if resource.type == "aws_db_instance" else "preferred_backup_window"
    window = resource.values.get(name)
    if window:
        found = window_problem(window)
        if found:
            problems.append(found)
    elif unknown(resource, name):
        if not unset_on_create(resource, name):
            pending.append(name)
    else:
        problems.append("no backup window")


def _final_snapshot(resource: Resource, problems: list[str], pending: list[str]) -> None:
    """skip_final_snapshot = false with a final_snapshot_identifier to take it under."""
    skip = resource.values.get("skip_final_snapshot")
    if skip is None and unknown(resource, "skip_final_snapshot"):
        pending.append("skip_final_snapshot")
        return
    if truthy(skip):
        problems.append("final snapshot skipped")
        return
    if resource.values.get("final_snapshot_identifier"):
        return
    if unknown(resource, "final_snapshot_identifier"):
        pending.append("final_snapshot_identifier")
    else:
        problems.append("no final_snapshot_identifier (destroy errors out instead of keeping "
                        "a final snapshot)")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Backups >= 7 days in a valid window; deletion protection; final snapshot kept."""
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
    _window(resource, problems, pending)
    protection = values.get("deletion_protection")
    if protection is None and unknown(resource, "deletion_protection"):
        pending.append("deletion_protection")
    elif not truthy(protection):
        problems.append("no deletion protection")
    _final_snapshot(resource, problems, pending)
    if problems:
        return Verdict.fail("database backups: " + ", ".join(problems))
    if pending:
        return Verdict.unknown(f"{', '.join(pending)} known only after apply")
    return Verdict.ok(f"backups kept {days} days, protected from deletion, final snapshot kept")


export_check(globals())
