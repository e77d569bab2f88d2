"""`bench/run.py --scale`: tfproof scan at monorepo scale, beside stock checkov on the same plans.

For each size (default 2,000, 10,000 and 20,000 resources, grown from the real plan by
synth.py), in this order, each as a fresh child process (measure.py):

- `checkov`: stock `checkov -f` on the plan (the baseline of every ratio);
- `cold`: `tfproof scan --plan` with an empty cache (checkov's parts all judged);
- `warm`: the same scan again on that cache (nothing changed: no checkov at all);
- `changed`: a copy of the plan with one resource changed (a tag on one bucket), on the
  cache the cold scan left: what a pull request that touches one resource costs;
- `floor`: a checkov worker as `changed` starts it (only the mapped checks' modules,
  `tfproof.checkov.lazy`), started and stopped with no work: the least any scan that
  has one part to judge pays in a fresh process, whatever tfproof does around it.

Per size: wall seconds, seconds per 1,000 resources, the peak of the process tree's
summed resident memory (sampled) and the sum of every process's own peak (an upper
bound), and how checkov's parts were judged (from the scan's progress line). The
targets of issue 15 are computed from these, every ratio against a baseline measured
in the same run. Stock checkov needs minutes and about 2 GB at 20,000 resources: this
is a measurement to run rarely (`--repeat` defaults to 1 here), never a test.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import candidates
import measure
import synth

DEFAULT_SIZES = (2000, 10000, 20000)
GB_MIB = 1e9 / 2**20  # 1 GB (10^9 bytes) in MiB: the memory goal, read strictly
_PARTS = re.compile(r"checkov: (\d+) part\(s\) of the plan, (\d+) cached; judging (\d+) in "
                    r"(\d+) run\(s\) on (\d+) worker")


def changed_copy(plan: Path) -> Path:
    """The plan with one resource changed: a tag added to a bucket in the middle copy."""
    out = plan.with_name(plan.stem + "-changed.json")
    if out.exists() and out.stat().st_mtime >= plan.stat().st_mtime:
        return out
    raw = json.loads(plan.read_text())
    buckets = [r for r in synth._managed(raw["planned_values"]["root_module"])
               if r.get("type") == "aws_s3_bucket"]
    if not buckets:
        raise SystemExit(f"bench --scale: {plan.name} holds no aws_s3_bucket to change")
    victim = buckets[len(buckets) // 2]
    tags = {**(victim["values"].get("tags") or {}), "bench": "changed"}
    victim["values"] = {**victim["values"], "tags": tags}
    for change in raw.get("resource_changes", []):
        if change.get("address") == victim["address"] and change["change"].get("after"):
            change["change"]["after"] = {**change["change"]["after"], "tags": tags}
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(raw))
    tmp.replace(out)
    return out


def _scan(plan: Path, cache: Path) -> measure.Sample:
    env = candidates.child_env()
    env["TFPROOF_CACHE_DIR"] = str(cache)
    env.pop("TFPROOF_QUIET", None)  # the progress line says how checkov's parts were judged
    argv = candidates.Candidate("scan", True).argv(plan, cache / "report.json")
    sample = measure.run(argv, env=env, cwd=candidates.ROOT)
    if sample.returncode not in (0, 1):
        raise RuntimeError(f"tfproof scan failed on {plan.name} (exit {sample.returncode}): "
                           f"{sample.stderr.strip()[-1200:]}")
    found = _PARTS.search(sample.stderr)
    if found:
        parts, cached, judged, runs, workers = map(int, found.groups())
        sample.extra.update(parts=parts, cached=cached, judged=judged, runs=runs,
                            workers=workers)
    sample.stdout = ""
    return sample


def _floor(cache: Path) -> measure.Sample:
    """A lazy checkov worker started with the profile the cold scan cached, given no work."""
    from tfproof.checkov import cache as parts_cache
    from tfproof.checkov.pool import offline_env
    from tfproof.engine.catalog import load_checkov_map

    checks = sorted(load_checkov_map())
    found = parts_cache.read_profile(checks, "", cache / "checkov-profile")
    if found is None:
        raise RuntimeError("bench --scale: the cold scan cached no checkov profile")
    env = offline_env(candidates.child_env())  # what the pool gives its workers
    env["TFPROOF_CACHE_DIR"] = str(cache)
    argv = [sys.executable, "-m", "tfproof.checkov.worker", "--checks", ",".join(checks),
            "--modules", ",".join(found["modules"]), "--plain", ",".join(found["plain"])]
    sample = measure.run(argv, env=env, cwd=candidates.ROOT)  # stdin is /dev/null: no job
    if sample.returncode != 0 or '"ready": true' not in sample.stdout:
        raise RuntimeError(f"bench --scale: the checkov worker did not start: "
                           f"{sample.stderr.strip()[-600:]}")
    sample.stdout = ""
    return sample


def bench_scale(source: dict[str, Any], sizes: list[int], plan_dir: Path, repeat: int,
                log: Callable[[str], None]) -> dict[str, Any]:
    """Every size, `repeat` times: checkov, then cold, warm and changed scans."""
    plans = synth.write_plans(source, sizes, plan_dir)
    stock = candidates.Candidate("checkov", True)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for rep in range(repeat):
        for size in sizes:
            plan = plans[size]
            changed = changed_copy(plan)
            samples: dict[str, measure.Sample] = {"checkov": stock.run(plan)}
            with tempfile.TemporaryDirectory(prefix="tfproof-bench-scale-") as folder:
                cache = Path(folder)
                samples["cold"] = _scan(plan, cache)
                samples["warm"] = _scan(plan, cache)
                samples["changed"] = _scan(changed, cache)
                samples["floor"] = _floor(cache)
            for name, sample in samples.items():
                runs.setdefault(name, {}).setdefault(str(size), []).append(sample.to_json())
                log(f"  scale rep {rep + 1}/{repeat} {size:>6} res  {name:8} "
                    f"{sample.wall:8.2f} s  {sample.peak_rss_mib:8.1f} MiB"
                    + (f"  (parts {sample.extra['parts']}, judged {sample.extra['judged']} in "
                       f"{sample.extra['runs']} runs)" if "parts" in sample.extra else ""))
    return {"sizes": sizes, "repeat": repeat, "runs": runs}


def summary(scale: dict[str, Any]) -> dict[str, dict[int, dict[str, float]]]:
    """Medians per case and size: wall, per-1,000 cost, memory peaks, parts."""
    out: dict[str, dict[int, dict[str, float]]] = {}
    for name, by_size in scale.get("runs", {}).items():
        for size, samples in by_size.items():
            n = int(size)
            row = {"wall": measure.median([s["wall"] for s in samples]),
                   "mib": measure.median([s["peak_rss_mib"] for s in samples]),
                   "sum_mib": measure.median([s["extra"].get("sum_of_peaks_mib",
                                                             s["peak_rss_mib"])
                                              for s in samples])}
            row["per_k"] = row["wall"] / n * 1000
            for key in ("parts", "judged", "runs", "workers"):
                values = [s["extra"][key] for s in samples if key in s.get("extra", {})]
                if values:
                    row[key] = measure.median(values)
            out.setdefault(name, {})[n] = row
    return out


def _ratio(table: dict[str, dict[int, dict[str, float]]], num: str, den: str, size: int,
           key: str = "wall") -> float | None:
    a = table.get(num, {}).get(size, {}).get(key)
    b = table.get(den, {}).get(size, {}).get(key)
    return a / b if a is not None and b else None


def targets(scale: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(target, goal, measured, met) for issue 15's goals, from this run's samples."""
    table = summary(scale)
    sizes = sorted({n for rows in table.values() for n in rows})
    big, small = (max(sizes), min(sizes)) if sizes else (0, 0)
    out: list[tuple[str, str, str, bool | None]] = []
    time_ratio = _ratio(table, "cold", "checkov", big)
    out.append((f"cold scan vs stock checkov, {big:,} resources", "<= 0.30x time",
                _x(time_ratio), None if time_ratio is None else time_ratio <= 0.30))
    cold = table.get("cold", {}).get(big, {})
    peak = cold.get("mib")
    out.append((f"cold scan peak memory, {big:,} resources", f"<= 1 GB ({GB_MIB:.0f} MiB)",
                "-" if peak is None else f"{peak:,.0f} MiB (sum of per-process peaks "
                f"{cold.get('sum_mib', 0):,.0f} MiB)", None if peak is None else peak <= GB_MIB))
    flat = _ratio_of_sizes(table, "cold", big, small, "per_k") if big != small else None
    out.append((f"cold scan cost per resource, {big:,} vs {small:,}", "<= 1.10x",
                _x(flat) + _per_k(table, small, big), None if flat is None else flat <= 1.10))
    changed = _ratio(table, "changed", "cold", small)
    out.append((f"one resource changed vs cold scan, {small:,} resources", "<= 0.20x time",
                _x(changed), None if changed is None else changed <= 0.20))
    floor = _ratio(table, "floor", "cold", small)
    if floor is not None:
        out.append((f"a checkov worker's start alone vs cold scan, {small:,} resources "
                    "(the floor of `changed` in a fresh process)", "(info)", _x(floor), None))
    return out


def _ratio_of_sizes(table: dict[str, dict[int, dict[str, float]]], case: str, num: int,
                    den: int, key: str) -> float | None:
    a = table.get(case, {}).get(num, {}).get(key)
    b = table.get(case, {}).get(den, {}).get(key)
    return a / b if a is not None and b else None


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _per_k(table: dict[str, dict[int, dict[str, float]]], small: int, big: int) -> str:
    rows = table.get("cold", {})
    if small not in rows or big not in rows:
        return ""
    return (f" ({rows[small]['per_k']:.2f} vs {rows[big]['per_k']:.2f} s per 1,000 "
            "resources)")


def markdown(scale: dict[str, Any]) -> list[str]:
    """The section of results.md: targets, then one row per size and case."""
    table = summary(scale)
    lines = ["", f"## Monorepo scale ({scale.get('date', '')}, commit "
             f"{scale.get('commit', '')}; `--scale`, {scale.get('repeat', 1)} run(s) each)", "",
             "| target | goal | measured | verdict |", "|---|---|---|---|"]
    for name, goal, measured, met in targets(scale):
        verdict = "n/a" if met is None else ("met" if met else "**missed**")
        lines.append(f"| {name} | {goal} | {measured} | {verdict} |")
    lines += ["", "| resources | case | wall s | s per 1,000 | ÷ checkov time | peak MiB "
              "(tree) | Σ process peaks MiB | ÷ checkov memory | checkov parts (cached / "
              "judged, runs, workers) |", "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for size in sorted({n for rows in table.values() for n in rows}):
        for case in ("checkov", "cold", "warm", "changed", "floor"):
            row = table.get(case, {}).get(size)
            if not row:
                continue
            parts = (f"{row['parts']:.0f} ({row['parts'] - row['judged']:.0f} / "
                     f"{row['judged']:.0f}, {row['runs']:.0f}, {row['workers']:.0f})"
                     if "parts" in row else ("none started" if case in ("warm", "cold")
                                             else "-"))
            lines.append(
                f"| {size:,} | {case} | {row['wall']:.2f} | {row['per_k']:.2f} "
                f"| {_x(_ratio(table, case, 'checkov', size))} | {row['mib']:,.0f} "
                f"| {row['sum_mib']:,.0f} | {_x(_ratio(table, case, 'checkov', size, 'mib'))} "
                f"| {parts} |")
    lines += ["", "`checkov` is stock `checkov -f` on the same plan, run just before the scans "
              "of that size. `cold` starts from an empty cache, `warm` repeats it, `changed` "
              "scans the plan with one bucket's tags changed on the cache `cold` left, `floor` is "
              "a checkov worker as `changed` starts it (the mapped checks' modules only), "
              "given no work. Peak MiB "
              "is the peak of the summed resident memory of the scan's whole process tree "
              "(parent and checkov workers, sampled every 50 ms); Σ process peaks adds each "
              "process's own peak as if they all came at once (an upper bound)."]
    return lines
