"""`tfproof audit` end to end: run every layer once, roll up, write and seal the bundle.

The order is chosen for wall-clock time on a small machine: the pytest layers
start first in a subprocess; meanwhile this process plans each environment
(served from the plan cache when unchanged) and runs the policy scan on it.
Then the outcomes are rolled up per control and every file of the bundle is
written from the one evidence document, so the report, the CSV and the OSCAL
document can never disagree with evidence.json.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfproof import lifecycle, progress
from tfproof.engine.catalog import Control
from tfproof.evidence import compare as compare_mod
from tfproof.evidence import csvout, html, oscal
from tfproof.evidence.bundle import BundleWriter
from tfproof.evidence.catalog import load_controls
from tfproof.evidence.combined import combined_junit, combined_sarif
from tfproof.evidence.layers import (
    AuditRequest,
    env_scan,
    finish_tests,
    plan_resources,
    plan_target,
    read_live_checks,
    run_live_layer,
    sandbox_account,
    scan_target,
    start_tests,
)
from tfproof.evidence.manifest import ManifestData, git_info, input_hashes, tool_versions
from tfproof.evidence.model import EnvScan, LayerInputs, rollup
from tfproof.evidence.waivers import waiver_table
from tfproof.findings import ScanReport
from tfproof.sandbox.livecheck import LiveCheck
from tfproof.secrets.scrub import SecretGuard, remember, remember_inputs, run_secrets
from tfproof.terraform.toolchain import PROVIDER_VERSION, versions
from tfproof.terraform.workspace import Workspace

EVIDENCE_SCHEMA = "tfproof-evidence/1"
FILES = {
    "evidence": "evidence.json",
    "report": "report.html",
    "controls_csv": "controls.csv",
    "junit": "junit.xml",
    "sarif": "results.sarif",
    "oscal": "assessment-results.oscal.json",
    "pytest_output": "logs/pytest-output.txt",
}


@dataclass
class AuditResult:
    """Where the bundle went and what it says."""

    bundle: Path
    evidence: dict[str, Any]

    @property
    def failed(self) -> bool:
        """True when a control failed (or a failure fits no control)."""
        summary = self.evidence["summary"]
        return bool(summary["failing_controls"] or summary["failing_unattributed"])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _sensitive_names(raw_plans: list[dict[str, Any]]) -> set[str]:
    names = set()
    for raw in raw_plans:
        variables = raw.get("configuration", {}).get("root_module", {}).get("variables", {})
        names.update(n for n, v in variables.items() if v.get("sensitive"))
    return names


def _redacted_command(argv: list[str]) -> list[str]:
    """The command line as recorded: `--var NAME=VALUE` keeps only the name."""
    out, hide_next = [], False
    for arg in argv:
        if hide_next:
            out.append(arg.split("=", 1)[0] + "=***")
            hide_next = False
        elif arg == "--var":
            out.append(arg)
            hide_next = True
        elif arg.startswith("--var="):
            out.append("--var=" + arg[len("--var="):].split("=", 1)[0] + "=***")
        else:
            out.append(arg)
    return out


def _input_files(request: AuditRequest, scratch: Path) -> list[Path]:
    files: list[Path] = []
    for target in request.targets:
        files.extend(Workspace(target.path, directory=scratch / "ws").files())
    policies = request.root / "policies"
    if policies.is_dir():
        files.extend(
            p for p in policies.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    if request.waivers is not None:
        files.append(request.waivers)
    files.extend(request.var_files)
    return files


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
        inputs_files = _input_files(request, scratch)
        secrets = run_secrets(request.variables, inputs_files, _sensitive_names(raw_plans))
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
                    report = scan_target(target, raw, path, request)
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
            "command": _redacted_command(argv),
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


def evidence_document(
    run: dict[str, Any],
    controls: Sequence[Control],
    inputs: LayerInputs,
    waivers: list[dict[str, Any]],
) -> dict[str, Any]:
    """The evidence.json document: the run, every control's verdict and evidence, waivers."""
    return {
        "schema": EVIDENCE_SCHEMA,
        "run": run,
        **rollup(controls, inputs),
        "waivers": waivers,
        "notes": list(inputs.notes),
        "files": dict(FILES),
    }


def write_bundle(
    writer: BundleWriter,
    evidence: dict[str, Any],
    reports: list[tuple[str, ScanReport]],
    pytest_junit: Path | None = None,
    pytest_log: Path | None = None,
) -> None:
    """Every file of the bundle but the seals, all derived from `evidence` and the scans."""
    writer.write_json(FILES["evidence"], evidence)
    writer.write_text(FILES["controls_csv"], csvout.to_csv(evidence))
    writer.write_json(FILES["oscal"], oscal.assessment_results(evidence))
    writer.write_json(FILES["sarif"], combined_sarif(reports))
    pytest_xml = pytest_junit.read_text() if pytest_junit and pytest_junit.is_file() else None
    live = [c for control in evidence["controls"] for c in control["live_checks"]]
    live += evidence["unattributed"]["live_checks"]
    kind = evidence["run"].get("sandbox", {}).get("kind")
    writer.write_text(FILES["junit"], combined_junit(reports, pytest_xml, live, kind))
    if pytest_log is not None:
        writer.copy_text(FILES["pytest_output"], pytest_log)
    writer.write_text(FILES["report"], html.render(evidence, writer.hashes()))


def terminal_lines(result: AuditResult) -> list[str]:
    """What the terminal shows at the end: every control, the delta, where, failures last."""
    evidence = result.evidence
    lines = ["", f"{'control':<16} {'status':<12} {'proved by':<18} reason"]
    failing = []
    for control in evidence["controls"]:
        proved = ",".join(control["proved_by"]) or "-"
        line = f"{control['id']:<16} {control['status']:<12} {proved:<18} {control['reason']}"
        lines.append(line[:160])
        if control["status"] == "failed":
            failing.append(control)
    summary = evidence["summary"]
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary["controls"].items())
    lines.append("")
    lines.append(f"controls: {counts}")
    if "comparison" in evidence:
        lines.extend(compare_mod.describe(evidence["comparison"]))
    lines.append(f"evidence bundle: {result.bundle}")
    lines.append(f"report: {result.bundle / FILES['report']}")
    if failing or summary["failing_unattributed"]:
        lines.append("")
        lines.append("FAILED controls:")
        for control in failing:
            lines.append(f"  {control['id']}: {control['reason']}")
            bad = [f for f in control["findings"] if f["status"] == "failed"][:5]
            lines.extend(f"    {f['env']}: {f['check']} {f['resource']}" for f in bad)
            bad_tests = [t for t in control["tests"] if t["outcome"] in ("failed", "error")][:5]
            lines.extend(f"    test {t['nodeid']}" for t in bad_tests)
            failed_live = Counter(
                c["name"] for c in control["live_checks"] if c["status"] == "failed"
            )
            lines.extend(f"    live {name} ({n}x)" if n > 1 else f"    live {name}"
                         for name, n in failed_live.most_common(5))
        for item in summary["failing_unattributed"]:
            lines.append(f"  (fits no control) {item}")
    return lines
