"""Which objects an S3 replication rule selects, and PutBucketReplication's checks of rules.

As the S3 User Guide documents it ("Replicating objects", "Replicating delete markers",
"Replicating encrypted objects"): a V1 rule selects by `Prefix`, a V2 rule by `Filter`
(Prefix, Tag, or And of both) and carries a Priority; per destination the Enabled rule of
highest Priority wins; a delete marker replicates under V1 rules, under V2 rules only with
DeleteMarkerReplication Enabled; an SSE-KMS object only with SseKmsEncryptedObjects Enabled.
Also the shape GetBucketReplication returns a stored rule in. Used by
`tfproof.sandbox.moto_ext.s3_replication`; moto is imported inside functions only.
"""

from __future__ import annotations

from typing import Any, NoReturn

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def listed(value: Any) -> list[Any]:
    """A repeatable element as a list (moto's XML parse gives one as a dict, several a list)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _tags_of(container: dict[str, Any] | None) -> dict[str, str]:
    return {t["Key"]: t.get("Value") or "" for t in listed((container or {}).get("Tag"))}


def rule_selection(rule: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(key prefix, required tags) a rule selects: V1 `Prefix`, or V2 `Filter` Prefix/Tag/And."""
    if "Filter" not in rule:
        return rule.get("Prefix") or "", {}
    selection = rule["Filter"] or {}
    if "And" in selection:
        return (selection["And"] or {}).get("Prefix") or "", _tags_of(selection["And"])
    return selection.get("Prefix") or "", _tags_of(selection)


def _enabled(container: dict[str, Any] | None, *path: str) -> bool:
    for name in path:
        container = (container or {}).get(name)
    return (container or {}).get("Status") == "Enabled"


def rule_selects(
    rule: dict[str, Any], key_name: str, tags: dict[str, str] | None, encryption: str | None
) -> bool:
    """True when an Enabled rule selects this object (tags None: a delete marker)."""
    prefix, wanted = rule_selection(rule)
    if rule.get("Status") != "Enabled" or not key_name.startswith(prefix):
        return False
    if tags is None:  # a delete marker has no tags; V1 always replicates them, V2 on request
        return not wanted and ("Filter" not in rule or _enabled(rule, "DeleteMarkerReplication"))
    if any(tags.get(k) != v for k, v in wanted.items()):
        return False
    criteria = rule.get("SourceSelectionCriteria")
    return encryption not in KMS_ALGORITHMS or _enabled(criteria, "SseKmsEncryptedObjects")


def winning_rules(
    rules: list[dict[str, Any]], key_name: str, tags: dict[str, str] | None,
    encryption: str | None,
) -> dict[str, dict[str, Any]]:
    """Destination bucket name -> the selecting rule of highest Priority for it."""
    found: dict[str, dict[str, Any]] = {}
    for rule in rules:
        if rule_selects(rule, key_name, tags, encryption):
            target = rule["Destination"]["Bucket"].split(":::")[-1]
            best = found.get(target)
            if best is None or int(rule.get("Priority") or 0) > int(best.get("Priority") or 0):
                found[target] = rule
    return found


def rule_for_api(rule: dict[str, Any]) -> dict[str, Any]:
    """A stored rule in GetBucketReplication's shape: V1 with Prefix, V2 with Filter."""
    out: dict[str, Any] = {"ID": rule["ID"], "Status": rule["Status"]}
    if "Filter" in rule:
        out["Priority"] = int(rule.get("Priority") or 0)
        prefix, tags = rule_selection(rule)
        selection = rule["Filter"] or {}
        tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
        if "And" in selection:
            out["Filter"] = {"And": {"Prefix": prefix, "Tags": tag_list}}
        elif tag_list:
            out["Filter"] = {"Tag": tag_list[0]}
        else:
            out["Filter"] = {"Prefix": prefix}
        out["DeleteMarkerReplication"] = rule.get("DeleteMarkerReplication")
    else:  # V1: no Priority (moto stores a default 1 on every rule)
        out["Prefix"] = rule.get("Prefix") or ""
    for name in ("SourceSelectionCriteria", "ExistingObjectReplication", "Destination"):
        if rule.get(name):
            out[name] = rule[name]
    return out


def check_configuration(backend: Any, config: dict[str, Any]) -> None:
    """PutBucketReplication's checks of the rules and destinations (InvalidRequest, as AWS)."""
    from moto.s3.exceptions import MissingBucket, S3ClientError

    def refuse(message: str) -> NoReturn:
        raise S3ClientError("InvalidRequest", message)

    for rule in listed(config.get("Rule")):
        destination = rule.get("Destination") or {}
        try:
            target = backend.get_bucket(str(destination.get("Bucket", "")).split(":::")[-1])
        except MissingBucket:
            refuse("Destination bucket must exist.")
        if not target.is_versioned:
            refuse("Destination bucket must have versioning enabled.")
        if "Filter" in rule and not rule.get("DeleteMarkerReplication"):
            refuse("DeleteMarkerReplication must be specified for this version of Cross Region "
                   "Replication configuration schema.")
        if "Filter" in rule and _enabled(rule, "DeleteMarkerReplication") and \
                rule_selection(rule)[1]:
            refuse("Delete marker replication is not supported if any Tag filter is specified.")
        kms = destination.get("EncryptionConfiguration") or {}
        if _enabled(rule.get("SourceSelectionCriteria"), "SseKmsEncryptedObjects") and \
                not kms.get("ReplicaKmsKeyID"):
            refuse("ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.")
