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
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import candidates
import report
import sandbox_bench
import scale
import synth
import toolbench
from sources import environment, mutation_score, source_plan

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_SIZES = "100,1000,2000,5000,10000"
DEFAULT_BASELINE_MAX = 5000


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
    parser.add_argument("--repeat", type=int, default=None,
                        help="repetitions (median; default 3, --scale phase 1)")
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
    parser.add_argument("--scale", action="store_true",
                        help="also scan 2,000/10,000/20,000 resources cold, warm and with one "
                        "resource changed, each beside stock checkov (~15 min; results/scale.json)")
    parser.add_argument("--scale-only", action="store_true",
                        help="only the --scale phase; the rest of results.md from results.json")
    parser.add_argument("--scale-sizes", type=_sizes, default=None,
                        help="sizes of the --scale phase (default 2000,10000,20000)")
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
    args.repeat_given = args.repeat is not None
    if args.repeat is None:
        args.repeat = 3
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.scale = args.scale or args.scale_only
    args.scale_sizes = args.scale_sizes or list(scale.DEFAULT_SIZES)
    args.candidates = tuple(c.strip() for c in args.candidates.split(",") if c.strip())
    unknown = set(args.candidates) - set(candidates.NAMES)
    if unknown:
        parser.error(f"unknown candidates {sorted(unknown)}; choose from {candidates.NAMES}")
    return args


def log(message: str) -> None:
    """Progress on stderr, flushed (nox shows it live)."""
    print(message, file=sys.stderr, flush=True)


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
    if args.scale_only:
        return scale_only(args, env, raw, out_dir, started)
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
    scale_file = out_dir / "scale.json"
    if args.scale:
        measure_scale(args, env, raw, out_dir)
    if scale_file.exists():
        results["scale"] = json.loads(scale_file.read_text())
    env["loadavg_end"] = os.getloadavg()
    env["bench_seconds"] = round(time.perf_counter() - started, 1)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    render(results, out_dir, args.record)
    log(f"bench finished in {env['bench_seconds']:.0f} s")
    return 0


def measure_scale(args: argparse.Namespace, env: dict[str, Any], raw: dict[str, Any],
                  out_dir: Path) -> dict[str, Any]:
    """The --scale phase, kept in results/scale.json (shown until --scale runs again)."""
    log(f"scale: {', '.join(f'{n:,}' for n in args.scale_sizes)} resources, stock checkov "
        "then tfproof scan cold, warm and with one resource changed ...")
    repeat = args.repeat if args.repeat_given else 1
    measured = scale.bench_scale(raw, args.scale_sizes, out_dir / "plans", repeat, log)
    measured.update(date=env["date"], commit=env["commit"], cpus=env["cpus"],
                    loadavg_start=env["loadavg_start"], loadavg_end=os.getloadavg())
    (out_dir / "scale.json").write_text(json.dumps(measured, indent=1) + "\n")
    for line in scale.markdown(measured):
        log(line)
    return measured


def scale_only(args: argparse.Namespace, env: dict[str, Any], raw: dict[str, Any],
               out_dir: Path, started: float) -> int:
    """--scale-only: measure the scale phase, re-render results.md around the last run."""
    measured = measure_scale(args, env, raw, out_dir)
    previous = out_dir / "results.json"
    if not previous.exists():
        log(f"scale: results in {out_dir / 'scale.json'} (no results.json to render around)")
        return 0
    results = json.loads(previous.read_text())
    results["scale"] = measured
    previous.write_text(json.dumps(results, indent=1) + "\n")
    log(f"scale phase finished in {time.perf_counter() - started:.0f} s")
    return render(results, out_dir, args.record)


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
