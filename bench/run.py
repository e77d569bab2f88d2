"""`nox -s bench` (`python bench/run.py`): prove tfproof is fast at scale, beside checkov.

Builds synthetic plans of N resources from a real plan (bench/synth.py), then,
for each repetition and each size, runs stock checkov, the policy engine alone
and the full `tfproof scan --plan` as fresh child processes, one after the
other (interleaved, so load from other work on the machine hits all three
alike), and reports medians, ratios and peak memory. It also times
`terraform init` with and without the shared provider mirror, and, with
`--make-test`, `make test` cold against warm. Results go to bench/results/:
results.md (tables and targets), results.json (raw samples), results.png.
These are measurements, not tests: nothing here fails on a slow number; the
targets table says how far each number is from its goal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import candidates
import report
import sandbox_bench
import synth
import toolbench

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_SIZES = "100,1000,2000,5000,10000"
DEFAULT_BASELINE_MAX = 5000
DEFAULT_SOURCE = ROOT / "infra" / "envs" / "production"


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"--sizes takes comma-separated integers, not {text!r}"
        ) from exc
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("--sizes needs at least one positive size")
    return sizes


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--sizes", type=_sizes, default=None,
                        help=f"plan sizes in resources (default {DEFAULT_SIZES})")
    parser.add_argument("--baseline-max", type=int, default=None,
                        help="largest size on which checkov and the full scan run "
                        f"(default {DEFAULT_BASELINE_MAX}: checkov takes ~2 min a run at 10,000; "
                        "the engine runs on every size)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (median; >= 3)")
    parser.add_argument("--quick", action="store_true",
                        help="sizes 100,2000,10000 with checkov/scan up to 2,000 "
                        "(~3-4 min on a quiet 2-core machine)")
    parser.add_argument("--candidates", default=",".join(candidates.NAMES),
                        help="which of checkov,engine,scan,scan-cached to time "
                        "(scan-cached runs right after each scan, on its cache)")
    parser.add_argument("--source-module", type=Path, default=None,
                        help="root module whose real plan is replicated "
                        "(default infra/envs/production)")
    parser.add_argument("--source-plan", type=Path, default=None,
                        help="an existing plan JSON to replicate instead of planning a module")
    parser.add_argument("--no-init", action="store_true", help="skip the terraform init bench")
    parser.add_argument("--sandbox", action="store_true",
                        help="also time the embedded sandbox: apply, live checks, destroy "
                        "of infra/envs/sandbox (about 3 minutes)")
    parser.add_argument("--make-test", action="store_true",
                        help="also time `make test` cold vs warm (several minutes each)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    parser.add_argument("--record", action="store_true",
                        help="copy the results tables into bench/README.md")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: redraw results.md/png from OUT/results.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or [100, 2000, 10000]
        args.baseline_max = args.baseline_max or 2000
    args.sizes = args.sizes or _sizes(DEFAULT_SIZES)
    args.baseline_max = args.baseline_max or DEFAULT_BASELINE_MAX
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.candidates = tuple(c.strip() for c in args.candidates.split(",") if c.strip())
    unknown = set(args.candidates) - set(candidates.NAMES)
    if unknown:
        parser.error(f"unknown candidates {sorted(unknown)}; choose from {candidates.NAMES}")
    return args


def log(message: str) -> None:
    """Progress on stderr, flushed (nox shows it live)."""
    print(message, file=sys.stderr, flush=True)


def source_plan(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """The real plan to replicate, and the name of what it came from."""
    from tfproof.plan import Plan

    if args.source_plan:
        return Plan.load(args.source_plan).raw, str(args.source_plan)
    module = args.source_module or DEFAULT_SOURCE
    if not module.is_dir():
        raise SystemExit(
            f"bench: the source module {module} does not exist, so there is no real plan to "
            "replicate. Pass --source-module PATH (a root module that plans offline) or "
            "--source-plan FILE (a `terraform show -json` document)."
        )
    from tfproof.terraform.inputs import env_secret_variables
    from tfproof.terraform.planner import PlanRequest, plan_json

    log(f"planning the source module {module} (cached by content) ...")
    raw = plan_json(PlanRequest(path=module, variables=env_secret_variables()))
    try:
        name = str(module.resolve().relative_to(ROOT))
    except ValueError:
        name = str(module)
    return raw, name


def environment() -> dict[str, Any]:
    """Facts that make the numbers comparable: machine, load, versions, commit."""
    def _out(argv: list[str]) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT,
                                  check=False, timeout=120).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    checkov = _out([str(candidates.BIN / "checkov"), "--version"]).splitlines()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _out(["git", "rev-parse", "--short", "HEAD"]),
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "python": platform.python_version(),
        "checkov": checkov[-1] if checkov else "",
        "platform": platform.platform(),
    }


def bench_scans(
    args: argparse.Namespace, plans: dict[int, Path], available: list[candidates.Candidate],
) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Interleaved repetitions: per repetition, per size, every candidate once (rotated order).

    `scan` gets a fresh, empty cache directory; `scan-cached`, when selected,
    runs right after it on the cache that run left behind.
    """
    runs: dict[str, dict[int, list[dict[str, Any]]]] = {c.name: {} for c in available}
    cached = next((c for c in available if c.name == "scan-cached"), None)
    rotating = [c for c in available if c.name != "scan-cached"]

    def record(cand: candidates.Candidate, size: int, sample: Any, rep: int) -> None:
        runs[cand.name].setdefault(size, []).append(sample.to_json())
        inner = sample.extra.get("evaluate_s")
        log(
            f"  rep {rep + 1}/{args.repeat} {size:>6} res  {cand.name:11} "
            f"{sample.wall:8.2f} s  {sample.peak_rss_mib:8.1f} MiB"
            + (f"  (evaluate {float(inner):.4f} s)" if inner is not None else "")
        )

    for rep in range(args.repeat):
        for size, plan in plans.items():
            todo = [c for c in rotating if c.name == "engine" or size <= args.baseline_max]
            shift = rep % len(todo) if todo else 0
            for cand in todo[shift:] + todo[:shift]:
                if cand.name != "scan":
                    record(cand, size, cand.run(plan), rep)
                    continue
                with tempfile.TemporaryDirectory(prefix="tfproof-bench-scan-") as cache:
                    record(cand, size, cand.run(plan, Path(cache)), rep)
                    if cached is not None:
                        record(cached, size, cached.run(plan, Path(cache)), rep)
    return runs


def mutation_score(source_file: Path) -> dict[str, Any] | None:
    """The engine's mutation score on the source plan, when the engine exposes one."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("engine_child.py")), "--mutation",
         str(source_file)],
        capture_output=True, text=True, env=candidates.child_env(), cwd=ROOT, check=False,
        timeout=1800,
    )
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return {"error": lines[-1] if lines else f"exit {proc.returncode}"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    return None


def main(argv: list[str]) -> int:
    """Run every benchmark selected and write bench/results/."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop children on `kill`
    os.environ.setdefault("TFPROOF_CACHE_DIR", str(ROOT / ".cache" / "tfproof"))
    started = time.perf_counter()
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.render_only:
        results = json.loads((out_dir / "results.json").read_text())
        if (out_dir / "make-test.json").exists():
            results["make_test"] = json.loads((out_dir / "make-test.json").read_text())
            (out_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n")
        return render(results, out_dir, args.record)
    env = environment()
    raw, source_name = source_plan(args)
    base = synth.managed_count(raw)
    log(f"source plan: {source_name}, {base} managed resources")
    plan_dir = out_dir / "plans"
    source_file = plan_dir / "source.json"
    plan_dir.mkdir(parents=True, exist_ok=True)
    source_file.write_text(json.dumps(raw))
    plans = synth.write_plans(raw, args.sizes, plan_dir)
    sizes_mb = {n: round(p.stat().st_size / 1e6, 1) for n, p in plans.items()}
    log(f"synthetic plans: {', '.join(f'{n} ({mb} MB)' for n, mb in sizes_mb.items())}")

    found = candidates.discover(args.candidates)
    for cand in found:
        if not cand.available:
            log(f"candidate {cand.name} unavailable: {cand.reason}")
    available = [c for c in found if c.available]
    results: dict[str, Any] = {
        "environment": env,
        "settings": {
            "sizes": args.sizes, "repeat": args.repeat, "baseline_max": args.baseline_max,
            "source": source_name, "source_resources": base, "plan_mb": sizes_mb,
        },
        "unavailable": {c.name: c.reason for c in found if not c.available},
    }
    results["scans"] = bench_scans(args, plans, available)
    if any(c.name == "engine" for c in available):
        log("mutation score of the policy engine on the source plan ...")
        results["mutation"] = mutation_score(source_file)
    if not args.no_init:
        log("terraform init: packed provider vs plugin cache vs tfproof mirror ...")
        results["init"] = toolbench.bench_init(max(args.repeat, 3), log)
    make_file = out_dir / "make-test.json"
    if args.make_test:
        log("make test: cold (fresh cache) then warm (nothing changed) ...")
        measured = toolbench.bench_make_test(log)
        measured["date"] = env["date"]
        measured["commit"] = env["commit"]
        make_file.write_text(json.dumps(measured, indent=1) + "\n")
    if make_file.exists():
        results["make_test"] = json.loads(make_file.read_text())
    sandbox_file = out_dir / "sandbox.json"
    if args.sandbox:
        log("sandbox: apply, live checks and destroy of infra/envs/sandbox ...")
        measured = sandbox_bench.bench_sandbox(log)
        measured["date"], measured["commit"] = env["date"], env["commit"]
        sandbox_bench.record(sandbox_file, measured)
    if sandbox_file.exists():
        results["sandbox"] = json.loads(sandbox_file.read_text())
    env["loadavg_end"] = os.getloadavg()
    env["bench_seconds"] = round(time.perf_counter() - started, 1)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    render(results, out_dir, args.record)
    log(f"bench finished in {env['bench_seconds']:.0f} s")
    return 0


def render(results: dict[str, Any], out_dir: Path, record: bool) -> int:
    """Write results.md and results.png (and the README section with --record)."""
    markdown = report.markdown(results)
    (out_dir / "results.md").write_text(markdown)
    report.plot(results, out_dir / "results.png")
    print(markdown)
    if record:
        report.record(markdown, ROOT / "bench" / "README.md")
    log(f"wrote {out_dir / 'results.md'} and results.png (raw data: results.json)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
