"""Entry point of the embedded moto server, with the two moto bug fixes the envs need.

1. moto 5.2.5 crashes (HTTP 500) on `PutBucketLogging` when the *target*
   bucket's policy has a statement whose Principal is the string "*" (as any
   bucket that denies non-TLS access has): `_log_permissions_enabled_policy`
   calls `.get` on that string. The fix makes that check skip such statements,
   as AWS does (a wildcard Deny grants nothing to the log delivery service).
2. moto 5.2.5's bucket-policy evaluation gets the envs' `DenyInsecureTransport`
   statement (Deny if `aws:SecureTransport` is false) wrong three ways at once:
   it supplies no `aws:SecureTransport` value, it treats any operator but
   StringEquals (here `Bool`) as matching, and it answers DENY for a statement
   whose condition does not hold (AWS: the statement does not apply). Together
   every request to such a bucket is denied. The fix supplies
   `aws:SecureTransport = true` (this server only speaks TLS, `--ssl`),
   evaluates `Bool` as AWS does, and makes an unmet condition neutral.

Beyond these fixes, the server installs the service extensions of
`tfproof.sandbox.moto_ext` (behaviour moto lacks, such as alarm evaluation) and
prints which were patched and which moto serves natively. Everything else is
stock `moto.server`. Run as
`python -m tfproof.sandbox.moto_main -H 127.0.0.1 -p PORT [--ssl]`.
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
    (
        "secure-transport-context-key",
        "bucket policies see aws:SecureTransport=true (the server only speaks TLS); moto "
        "5.2.5 supplied no value and a DenyInsecureTransport statement denied everything",
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


def _bool_operation(expected: list[str] | str, actual: str) -> bool:
    wanted = [expected] if isinstance(expected, str) else list(expected)
    return str(actual).lower() in [str(w).lower() for w in wanted]


def _patch_policy_conditions() -> None:
    from moto.iam import access_control, policy_conditions

    policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", _bool_operation)
    statement = access_control.IAMPolicyStatement
    check = statement._check_conditions
    decide = statement.is_action_permitted

    @functools.wraps(check)
    def with_transport(self: Any, incoming_condition_values: dict[str, str] | None) -> bool:
        values = {"aws:SecureTransport": "true", **(incoming_condition_values or {})}
        return bool(check(self, values))

    @functools.wraps(decide)
    def unmet_is_neutral(
        self: Any,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> Any:
        if self._statement.get("Condition") and not self._check_conditions(
            incoming_condition_values
        ):
            return access_control.PermissionResult.NEUTRAL
        return decide(self, action, resource, principal, incoming_condition_values)

    statement._check_conditions = with_transport
    statement.is_action_permitted = unmet_is_neutral


def main(argv: list[str] | None = None) -> None:
    """Apply the fixes, then run moto's own server main."""
    _patch_s3_logging()
    _patch_policy_conditions()
    from tfproof.sandbox.moto_ext import install_all

    for name, how in install_all().items():
        print(f"tfproof moto extension {name}: {how}", file=sys.stderr, flush=True)
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
