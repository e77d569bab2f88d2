"""The sandbox session behind the pytest-terraform fixtures of the module examples.

One `ModuleSession` per integration session (per xdist worker that runs module
tests): one sandbox (a moto server of its own on the embedded kind; the opted-in
account with TFPROOF_SANDBOX=aws, after the account guard), one run id whose tag
every example's resources carry, one run record (so `tfproof sandbox cleanup` and
the next env run can finish a session that was killed: sweep the tag, stop the
orphaned moto server), and the scratch copies that `--tf-mod-dir` points at.

pytest-terraform then applies each copy in its fixture and destroys it when the
module's last test is done. At the end the session sweeps whatever still carries
its tag (a destroy that failed or was cut short), stops the sandbox, stops any
Terraform or provider process pytest-terraform's runner left in the scratch copies
(it kills Terraform with SIGKILL on an interrupt, which orphans the provider),
removes pytest-terraform's state folders (the state holds the examples' secrets in
clear) and the scratch copies, and restores the environment.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_terraform import tf as pytest_terraform_tf

from tfproof.sandbox.checks.base import LiveContext
from tfproof.sandbox.gaps import Gap
from tfproof.sandbox.interface import Sandbox
from tfproof.sandbox.livecheck import LiveCheck
from tfproof.sandbox.override import provider_regions
from tfproof.sandbox.records import RUN_TAG, RunRecord, new_run_id
from tfproof.sandbox.server import pid_alive, stop_pid
from tfproof.sandbox.signals import interrupts_raise
from tfproof.sandbox.teardown import Teardown, teardown_record
from tfproof.secrets.scrub import guard, remember
from tfproof.secrets.text import mask_value
from tfproof.terraform.inputs import env_secret_variables, generated_secret
from tfproof.terraform.toolchain import cli_config

from .module_examples import EXAMPLES, MODULES, Example, build, emptied_by, example_gaps

# the examples' sensitive variables (`sensitive = true`, no default), passed as TF_VAR_*
SECRET_INPUTS = ("db_password", "auth_token")


class ModuleContext(LiveContext):
    """The live checks' context on one applied example; `recorded` collects their verdicts."""

    def __init__(self, *args: Any, recorded: list[LiveCheck]) -> None:
        super().__init__(*args)
        self.recorded = recorded


class ModuleSession:
    """The sandbox, run record and scratch copies of the module examples (a context manager)."""

    def __init__(self, sandbox: Sandbox, mods_dir: Path, scratch: Path,
                 replay_out: Path | None = None) -> None:  # fmt: skip
        self.sandbox = sandbox
        self.replay_out = replay_out
        self.mods_dir = mods_dir
        self.scratch = scratch
        self.run_id = new_run_id()
        self.record: RunRecord | None = None
        self.gaps: dict[str, list[Gap]] = {}
        self.report: Teardown | None = None
        self.started = time.monotonic()
        self.seconds = 0.0
        self._env = pytest.MonkeyPatch()
        self._interrupts: Any = None
        self._states: dict[int, dict[str, Any]] = {}
        # for the summary: seconds of each example's fixture setup (pytest-terraform's init,
        # plan, apply) and of the teardown it was destroyed in; the live checks run on them
        self.applied: dict[str, float] = {}
        self.destroyed: dict[str, float] = {}
        self.checks: list[LiveCheck] = []

    # -- set-up ------------------------------------------------------------------------
    def __enter__(self) -> ModuleSession:
        self._interrupts = interrupts_raise()  # SIGTERM unwinds through the teardowns too
        self._interrupts.__enter__()
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        record = RunRecord(run_id=self.run_id, kind=self.sandbox.kind, region=self.sandbox.region,
                           root=str(MODULES), owner_pid=os.getpid(), tags={RUN_TAG: self.run_id})
        self.sandbox.start(record.directory)
        account = self.sandbox.verify()  # the guard: nothing is applied before it passes
        regions = [self.sandbox.region]
        for example in EXAMPLES.values():
            regions += provider_regions(example.source, self.sandbox.region)
        record.bind(self.sandbox, account, list(dict.fromkeys(regions)))
        record.status = "applying"
        record.save()
        self.record = record
        self.mods_dir.mkdir(parents=True, exist_ok=True)
        for example in EXAMPLES.values():
            gaps = self.gaps[example.module] = example_gaps(example, self.sandbox)
            if example.not_served or emptied_by(example, gaps):
                continue
            root = build(example, self.sandbox, self.scratch, self.run_id, gaps)
            (self.mods_dir / example.fixture).symlink_to(root, target_is_directory=True)
        # pytest-terraform runs Terraform with os.environ: the offline CLI config (the bundled
        # provider mirror) and the examples' secrets go there for the session, and only there
        self._env.setenv("TF_CLI_CONFIG_FILE", str(cli_config()))
        self._env.setenv("CHECKPOINT_DISABLE", "1")
        for name in ("TF_CLI_ARGS", "TF_CLI_ARGS_plan", "TF_CLI_ARGS_apply"):
            self._env.delenv(name, raising=False)
        generated = env_secret_variables()
        for name in SECRET_INPUTS:
            if f"TF_VAR_{name}" not in os.environ:
                self._env.setenv(f"TF_VAR_{name}", generated.get(name) or generated_secret(name))
            remember(os.environ[f"TF_VAR_{name}"])

    # -- what the tests use ------------------------------------------------------------
    def skip_reason(self, example: Example) -> str | None:
        """Why this example is not applied in this session (None: it is)."""
        if example.not_served:
            return example.skip_reason()
        emptied = emptied_by(example, self.gaps.get(example.module, []))
        return "; ".join(g.skip_reason() for g in emptied) or None

    def context(self, module: str, applied: Any) -> ModuleContext:
        """The checks' view of one applied example: the full state of `terraform show -json`
        (every for_each instance; pytest-terraform's own resources map keeps one per name)."""
        key = id(applied)
        if key not in self._states:
            self._states[key] = applied.terraform.show()
        return ModuleContext(self.sandbox, self._states[key], self.run_id,
                             self.gaps.get(module, []), {}, recorded=self.checks)  # fmt: skip

    # -- teardown ----------------------------------------------------------------------
    def __exit__(self, *exc: object) -> None:
        try:
            if self.record is not None:  # pytest-terraform destroyed each example; sweep the rest
                self.report = teardown_record(self.record, self.sandbox)
        finally:
            try:
                self.sandbox.stop()
                stop_processes_in(self.scratch)
                for fixture in pytest_terraform_tf.terraform.get_fixtures():
                    runner = getattr(fixture, "runner", None)
                    if runner is not None:  # <basetemp>/<name>N: terraform.tfstate(.backup), plan
                        shutil.rmtree(Path(runner.work_dir).parent, ignore_errors=True)
                self._keep_replay_files()
                for child in ("copies", "mods"):
                    shutil.rmtree(self.scratch / child, ignore_errors=True)
                if self.mods_dir.parent != self.scratch:  # a --tf-mod-dir of the user's
                    for example in EXAMPLES.values():
                        link = self.mods_dir / example.fixture
                        if link.is_symlink():
                            link.unlink()
                self._env.undo()
                self.seconds = time.monotonic() - self.started
            finally:
                if self._interrupts is not None:
                    self._interrupts.__exit__(None, None, None)
                    self._interrupts = None


    def _keep_replay_files(self) -> None:
        """pytest-terraform's replay file of each applied example (redacted when it was saved)."""
        if self.replay_out is None:
            return
        for example in EXAMPLES.values():
            saved = self.mods_dir / example.fixture / "tf_resources.json"
            if example.module in self.applied and saved.is_file():
                target = self.replay_out / example.module / "tf_resources.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(saved, target)


def redact_resources(resources: dict[str, Any]) -> dict[str, Any]:
    """pytest-terraform's resources map with every credential masked (by attribute name, then
    by every secret value this run knows, wherever it sits)."""
    masked, found = mask_value(resources)
    remember(*found)
    return guard().scrub_obj(masked)


def _processes() -> Iterator[tuple[int, Path]]:
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                yield int(entry.name), Path(os.readlink(f"/proc/{entry.name}/cwd"))
            except OSError:
                continue


def stop_processes_in(folder: Path) -> list[int]:
    """Stop (SIGINT, then TERM/KILL) every process of ours whose working directory is inside
    `folder`: Terraform and its provider as pytest-terraform left them. Returns their pids."""
    base = folder.resolve()
    found = [pid for pid, cwd in _processes() if cwd == base or base in cwd.parents]
    for pid in found:
        try:
            os.kill(pid, signal.SIGINT)
        except OSError:
            continue
    deadline = time.monotonic() + 10
    while any(pid_alive(p) for p in found) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in found:
        if pid_alive(pid):
            stop_pid(pid, timeout=5)
    return found
