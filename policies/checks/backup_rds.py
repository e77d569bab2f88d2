"""Daily backups, 7-day retention, point-in-time recovery, and no unguarded deletion."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_db_instance", "aws_rds_cluster")


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """Backups >= 7 days with a window; deletion protection; final snapshot kept."""
    values = resource.values
    if resource.type == "aws_db_instance" and (
        values.get("replicate_source_db") or str(values.get("engine", "")).startswith("aurora")
    ):
        return None
    problems = []
    days = values.get("backup_retention_period")
    if days is None and unknown(resource, "backup_retention_period"):
        return Verdict.unknown("backup_retention_period is known only after apply")
    if int(days or 0) < 7:
        problems.append(f"backups kept {int(days or 0)} days (< 7)")
    window = "backup_window" if resource.type == "aws_db_instance" else "preferred_backup_window"
    if not values.get(window) and not unknown(resource, window):
        problems.append("no backup window")
    if not truthy(values.get("deletion_protection")):
        problems.append("no deletion protection")
    if truthy(values.get("skip_final_snapshot")):
        problems.append("final snapshot skipped")
    if problems:
        return Verdict.fail("database backups: " + ", ".join(problems))
    return Verdict.ok(f"backups kept {int(days)} days, protected from deletion")


export_check(globals())
