"""Tear a sandbox run down from its record: destroy from its state, sweep its tag, report.

Shared by a live run's own teardown (`tfproof.sandbox.runner`) and by the
cleanup of crashed runs (`tfproof.sandbox.cleanup`), which works from the run
record alone. Also the pieces both need to call Terraform the same way: the
per-kind timeouts, the environment and the `-var` arguments of a run.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from tfproof import settings
from tfproof.errors import TfproofError
from tfproof.sandbox.interface import Sandbox
from tfproof.sandbox.records import RunRecord
from tfproof.sandbox.signals import shielded
from tfproof.sandbox.tagging import sweep, tagged_arns
from tfproof.sandbox.terraform import run_terraform
from tfproof.terraform.inputs import env_secret_variables

_DESTROYED_RE = re.compile(r"Resources:\s+(\d+)\s+destroyed")


@dataclass(frozen=True)
class Timeouts:
    """Deadlines (seconds) of each Terraform step; a stuck call fails the run."""

    init: float = 300
    plan: float = 300
    apply: float = 480
    destroy: float = 420

    @classmethod
    def for_kind(cls, kind: str) -> Timeouts:
        """Tight bounds for moto, an hour for a real account (RDS alone takes ~10 min there)."""
        base = cls() if kind == "embedded" else cls(600, 900, 3600, 3600)
        scale = settings.current().sandbox_timeout_scale
        return cls(base.init * scale, base.plan * scale, base.apply * scale, base.destroy * scale)


@dataclass
class Teardown:
    """What a teardown did and what (if anything) it could not remove."""

    destroyed: int = 0
    tagged_after_destroy: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)
    leftovers: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        """True when nothing is left and no step failed."""
        return not self.leftovers and not self.errors


def terraform_env(sandbox: Sandbox, secrets: Mapping[str, str] | None = None) -> dict[str, str]:
    """Terraform's environment: the sandbox's, the envs' generated secrets, and `secrets`
    (variables given as secrets) as TF_VAR_*, never on a command line anyone can list."""
    env = sandbox.terraform_env()
    env.update({f"TF_VAR_{k}": v for k, v in env_secret_variables().items()})
    env.update({f"TF_VAR_{k}": v for k, v in (secrets or {}).items()})
    return env


def var_args(variables: dict[str, str]) -> list[str]:
    # -var beats terraform.tfvars (TF_VAR_* would not); these values are never secret
    # (SandboxRun keeps secrets apart and passes them in the environment)
    return [f"-var={k}={v}" for k, v in sorted(variables.items())]


def stand_in_secrets(record: RunRecord) -> dict[str, str]:
    """A value for each secret variable of a run whose values are gone (a cleanup after a
    crash): a destroy needs every variable set, not the values the run applied with."""
    return {name: "tfproof-cleanup-" + secrets.token_urlsafe(18) for name in record.secret_names}


def teardown_record(record: RunRecord, sandbox: Sandbox,
                    secret_values: Mapping[str, str] | None = None) -> Teardown:
    """Destroy from the run's state, then remove and report whatever still carries its tag.

    `secret_values`: the run's secret variables (stand-ins when not given)."""
    started = time.monotonic()
    report = Teardown()
    log = record.directory / "terraform.log"
    timeouts = Timeouts.for_kind(record.kind)
    with shielded("teardown"):
        record.update(status="destroying")
        work_root = record.work_dir / record.root_relative if record.root_relative else None
        if work_root and (work_root / "terraform.tfstate").is_file():
            env = terraform_env(sandbox, secret_values if secret_values is not None
                                else stand_in_secrets(record))

            def terraform(args: list[str]) -> str:
                return run_terraform(
                    work_root, [*args, "-auto-approve", "-input=false", "-no-color",
                                "-lock-timeout=60s", *var_args(record.variables)],
                    env, timeouts.destroy, log,
                    on_start=lambda pid: record.update(terraform_pid=pid),
                ).stdout  # fmt: skip

            try:
                out = terraform(["destroy"])
            except TfproofError:
                # a destroy cut short (a crash, a kill) leaves state naming objects that are
                # already gone; refresh them out of the state and destroy once more
                try:
                    terraform(["apply", "-refresh-only"])
                    out = terraform(["destroy"])
                except TfproofError as exc:
                    out = ""
                    report.errors.append(str(exc))
            found = _DESTROYED_RE.search(out)
            report.destroyed = int(found.group(1)) if found else 0
        try:
            report.tagged_after_destroy = tagged_arns(sandbox, record.run_id, record.regions)
            failures: dict[str, str] = {}
            if report.tagged_after_destroy:
                failures = sweep(sandbox, report.tagged_after_destroy)
                report.swept = [a for a in report.tagged_after_destroy if a not in failures]
            remaining = tagged_arns(sandbox, record.run_id, record.regions)
            report.leftovers = {
                arn: failures.get(arn, "still tagged after destroy and sweep") for arn in remaining
            }
        except Exception as exc:  # the listing itself failed: we cannot claim it is clean
            report.errors.append(f"listing the run's tagged resources failed: {exc}")
        report.seconds = time.monotonic() - started
        record.update(
            status="clean" if report.clean else "leftovers",
            destroyed=report.destroyed,
            leftovers=sorted(report.leftovers) + report.errors,
            finished=time.time(),
        )
    return report
