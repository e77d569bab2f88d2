"""DR, live: an object written to a replicating bucket arrives in its destination region.

A replication configuration read back proves only that S3 accepted it (a wrong
role, an unversioned destination or a KMS object the rule does not select all
leave it in place and replicate nothing). This check writes a probe object the
rule selects, waits (bounded) until the destination bucket serves it with
ReplicationStatus REPLICA and the source says COMPLETED, and removes every
version of the probe from both buckets.
"""

from __future__ import annotations

from typing import Any

from tfproof.sandbox.checks.base import LiveContext, wait_until
from tfproof.sandbox.livecheck import LiveCheck, outcome

CONTROL = "DR"
# AWS replicates most objects within 15 minutes (the S3 RTC promise); moto does it at once
_WAIT = {"embedded": 30.0}
_DEFAULT_WAIT = 900.0


def _rules(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The enabled rules of a provider-3 inline `replication_configuration`."""
    return [rule for config in values.get("replication_configuration") or []
            for rule in config.get("rules") or [] if rule.get("status") == "Enabled"]


def _selection(rule: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The key prefix and tags an object needs for the rule to select it."""
    for flt in rule.get("filter") or []:
        return flt.get("prefix") or "", dict(flt.get("tags") or {})
    return rule.get("prefix") or "", {}


def _region_of(ctx: LiveContext, bucket: str) -> str:
    where = ctx.client("s3").get_bucket_location(Bucket=bucket).get("LocationConstraint")
    return where or "us-east-1"


def _remove_probe(client: Any, bucket: str, key: str) -> None:
    listing = client.list_object_versions(Bucket=bucket, Prefix=key)
    for item in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
        if item["Key"] == key:
            client.delete_object(Bucket=bucket, Key=key, VersionId=item["VersionId"])


def _probe(ctx: LiveContext, source: str, rule: dict[str, Any], address: str) -> LiveCheck:
    destination = rule["destination"][0]["bucket"].rsplit(":", 1)[-1]
    prefix, tags = _selection(rule)
    key = f"{prefix}tfproof-dr-probe-{ctx.run_id}.txt"
    s3, region = ctx.client("s3"), _region_of(ctx, destination)
    remote = ctx.client("s3", region=region)
    body = f"tfproof DR probe {ctx.run_id}".encode()
    tagging = "&".join(f"{k}={v}" for k, v in tags.items())
    seen: dict[str, Any] = {}

    def replicated() -> bool:
        try:
            head = remote.head_object(Bucket=destination, Key=key)
        except remote.exceptions.ClientError:
            return False
        seen["replica"] = head.get("ReplicationStatus")
        seen["source"] = s3.head_object(Bucket=source, Key=key).get("ReplicationStatus")
        return seen["source"] in ("COMPLETED", "FAILED")

    try:
        s3.put_object(Bucket=source, Key=key, Body=body, Tagging=tagging)
        arrived = wait_until(replicated, _WAIT.get(ctx.sandbox.kind, _DEFAULT_WAIT), 1.0)
        same = arrived and remote.get_object(Bucket=destination, Key=key)["Body"].read() == body
        ok = same and seen.get("replica") == "REPLICA" and seen.get("source") == "COMPLETED"
        detail = (f"{key} written to {source}; " + (
            f"served by {destination} in {region} with the same body "
            f"(replica status {seen.get('replica')}, source {seen.get('source')})"
            if arrived else f"not in {destination} ({region}) after the wait"))
        return outcome("object replicated to the DR region", CONTROL, ok, detail, address)
    finally:
        _remove_probe(s3, source, key)
        _remove_probe(remote, destination, key)


def objects_replicate(ctx: LiveContext) -> list[LiveCheck]:
    """DR: each replicating bucket delivers a new object to each rule's destination."""
    out = []
    for res in ctx.resources("aws_s3_bucket"):
        for rule in _rules(res.values):
            out.append(_probe(ctx, res.values["bucket"], rule, res.address))
    return out or [outcome("object replicated to the DR region", CONTROL, False,
                           "no bucket replicates")]  # fmt: skip
