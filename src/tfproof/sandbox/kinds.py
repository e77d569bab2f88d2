"""The two kinds of sandbox behind one interface: the embedded moto server and a real account.

The interface is `tfproof.sandbox.interface.Sandbox`. The real-account kind is
opted into explicitly (`TFPROOF_SANDBOX=aws` plus `TFPROOF_SANDBOX_ACCOUNT_ID`)
and refuses to do anything until the caller identity matches the named account.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tfproof.sandbox.interface import DEFAULT_REGION, Sandbox, SandboxRefused, mask_account
from tfproof.settings import Settings, current

EMBEDDED_ACCOUNT_ID = "123456789012"
_ACCOUNT_RE = re.compile(r"^\d{12}$")


class EmbeddedSandbox(Sandbox):
    """moto's server on 127.0.0.1, started per run (or attached to by URL for cleanup)."""

    kind = "embedded"
    # moto_ext.cloudwatch evaluates alarms on PutMetricData (and a timer) and publishes their
    # notifications to SNS topic actions, which moto's SNS delivers to SQS subscribers
    delivers_alarm_actions = True
    supports_point_in_time_restore = True
    restores_data = False

    def __init__(self, region: str = DEFAULT_REGION, url: str | None = None) -> None:
        super().__init__(region)
        self._url = url
        self.server: Any = None

    @property
    def endpoint_url(self) -> str | None:
        if self.server is not None:
            return str(self.server.url)
        return self._url

    @property
    def verify_tls(self) -> bool:
        return False

    @property
    def server_pid(self) -> int | None:
        """The pid of the moto server this sandbox started (None when attached by URL)."""
        return self.server.pid if self.server is not None else None

    def credentials_env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": self.region,
        }

    def provider_settings(self) -> dict[str, str]:
        return {
            "access_key": '"testing"',
            "secret_key": '"testing"',
            "token": '"testing"',
            "skip_credentials_validation": "true",
            "skip_metadata_api_check": "true",
            "skip_region_validation": "true",
            "skip_get_ec2_platforms": "true",
            "s3_force_path_style": "true",
            "insecure": "true",  # moto's self-signed certificate on 127.0.0.1
            "max_retries": "2",
        }

    def start(self, log_dir: Path) -> None:
        from tfproof.sandbox.server import MotoServer

        if self._url is None and self.server is None:
            self.server = MotoServer(Path(log_dir) / "moto.log").start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


class AwsSandbox(Sandbox):
    """A real sandbox account, reached with the ambient credentials (e.g. OIDC in CI).

    `endpoint` exists so the guard can be tested against the embedded server
    standing in for an account; a real run leaves it unset.
    """

    kind = "aws"

    def __init__(
        self, allowed_account_id: str, region: str = DEFAULT_REGION, endpoint: str | None = None
    ) -> None:
        super().__init__(region)
        if not _ACCOUNT_RE.match(allowed_account_id or ""):
            raise SandboxRefused(
                "TFPROOF_SANDBOX=aws needs TFPROOF_SANDBOX_ACCOUNT_ID set to the 12-digit id of "
                "the sandbox account the run may apply to; it is missing or not 12 digits "
                f"(got {mask_account(allowed_account_id) if allowed_account_id else 'nothing'}). "
                "Nothing was applied."
            )
        self.allowed_account_id = allowed_account_id
        self._endpoint = endpoint

    @property
    def endpoint_url(self) -> str | None:
        return self._endpoint

    @property
    def verify_tls(self) -> bool:
        return self._endpoint is None  # a stand-in endpoint is the local moto server

    def credentials_env(self) -> dict[str, str]:
        if self._endpoint:  # a stand-in endpoint never gets the caller's real credentials
            return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
        return {}

    def provider_settings(self) -> dict[str, str]:
        # Defence in depth: the provider itself refuses any other account.
        settings = {"allowed_account_ids": f'["{self.allowed_account_id}"]'}
        if self._endpoint:
            settings.update(
                {"skip_credentials_validation": "true", "skip_metadata_api_check": "true",
                 "s3_force_path_style": "true", "skip_get_ec2_platforms": "true",
                 "insecure": "true"}
            )  # fmt: skip
        return settings

    def verify(self) -> str:
        """Refuse (SandboxRefused) unless the caller identity is the named account."""
        actual = self.caller_account()
        if actual != self.allowed_account_id:
            raise SandboxRefused(
                f"Refusing to touch AWS account {mask_account(actual)}: the sandbox run is only "
                f"allowed in account {mask_account(self.allowed_account_id)} "
                "(TFPROOF_SANDBOX_ACCOUNT_ID), and the current credentials belong to another "
                "one. Nothing was applied. Assume the sandbox account's role, or fix "
                "TFPROOF_SANDBOX_ACCOUNT_ID."
            )
        return actual


def sandbox_from_settings(config: Settings | None = None) -> Sandbox:
    """The sandbox the settings ask for: TFPROOF_SANDBOX=embedded (default) or aws."""
    config = config or current()
    if config.sandbox == "aws":
        return AwsSandbox(config.sandbox_account_id or "", region=config.sandbox_region,
                          endpoint=config.sandbox_endpoint)
    return EmbeddedSandbox(region=config.sandbox_region)
