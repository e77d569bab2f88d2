"""S3 replication for moto, as the S3 User Guide documents it ("Replicating objects",
"Replication status information", "Replicating delete markers", "Replicating encrypted objects").

moto 5.2.5 stores PutBucketReplication but never replicates, and GetBucketReplication returns
every rule as V2 (`Filter {Prefix: ""}`, no SourceSelectionCriteria), so Terraform plans a change
after every apply of a V1 rule. Added here, on moto's S3Backend and S3Response:

- `replicate_object`, after PutObject, CopyObject and CompleteMultipartUpload: per destination
  bucket, the Enabled rule of highest Priority that selects the new version (V1 Prefix, V2
  Filter Prefix/Tag/And; an SSE-KMS object only with SseKmsEncryptedObjects Enabled) gets a
  replica with the same key, body, ETag, version id, metadata, tags and ACL, the destination
  StorageClass and ReplicaKmsKeyID. Source status COMPLETED (FAILED when a destination is gone
  or unversioned), replica REPLICA, never replicated again; later tag changes follow.
- `replicate_delete_marker`, after a DeleteObject without version id: V1 rules replicate the
  marker, V2 rules only with DeleteMarkerReplication Enabled; deleting a version never is.
- PutBucketReplication's InvalidRequest checks (destination exists and is versioned, V2 rules
  carry DeleteMarkerReplication, no marker replication with tag filters, ReplicaKmsKeyID with
  SseKmsEncryptedObjects); GetBucketReplication returns each rule as it was put.

Rule selection and the configuration checks are `s3_replication_rules`; this module copies
objects and delete markers and patches moto.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from tfproof.sandbox.moto_ext import Extension
from tfproof.sandbox.moto_ext.s3_replication_rules import (
    KMS_ALGORITHMS,
    check_configuration,
    listed,
    rule_for_api,
    winning_rules,
)


# -- backend methods (installed on moto's S3Backend) -------------------------------------------
def replicate_object(self: Any, bucket_name: str, key: Any) -> None:
    """Replicate a newly written version to every destination whose rule selects it."""
    if getattr(key, "replication_status", None) == "REPLICA" or key.version_id == "null":
        return
    config = getattr(self.get_bucket(bucket_name), "replication", None)
    if not config:
        return
    tags = self.tagger.get_tag_dict_for_resource(key.arn)
    rules = winning_rules(listed(config.get("Rule")), key.name, tags, key.encryption)
    if not rules:
        return
    written = [_write_replica(self, key, target, rule) for target, rule in rules.items()]
    key.replica_buckets = [target for target, ok in zip(rules, written, strict=True) if ok]
    key.replication_status = "COMPLETED" if all(written) else "FAILED"


def _destination(self: Any, target: str) -> Any:
    """The destination bucket when it can take replicas (exists, versioning Enabled), else None."""
    bucket = self.buckets.get(target)
    return bucket if bucket is not None and bucket.is_versioned else None


def _copy_tags(self: Any, key: Any, replica: Any) -> None:
    self.tagger.delete_all_tags_for_resource(replica.arn)
    self.tagger.tag_resource(replica.arn, self.tagger.list_tags_for_resource(key.arn)["Tags"])


def _write_replica(self: Any, key: Any, target: str, rule: dict[str, Any]) -> bool:
    """Write one replica of `key` into `target`; False when the destination cannot take it."""
    if _destination(self, target) is None:
        return False
    destination = rule["Destination"]
    kms = key.encryption in KMS_ALGORITHMS
    replica = self.put_object(
        target, key.name, key.value,
        storage=destination.get("StorageClass") or key.storage_class,
        etag=key.etag.strip('"'), encryption=key.encryption,
        kms_key_id=(destination.get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID")
        if kms else None,
        bucket_key_enabled=key.bucket_key_enabled if kms else None,
        lock_mode=key.lock_mode, lock_legal_status=key.lock_legal_status,
        lock_until=key.lock_until, checksum_value=key.checksum_value,
        disable_notification=True,
    )  # fmt: skip
    replica._version_id = key.version_id  # a replica keeps the source's version id
    replica.last_modified = key.last_modified
    replica.set_metadata(dict(key.metadata))
    replica.set_acl(key.acl)
    replica.website_redirect_location = key.website_redirect_location
    replica.checksum_algorithm = key.checksum_algorithm
    replica.replication_status = "REPLICA"
    _copy_tags(self, key, replica)
    return True


def sync_replica_tags(self: Any, key: Any) -> None:
    """Give the replicas of a replicated version the version's current tags."""
    for target in getattr(key, "replica_buckets", []):
        replica = self.get_object(target, key.name, version_id=key.version_id)
        if replica is not None:
            _copy_tags(self, key, replica)


def replicate_delete_marker(self: Any, bucket_name: str, key_name: str) -> None:
    """Copy the delete marker just put on `key_name` to destinations whose rule asks for it."""
    from moto.s3.models import FakeDeleteMarker

    source = self.get_bucket(bucket_name)
    config = getattr(source, "replication", None)
    marker = source.keys.get(key_name)
    if not config or not isinstance(marker, FakeDeleteMarker):
        return
    for target in winning_rules(listed(config.get("Rule")), key_name, None, None):
        if (bucket := _destination(self, target)) is not None:
            replica = FakeDeleteMarker(key=bucket.keys.get(key_name) or marker.key)
            replica._version_id, replica.last_modified = marker.version_id, marker.last_modified
            bucket.keys[key_name] = replica


# -- install ----------------------------------------------------------------------------------
def _native() -> bool:
    """True when the running moto replicates by itself (any replication routine or status)."""
    from moto.s3 import models, responses

    if any("replicate" in name for name in dir(models.S3Backend)):
        return True
    source = inspect.getsource(models) + inspect.getsource(responses)
    return "x-amz-replication-status" in source


def _after(cls: Any, name: str, then: Any) -> None:
    """Wrap `cls.name` so that `then(self, result, *args, **kwargs)` runs after it."""
    original = getattr(cls, name)

    @functools.wraps(original)
    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        then(self, result, *args, **kwargs)
        return result

    setattr(cls, name, wrapped)


def _replicate_response(response: Any, result: Any, *_: Any, **__: Any) -> None:
    """After PutObject/CopyObject: replicate the version the response names."""
    version = result[1].get("x-amz-version-id") if isinstance(result, tuple) else None
    if version:
        key = response.backend.get_object(response.bucket_name, response.parse_key_name(),
                                          version_id=version)
        if key is not None:
            response.backend.replicate_object(response.bucket_name, key)


def _replicate_completed(backend: Any, key: Any, bucket_name: str, *_: Any) -> None:
    if key is not None:
        backend.replicate_object(bucket_name, key)


def _replicate_deletion(
    backend: Any, result: Any, bucket_name: str, key_name: str, version_id: str | None = None,
    **_: Any,
) -> None:
    """After DeleteObject: only a new delete marker replicates, never a version's deletion."""
    if version_id is None and result[1].get("delete-marker"):
        backend.replicate_delete_marker(bucket_name, key_name)


def _untagged(
    backend: Any, _result: Any, bucket_name: str, key_name: str, version_id: str | None = None
) -> None:
    key = backend.get_object(bucket_name, key_name, version_id=version_id)
    if key is not None:
        backend.sync_replica_tags(key)


def install() -> bool:
    """Patch moto's S3 backend and responses; False (nothing patched) when moto replicates."""
    if _native():
        return False
    from moto.s3 import models, responses

    backend, response = models.S3Backend, responses.S3Response
    backend.replicate_object = replicate_object
    backend.replicate_delete_marker = replicate_delete_marker
    backend.sync_replica_tags = sync_replica_tags
    put_replication = backend.put_bucket_replication

    @functools.wraps(put_replication)
    def checked_put(self: Any, bucket_name: str, replication: dict[str, Any]) -> None:
        check_configuration(self, replication)
        put_replication(self, bucket_name, replication)

    def get_replication(self: Any) -> Any:
        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            raise responses.ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
        rules = [rule_for_api(r) for r in replication["Rule"]]
        return self.serialized(responses.ActionResult(
            {"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}))

    backend.put_bucket_replication = checked_put
    response.get_bucket_replication = get_replication
    _after(response, "put_object", _replicate_response)
    _after(response, "copy_object", _replicate_response)
    _after(backend, "complete_multipart_upload", _replicate_completed)
    _after(backend, "delete_object", _replicate_deletion)
    _after(backend, "put_object_tagging", lambda self, tagged, *_, **__:
           self.sync_replica_tags(tagged))
    _after(backend, "delete_object_tagging", _untagged)

    status_of = models.FakeKey.response_dict.fget

    def with_status(self: Any) -> dict[str, Any]:
        headers: dict[str, Any] = status_of(self)
        if getattr(self, "replication_status", None):
            headers["x-amz-replication-status"] = self.replication_status
        return headers

    models.FakeKey.response_dict = property(with_status)
    return True


EXTENSION = Extension(
    name="s3_replication",
    service="s3",
    behaviour=(
        "S3 replication (S3 User Guide: 'Replicating objects', 'Replication status information', "
        "'Replicating delete markers', 'Replicating encrypted objects'): objects written after "
        "PutBucketReplication (PutObject, CopyObject, CompleteMultipartUpload) to a versioned "
        "source are copied to each destination bucket whose Enabled rule selects them (V1 "
        "Prefix, V2 Filter Prefix/Tag/And, SSE-KMS objects only with SseKmsEncryptedObjects "
        "Enabled, highest Priority per destination) with key, body, version id, metadata, tags, "
        "ACL, the destination StorageClass and ReplicaKmsKeyID; source status COMPLETED or "
        "FAILED, replica REPLICA, replicas never replicated again; tag changes follow; delete "
        "markers replicate under V1 rules or DeleteMarkerReplication Enabled; "
        "PutBucketReplication checks the destination and rule shape; GetBucketReplication "
        "returns the rules as put"
    ),
    limits=(
        "replication is synchronous inside the write request (AWS is asynchronous, usually "
        "seconds, so PENDING is never observed); the IAM role is neither assumed nor checked; "
        "no replication of existing objects (ExistingObjectReplication, Batch Replication), "
        "of POST-form uploads, of ACL-only changes or of replica modifications back to the "
        "source; no Replication Time Control, metrics or s3:Replication events; destination "
        "Account and AccessControlTranslation are ignored (same account only); SSE-C objects "
        "are not special-cased; disabling versioning on a replicating bucket is not refused"
    ),
    install=install,
)
