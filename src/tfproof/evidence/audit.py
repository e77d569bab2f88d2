"""`tfproof audit` end to end: run every layer once, roll up, write and seal the bundle.

The order is chosen for wall-clock time on a small machine: the pytest layers
start first in a subprocess; meanwhile this process plans each environment
(served from the plan cache when unchanged) and runs the policy scan on it.
Then the outcomes are rolled up per control and every file of the bundle is
written from the one evidence document (`evidence.document`), so the report,
the CSV and the OSCAL document can never disagree with evidence.json.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfproof import lifecycle, progress
from tfproof.evidence import compare as compare_mod
from tfproof.evidence.bundle import BundleWriter
from tfproof.evidence.catalog import load_controls
from tfproof.evidence.document import evidence_document, write_bundle
from tfproof.evidence.inputs import input_files, redacted_command, sensitive_names
from tfproof.evidence.layers import AuditRequest, env_scan, plan_resources, plan_target, scan_target
from tfproof.evidence.live import read_live_checks, run_live_layer, sandbox_account
from tfproof.evidence.manifest import ManifestData, git_info, input_hashes, tool_versions
from tfproof.evidence.model import EnvScan, LayerInputs
from tfproof.evidence.pytest_run import finish_tests, start_tests
from tfproof.evidence.rollup import audit_failed
from tfproof.evidence.waivers import waiver_table
from tfproof.findings import ScanReport
from tfproof.sandbox.livecheck import LiveCheck
from tfproof.secrets.scrub import SecretGuard, remember, remember_inputs, run_secrets
from tfproof.terraform.toolchain import PROVIDER_VERSION, versions


@dataclass
class AuditResult:
    """Where the bundle went and what it says."""

    bundle: Path
    evidence: dict[str, Any]

    @property
    def failed(self) -> bool:
        """True when a control failed (or a failure fits no control)."""
        return audit_failed(self.evidence)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def run_audit(
    request: AuditRequest, out: Path, compare_with: Path | None, argv: list[str]
) -> AuditResult:
    """Run the audit and write its sealed bundle under `out`."""
    started = _now()
    git = git_info(request.root)
    run_id = f"{started:%Y%m%dT%H%M%SZ}-{git['short'] or 'nogit'}"
    controls = load_controls()
    previous = compare_mod.load_previous(compare_with) if compare_with else None
    progress.say(
        f"audit {run_id}: {len(controls)} controls, targets "
        f"{', '.join(t.name for t in request.targets)}, layers {', '.join(request.layers)}"
    )
    scratch = lifecycle.scratch_dir("audit")  # owned: swept after a SIGKILL
    writer: BundleWriter | None = None
    tests_run = None
    remember_inputs(request.variables)  # before anything can print: planning errors too
    try:
        tests_run = start_tests(request, scratch)
        raw_plans = [plan_target(t, request) for t in request.targets]
        inputs_files = input_files(request, scratch)
        secrets = run_secrets(request.variables, inputs_files, sensitive_names(raw_plans))
        remember(*secrets)
        guard = SecretGuard(secrets)
        writer = BundleWriter(out, run_id, guard)
        notes: list[str] = []
        if guard.too_short:
            notes.append(
                f"{len(guard.too_short)} secret value(s) shorter than 4 characters cannot be "
                "guarded by value; rely on plan redaction for them"
            )
        plan_files = []
        for target, raw in zip(request.targets, raw_plans, strict=True):
            rel = f"plans/{target.name}.plan.json"
            plan_files.append((rel, writer.write_json(rel, raw, indent=None)))

        def scan_all() -> list[EnvScan]:
            out = []
            for target, raw, (rel, path) in zip(request.targets, raw_plans, plan_files,
                                                strict=True):
                if "policy" in request.layers:
                    report = scan_target(target, path, request)
                else:
                    report = ScanReport(target=str(target.path), findings=[])
                out.append(env_scan(target, rel, plan_resources(raw), report))
            return out

        live_checks: list[LiveCheck] = []
        sandbox_info: dict[str, Any] = {}
        if "live" in request.layers and request.apply_sandbox:
            # checkov runs in its own process: scan in a thread while the main thread (which
            # owns the signal handlers the sandbox teardown needs) applies the sandbox.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tfproof-scan") as pool:
                pending = pool.submit(scan_all)
                try:
                    live_checks = run_live_layer(request.sandbox)
                except BaseException:
                    pending.cancel()
                    raise
                scans = pending.result()
            sandbox_info = {"account_id": sandbox_account(request.sandbox)}
        else:
            scans = scan_all()
        for scan in scans:
            notes.extend(f"{scan.env}: {n}" for n in scan.report.notes)
        tests, pytest_exit, test_notes = finish_tests(tests_run)
        notes.extend(test_notes)
        if not live_checks:
            live_checks, sandbox_info = read_live_checks(tests_run.live_checks)
        if "live" in request.layers and not live_checks:
            notes.append(
                "live layer: no live check ran (the sandbox is applied only when auditing the "
                "project's envs; --target audits take live checks only from their own tests)"
            )
        finished = _now()
        layers_run = sorted(
            {t.layer for t in tests}
            | ({"policy"} if "policy" in request.layers and request.targets else set())
            | ({"live"} if live_checks else set()),
            key=("plan", "policy", "live").index,
        )
        inputs = LayerInputs(
            scans=scans,
            tests=tests,
            live_checks=live_checks,
            layers_run=layers_run,
            notes=notes,
            pytest_exit=pytest_exit,
        )
        sandbox = {
            "kind": request.sandbox if "live" in layers_run else None,
            "account_id": sandbox_info.get("account_id") if "live" in layers_run else None,
            **{k: v for k, v in sandbox_info.items() if k not in ("account_id", "kind")},
        }
        tf = versions()
        inputs_hashes = input_hashes(request.root, inputs_files)
        run = {
            "id": run_id,
            "started": _iso(started),
            "finished": _iso(finished),
            "envs": [t.name for t in request.targets],
            "targets": [
                {"name": s.env, "path": _rel(request.root, Path(s.target)),
                 "plan_file": s.plan_file, "resources": s.resources}
                for s in scans
            ],
            "layers_requested": request.layers,
            "layers_run": layers_run,
            "sandbox": sandbox,
            "git": git,
            "versions": tool_versions(tf.terraform, tf.provider or PROVIDER_VERSION),
            "command": redacted_command(argv),
            "pytest_exit": pytest_exit,
            "inputs": inputs_hashes,
        }
        evidence = evidence_document(
            run, controls, inputs, waiver_table(request.waivers, scans, started.date())
        )
        if previous is not None:
            evidence["comparison"] = compare_mod.compare(previous, evidence)
        evidence = guard.scrub_obj(evidence)
        write_bundle(
            writer, evidence, [(s.env, s.report) for s in scans], tests_run.junit, tests_run.log
        )
        manifest = ManifestData(
            run_id=run_id,
            started=evidence["run"]["started"],
            finished=evidence["run"]["finished"],
            git=git,
            versions=evidence["run"]["versions"],
            sandbox=sandbox,
            envs=evidence["run"]["envs"],
            layers_run=layers_run,
            command=evidence["run"]["command"],
            inputs=inputs_hashes,
        )
        bundle = writer.finish(manifest)
        return AuditResult(bundle=bundle, evidence=evidence)
    except BaseException:
        if tests_run is not None and tests_run.process is not None:
            if tests_run.process.poll() is None:
                tests_run.process.terminate()
                tests_run.process.wait(timeout=60)
        if writer is not None:
            writer.discard()
        raise
    finally:
        lifecycle.release(scratch)


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
