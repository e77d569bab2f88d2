"""Apply a root module to a sandbox, read it back, and always tear it down.

One `SandboxRun` is one apply: a persistent run folder (so a crashed run can
be finished by `tfproof sandbox cleanup`), the account guard before anything
else, leftovers of earlier crashed runs removed first, the provider override
and moto's gaps written into a scratch copy, then plan, apply from that plan,
and the state read back. `teardown()` destroys from the run's state, removes
whatever still carries the run's tag, and fails the run if anything is left.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfproof import progress, settings
from tfproof.errors import TfproofError
from tfproof.plan import Plan
from tfproof.sandbox.gaps import Gap, apply_gaps, root_variables
from tfproof.sandbox.kinds import Sandbox, account_digest, mask_account
from tfproof.sandbox.override import provider_regions, write_override
from tfproof.sandbox.records import RUN_TAG, RunRecord, new_run_id
from tfproof.sandbox.signals import shielded
from tfproof.sandbox.tagging import sweep, tagged_arns
from tfproof.sandbox.terraform import run_terraform
from tfproof.secrets.redact import redact_plan
from tfproof.secrets.scrub import remember_module_inputs
from tfproof.terraform.inputs import env_secret_variables
from tfproof.terraform.workspace import Workspace

_DESTROYED_RE = re.compile(r"Resources:\s+(\d+)\s+destroyed")


class SandboxLeftovers(TfproofError):
    """Resources of the run are still there after its teardown."""


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


def _terraform_env(sandbox: Sandbox) -> dict[str, str]:
    env = sandbox.terraform_env()
    env.update({f"TF_VAR_{k}": v for k, v in env_secret_variables().items()})
    return env


def _var_args(variables: dict[str, str]) -> list[str]:
    # -var beats terraform.tfvars (TF_VAR_* would not); these values are never secret.
    return [f"-var={k}={v}" for k, v in sorted(variables.items())]


def _state_count(state: dict[str, Any]) -> int:
    def walk(module: dict[str, Any]) -> int:
        own = sum(1 for r in module.get("resources", []) if r.get("mode") == "managed")
        return own + sum(walk(c) for c in module.get("child_modules", []))

    return walk(state.get("values", {}).get("root_module", {}))


def teardown_record(record: RunRecord, sandbox: Sandbox) -> Teardown:
    """Destroy from the run's state, then remove and report whatever still carries its tag."""
    started = time.monotonic()
    report = Teardown()
    log = record.directory / "terraform.log"
    timeouts = Timeouts.for_kind(record.kind)
    with shielded("teardown"):
        record.update(status="destroying")
        work_root = record.work_dir / record.root_relative if record.root_relative else None
        if work_root and (work_root / "terraform.tfstate").is_file():
            def terraform(args: list[str]) -> str:
                return run_terraform(
                    work_root, [*args, "-auto-approve", "-input=false", "-no-color",
                                "-lock-timeout=60s", *_var_args(record.variables)],
                    _terraform_env(sandbox), timeouts.destroy, log,
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


class SandboxRun:
    """One apply of a root module to a sandbox (see the module docstring)."""

    def __init__(
        self,
        sandbox: Sandbox,
        root: Path,
        variables: dict[str, str] | None = None,
        run_id: str | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.root = Path(root).resolve()
        self.user_variables = dict(variables or {})
        remember_module_inputs(self.root, self.user_variables)
        self.run_id = run_id or new_run_id()
        self.record: RunRecord | None = None
        self.workspace: Workspace | None = None
        self.gaps: list[Gap] = []
        self.plan: Plan | None = None
        self.state: dict[str, Any] = {}
        self.applied = 0
        self.apply_seconds = 0.0
        self.account_id = ""
        self.timeouts = Timeouts.for_kind(sandbox.kind)
        self.stale_cleanups: list[Any] = []

    @property
    def tags(self) -> dict[str, str]:
        """The tags every resource of this run carries on top of the env's own."""
        return {RUN_TAG: self.run_id}

    @property
    def log(self) -> Path:
        """The run's Terraform log."""
        assert self.record is not None
        return self.record.directory / "terraform.log"

    # -- set-up ------------------------------------------------------------------------
    def prepare(self) -> None:
        """Start the sandbox, check the account, clear old leftovers, write the scratch copy."""
        from tfproof.sandbox.cleanup import cleanup_stale

        Workspace(self.root, directory=self.root)  # validates the path, creates nothing
        record = RunRecord(
            run_id=self.run_id, kind=self.sandbox.kind, region=self.sandbox.region,
            root=str(self.root), owner_pid=os.getpid(), tags=self.tags,
        )  # fmt: skip
        self.sandbox.start(record.directory)
        try:
            self.account_id = self.sandbox.verify()  # the guard: nothing before this touches AWS
        except BaseException:
            self.sandbox.stop()
            shutil.rmtree(record.directory, ignore_errors=True)
            raise
        progress.say(
            f"sandbox {self.sandbox.kind}: account {mask_account(self.account_id)}, "
            f"run {self.run_id}"
        )
        self.stale_cleanups = cleanup_stale(self.sandbox)
        record.directory.mkdir(parents=True, exist_ok=True)
        record.directory.chmod(0o700)
        server = getattr(self.sandbox, "server", None)
        record.endpoint = self.sandbox.endpoint_url
        record.server_pid = server.pid if server else None
        record.server_port = server.port if server else None
        record.account_hint = mask_account(self.account_id)
        record.account_sha256 = account_digest(self.account_id)
        record.regions = provider_regions(self.root, self.sandbox.region)
        record.status = "preparing"
        record.save()
        self.record = record
        workspace = Workspace(self.root, directory=record.work_dir)
        write_override(
            workspace, self.sandbox.provider_settings(), self.sandbox.provider_endpoints(),
            self.tags, self.sandbox.region,
        )  # fmt: skip
        declared = root_variables(self.root)
        toggles, self.gaps = apply_gaps(workspace, declared) if self.sandbox.kind == "embedded" \
            else ({}, [])
        variables = dict(toggles)
        if "final_snapshot_suffix" in declared:
            variables["final_snapshot_suffix"] = self.run_id
        variables.update(self.user_variables)
        record.update(variables=variables, root_relative=str(workspace.relative_root))
        self.workspace = workspace

    # -- apply -------------------------------------------------------------------------
    def _tf(self, args: list[str], timeout: float, ok: tuple[int, ...] = (0,)) -> Any:
        assert self.record is not None and self.workspace is not None
        record = self.record
        return run_terraform(
            self.workspace.root, args, _terraform_env(self.sandbox), timeout, self.log,
            on_start=lambda pid: record.update(terraform_pid=pid), ok=ok,
            capture=args[0] == "show",
        )  # fmt: skip

    def apply(self) -> None:
        """init, plan to a file, apply that plan, read the state back."""
        assert self.record is not None
        started = time.monotonic()
        self.record.update(status="applying")
        progress.say(f"sandbox: terraform init ({self.run_id})")
        self._tf(["init", "-input=false", "-no-color"], self.timeouts.init)
        variables = _var_args(self.record.variables)
        progress.say("sandbox: terraform plan")
        self._tf(["plan", "-input=false", "-no-color", "-out=run.tfplan", *variables],
                 self.timeouts.plan)
        shown = self._tf(["show", "-json", "run.tfplan"], self.timeouts.plan)
        self.plan = Plan(redact_plan(json.loads(shown.stdout)), name=f"sandbox plan {self.run_id}")
        (self.record.directory / "plan.json").write_text(json.dumps(self.plan.raw))
        progress.say(f"sandbox: terraform apply ({len(self.plan.resources)} resources planned)")
        self._tf(["apply", "-input=false", "-no-color", "-auto-approve", "run.tfplan"],
                 self.timeouts.apply)
        self.refresh_state()
        self.applied = _state_count(self.state)
        self.apply_seconds = time.monotonic() - started
        self.record.update(status="applied", applied=self.applied)
        progress.say(f"sandbox: applied {self.applied} resources in {self.apply_seconds:.0f}s")

    def refresh_state(self) -> dict[str, Any]:
        """The applied state as JSON (kept in memory only: it holds secrets in clear)."""
        shown = self._tf(["show", "-json"], self.timeouts.plan)
        self.state = json.loads(shown.stdout)
        return self.state

    def pending_changes(self) -> list[str]:
        """Addresses a fresh plan would change right after the apply (idempotence)."""
        assert self.record is not None
        result = self._tf(
            ["plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=again.tfplan",
             *_var_args(self.record.variables)],
            self.timeouts.plan, ok=(0, 2),
        )  # fmt: skip
        if result.returncode == 0:
            return []
        shown = json.loads(self._tf(["show", "-json", "again.tfplan"], self.timeouts.plan).stdout)
        return [
            f"{c['address']} ({'/'.join(c['change']['actions'])})"
            for c in shown.get("resource_changes", [])
            if c["change"]["actions"] not in (["no-op"], ["read"])
        ]

    # -- teardown ----------------------------------------------------------------------
    def teardown(self) -> Teardown:
        """Destroy, sweep, stop the sandbox; never raises for leftovers (see `check_clean`)."""
        if self.record is None:
            self.sandbox.stop()
            return Teardown()
        try:
            report = teardown_record(self.record, self.sandbox)
        finally:
            self.sandbox.stop()
        if report.clean and self.record.work_dir.exists():
            shutil.rmtree(self.record.work_dir, ignore_errors=True)  # logs and record stay
        return report

    @staticmethod
    def check_clean(report: Teardown) -> None:
        """Raise SandboxLeftovers when the teardown left anything behind."""
        if report.clean:
            return
        lines = [f"{arn} ({why})" for arn, why in report.leftovers.items()] + report.errors
        raise SandboxLeftovers(
            "The sandbox teardown left resources behind or failed; `tfproof sandbox cleanup` "
            "retries it. " + "; ".join(lines)
        )
