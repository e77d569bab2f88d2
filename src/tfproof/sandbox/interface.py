"""The interface every kind of sandbox implements, and the account guard's helpers.

Everything downstream (the apply runner, the live checks, cleanup) asks a
`Sandbox` for boto3 clients, for the provider settings to inject into the
scratch copy, and for the environment Terraform runs with; it never needs to
know which kind it talks to (the kinds are in `tfproof.sandbox.kinds`). An
account id is shown masked and stored as a digest, never in clear.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from tfproof.errors import InputError

DEFAULT_REGION = "us-east-1"

# Every service the envs touch, pointed at the sandbox endpoint when there is one.
ENDPOINT_SERVICES = (
    "acm", "applicationautoscaling", "autoscaling", "budgets", "cloudtrail", "cloudwatch",
    "cloudwatchevents", "cloudwatchlogs", "dynamodb", "ec2", "ecr", "ecs", "elasticache",
    "elb", "iam", "kms", "lambda", "rds", "resourcegroupstaggingapi", "route53", "s3",
    "secretsmanager", "sns", "sqs", "ssm", "sts", "xray",
)  # fmt: skip


class SandboxRefused(InputError):
    """The run would touch an account it was not told it may touch."""


def mask_account(account_id: str | None) -> str:
    """An account id with all but its last four digits hidden (safe for logs)."""
    if not account_id:
        return "(unknown)"
    return "*" * max(len(account_id) - 4, 0) + account_id[-4:]


def account_digest(account_id: str) -> str:
    """A stable fingerprint of an account id, stored instead of the id itself."""
    return hashlib.sha256(account_id.encode()).hexdigest()


class Sandbox:
    """Where the sandbox env is applied; subclasses say how to reach it."""

    kind = "abstract"
    #: whether a CloudWatch alarm's actions are executed on a state change
    delivers_alarm_actions = True
    #: whether RDS point-in-time restore is implemented
    supports_point_in_time_restore = True
    #: whether snapshots are real copies (a restored instance holds data)
    restores_data = True

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        self.region = region
        self._session: Any = None
        self._identity: str | None = None

    # -- how to reach it ---------------------------------------------------------------
    @property
    def endpoint_url(self) -> str | None:
        """The custom endpoint every client uses (None: AWS's own endpoints)."""
        return None

    def credentials_env(self) -> dict[str, str]:
        """AWS_* variables for Terraform and boto3 (empty: the default credential chain)."""
        return {}

    def session(self) -> Any:
        """A boto3 session bound to this sandbox's credentials."""
        if self._session is None:
            import boto3

            creds = self.credentials_env()
            self._session = boto3.session.Session(
                aws_access_key_id=creds.get("AWS_ACCESS_KEY_ID"),
                aws_secret_access_key=creds.get("AWS_SECRET_ACCESS_KEY"),
                aws_session_token=creds.get("AWS_SESSION_TOKEN"),
                region_name=self.region,
            )
        return self._session

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client with bounded connect/read timeouts and retries."""
        from botocore.config import Config

        if not self.verify_tls:
            import urllib3

            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        config = Config(
            connect_timeout=10,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": "path"} if self.endpoint_url else None,
        )
        return self.session().client(
            service,
            region_name=region or self.region,
            endpoint_url=self.endpoint_url,
            config=config,
            verify=self.verify_tls,
        )

    @property
    def verify_tls(self) -> bool:
        """Whether clients verify the endpoint's certificate (moto's is self-signed)."""
        return True

    # -- what to inject into the scratch copy ------------------------------------------
    def provider_settings(self) -> dict[str, str]:
        """Provider attributes (HCL) for the override block."""
        return {}

    def provider_endpoints(self) -> str:
        """An `endpoints { ... }` block, or "" for AWS's own endpoints."""
        url = self.endpoint_url
        if not url:
            return ""
        body = "".join(f'    {name} = "{url}"\n' for name in ENDPOINT_SERVICES)
        return "  endpoints {\n" + body + "  }\n"

    def terraform_env(self) -> dict[str, str]:
        """Environment for Terraform: credentials and no instance-metadata lookups."""
        env = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": self.region}
        env.update(self.credentials_env())
        return env

    # -- identity ----------------------------------------------------------------------
    def caller_account(self) -> str:
        """The account the current credentials belong to (one STS call, cached)."""
        if self._identity is None:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                identity = self.client("sts").get_caller_identity()
            except (BotoCoreError, ClientError) as exc:
                raise SandboxRefused(
                    f"Cannot establish which AWS account the sandbox credentials belong to "
                    f"(sts:GetCallerIdentity failed: {type(exc).__name__}). Nothing was applied. "
                    "Check the credentials (or the OIDC role assumption) and the network."
                ) from exc
            self._identity = str(identity["Account"])
        return self._identity

    def verify(self) -> str:
        """Check the account before anything is applied; returns the account id."""
        return self.caller_account()

    # -- lifecycle ---------------------------------------------------------------------
    def start(self, log_dir: Path) -> None:
        """Bring the sandbox up (no-op for a real account)."""

    def stop(self) -> None:
        """Tear the sandbox down (no-op for a real account)."""

    def describe(self) -> dict[str, Any]:
        """What the run record and the evidence manifest say about this sandbox."""
        return {"kind": self.kind, "region": self.region, "endpoint": self.endpoint_url}
