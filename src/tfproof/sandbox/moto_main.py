"""Entry point of the embedded moto server, with the one moto bug fix the envs need.

moto 5.2.5 crashes (HTTP 500) on `PutBucketLogging` when the *target* bucket's
policy has a statement whose Principal is the string "*" (as any bucket that
denies non-TLS access has): `_log_permissions_enabled_policy` calls `.get` on
that string. The fix below only makes that check skip such statements, which is
what AWS does (a wildcard Deny statement grants nothing to the log delivery
service). Everything else is stock `moto.server`. Run as
`python -m tfproof.sandbox.moto_main -H 127.0.0.1 -p PORT`.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import Any

FIXES = (
    (
        "s3-logging-string-principal",
        "PutBucketLogging no longer crashes when the target bucket policy has a "
        'statement with Principal "*" (moto 5.2.5 bug)',
    ),
)


def _patch_s3_logging() -> None:
    from moto.s3 import models

    original = models.FakeBucket._log_permissions_enabled_policy

    @functools.wraps(original)
    def tolerant(target_bucket: Any, target_prefix: str | None) -> bool:
        policy = target_bucket.policy
        if policy:
            document = json.loads(policy.decode())
            statements = document.get("Statement", [])
            if isinstance(statements, dict):
                statements = [statements]
            kept = [s for s in statements if isinstance(s.get("Principal", {}), dict)]
            if len(kept) != len(statements):
                saved = target_bucket.policy
                target_bucket.policy = json.dumps({**document, "Statement": kept}).encode()
                try:
                    return bool(original(target_bucket, target_prefix))
                finally:
                    target_bucket.policy = saved
        return bool(original(target_bucket, target_prefix))

    models.FakeBucket._log_permissions_enabled_policy = staticmethod(tolerant)


def main(argv: list[str] | None = None) -> None:
    """Apply the fixes, then run moto's own server main."""
    _patch_s3_logging()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
