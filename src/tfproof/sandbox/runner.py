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
from pathlib import Path
from typing import Any

from tfproof import progress
from tfproof.errors import InputError, TfproofError
from tfproof.plan import Plan
from tfproof.sandbox.cleanup import CleanupResult, cleanup_stale
from tfproof.sandbox.gaps import Gap, apply_gaps, root_variables
from tfproof.sandbox.interface import Sandbox, mask_account
from tfproof.sandbox.override import provider_regions, write_override
from tfproof.sandbox.records import RUN_TAG, RunRecord, new_run_id
from tfproof.sandbox.teardown import Teardown, Timeouts, teardown_record, terraform_env, var_args
from tfproof.sandbox.terraform import run_terraform
from tfproof.secrets.redact import redact_plan
from tfproof.secrets.scrub import remember_module_inputs
from tfproof.terraform.workspace import Workspace


class SandboxLeftovers(TfproofError):
    """Resources of the run are still there after its teardown."""


def _state_count(state: dict[str, Any]) -> int:
    def walk(module: dict[str, Any]) -> int:
        own = sum(1 for r in module.get("resources", []) if r.get("mode") == "managed")
        return own + sum(walk(c) for c in module.get("child_modules", []))

    return walk(state.get("values", {}).get("root_module", {}))


def _auto_var_files(root: Path) -> list[Path]:
    """The variable files Terraform loads from a root by itself."""
    names = ("terraform.tfvars", "terraform.tfvars.json")
    return sorted(p for p in root.iterdir() if p.is_file() and (
        p.name in names or p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))))


def _refuse_shadowed(root: Path, secrets: dict[str, str]) -> None:
    """InputError when a variable given as a secret is also set by a variable file the root
    loads by itself: Terraform ranks that file above TF_VAR_*, the only way a secret reaches
    it (a command line is readable by every user of the machine), so the run would apply the
    file's value, not the one given."""
    if not secrets:
        return
    for path in _auto_var_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.name.endswith(".json"):
            try:
                document = json.loads(text)
            except ValueError:
                continue  # Terraform refuses the file itself, naming it
            found = set(document) & set(secrets) if isinstance(document, dict) else set()
        else:
            found = {name for name in secrets
                     if re.search(rf'^[ \t]*"?{re.escape(name)}"?[ \t]*=', text, re.MULTILINE)}
        if found:
            raise InputError(
                f"{', '.join(sorted(found))} is given to the sandbox run as a secret and also set "
                f"in {path}, which Terraform loads by itself and ranks above the environment, "
                "where tfproof passes secrets (never on a command line): the run would apply "
                "the file's value. Remove it from the file, or do not give it to the run."
            )


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
        given = dict(variables or {})
        # secrets (declared sensitive, secret-named, the envs' generated ones) go to Terraform
        # in its environment and stay in memory; the run record names them, never holds them
        secret = remember_module_inputs(self.root, given)
        self.secret_variables = {k: v for k, v in given.items() if k in secret}
        self.user_variables = {k: v for k, v in given.items() if k not in secret}
        _refuse_shadowed(self.root, self.secret_variables)
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
        self.stale_cleanups: list[CleanupResult] = []

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
        record.bind(self.sandbox, self.account_id,
                    provider_regions(self.root, self.sandbox.region))
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
        record.update(variables=variables, secret_names=sorted(self.secret_variables),
                      root_relative=str(workspace.relative_root))
        self.workspace = workspace

    # -- apply -------------------------------------------------------------------------
    def _tf(self, args: list[str], timeout: float, ok: tuple[int, ...] = (0,)) -> Any:
        assert self.record is not None and self.workspace is not None
        record = self.record
        return run_terraform(
            self.workspace.root, args, terraform_env(self.sandbox, self.secret_variables),
            timeout, self.log,
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
        variables = var_args(self.record.variables)
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
             *var_args(self.record.variables)],
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
            report = teardown_record(self.record, self.sandbox, self.secret_variables)
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
