"""Turn raw benchmark samples into the markdown tables, the targets verdicts and the PNG plot.

Every ratio is computed from medians of samples taken in the same run,
interleaved, so a busy machine slows both sides of a ratio alike. A target
that is missed is printed with how far it is, never hidden.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from measure import median

_START = "<!-- bench:results:start -->"
_END = "<!-- bench:results:end -->"


def summarise(results: dict[str, Any]) -> dict[str, dict[int, dict[str, float]]]:
    """Medians per candidate and size: wall, peak memory, and the engine's inner times."""
    out: dict[str, dict[int, dict[str, float]]] = {}
    for name, by_size in results.get("scans", {}).items():
        for size, samples in by_size.items():
            row = {
                "wall": median([s["wall"] for s in samples]),
                "mib": median([s["peak_rss_mib"] for s in samples]),
                "n": float(len(samples)),
            }
            for key in ("evaluate_s", "load_s", "import_s", "findings"):
                values = [s["extra"][key] for s in samples if key in s.get("extra", {})]
                if values:
                    row[key] = median(values)
            out.setdefault(name, {})[int(size)] = row
    return out


def paired(results: dict[str, Any], num: tuple[str, str], den: tuple[str, str],
           size: int) -> float | None:
    """Median over repetitions of num/den, each pair taken from the same repetition.

    Candidates of one repetition run back to back, so pairing them cancels most
    of the load other work puts on the machine between repetitions.
    """
    scans = results.get("scans", {})
    a = scans.get(num[0], {}).get(str(size)) or scans.get(num[0], {}).get(size)
    b = scans.get(den[0], {}).get(str(size)) or scans.get(den[0], {}).get(size)
    if not a or not b:
        return None

    def value(sample: dict[str, Any], key: str) -> float | None:
        if key in ("wall", "peak_rss_mib"):
            return float(sample[key])
        extra = sample.get("extra", {})
        return float(extra[key]) if key in extra else None

    ratios = []
    for x, y in zip(a, b, strict=False):
        vx, vy = value(x, num[1]), value(y, den[1])
        if vx is not None and vy:
            ratios.append(vx / vy)
    return median(ratios) if ratios else None


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _get(table: dict[str, dict[int, dict[str, float]]], name: str, size: int,
         key: str) -> float | None:
    return table.get(name, {}).get(size, {}).get(key)


def scan_table(results: dict[str, Any], table: dict[str, dict[int, dict[str, float]]]) -> list[str]:
    """The main table: one row per plan size."""
    sizes = sorted({size for by_size in table.values() for size in by_size})
    lines = [
        "| resources | checkov s | checkov MiB | engine s (evaluate) | engine s (process) "
        "| engine MiB | scan s | scan MiB | scan s (cached) | checkov ÷ engine (evaluate) "
        "| checkov ÷ engine (process) | scan ÷ checkov time | scan ÷ checkov memory |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        ck_w, ck_m = _get(table, "checkov", size, "wall"), _get(table, "checkov", size, "mib")
        en_w, en_m = _get(table, "engine", size, "wall"), _get(table, "engine", size, "mib")
        en_e = _get(table, "engine", size, "evaluate_s")
        sc_w, sc_m = _get(table, "scan", size, "wall"), _get(table, "scan", size, "mib")
        cached = _get(table, "scan-cached", size, "wall")
        r1 = paired(results, ("checkov", "wall"), ("engine", "evaluate_s"), size)
        r2 = paired(results, ("checkov", "wall"), ("engine", "wall"), size)
        r3 = paired(results, ("scan", "wall"), ("checkov", "wall"), size)
        r4 = paired(results, ("scan", "peak_rss_mib"), ("checkov", "peak_rss_mib"), size)
        lines.append(
            f"| {size:,} | {_fmt(ck_w)} | {_fmt(ck_m, 0)} | {_fmt(en_e, 3)} | {_fmt(en_w)} "
            f"| {_fmt(en_m, 0)} | {_fmt(sc_w)} | {_fmt(sc_m, 0)} | {_fmt(cached)} "
            f"| {_fmt(r1, 0) + 'x' if r1 else '-'} | {_fmt(r2, 1) + 'x' if r2 else '-'} "
            f"| {_fmt(r3) if r3 else '-'} | {_fmt(r4) if r4 else '-'} |"
        )
    return lines


def linearity(table: dict[str, dict[int, dict[str, float]]]) -> tuple[float | None, str]:
    """How much the engine's per-resource cost grows with plan size (<= 1.0: linear or better).

    The worst ratio, over every pair of sizes >= 1,000 (smaller, larger), of the
    evaluate time per resource at the larger size to that at the smaller one;
    plus the log-log slope from the smallest to the largest size (1.0 = linear).
    A falling per-resource cost (fixed costs spread over more resources) is
    linear or better, so it is not penalised.
    """
    per = {
        size: row["evaluate_s"] / size
        for size, row in table.get("engine", {}).items()
        if "evaluate_s" in row and size >= 1000
    }
    if len(per) < 2:
        return None, "needs the engine at two sizes >= 1,000"
    sizes = sorted(per)
    growth = max(per[big] / per[small] for i, small in enumerate(sizes) for big in sizes[i + 1:])
    lo, hi = sizes[0], sizes[-1]
    slope = math.log((per[hi] * hi) / (per[lo] * lo)) / math.log(hi / lo)
    detail = ", ".join(f"{size:,}: {per[size] * 1e6:.1f} µs" for size in sizes)
    return growth, f"log-log slope {slope:.2f}; evaluate time per resource {detail}"


def targets(results: dict[str, Any], table: dict[str, dict[int, dict[str, float]]]) -> list[str]:
    """The issue's numbers, each with the measured value and a verdict."""
    rows: list[tuple[str, str, str, bool | None]] = []
    n = 2000
    ck_m = _get(table, "checkov", n, "mib")
    sc_m = _get(table, "scan", n, "mib")
    r = paired(results, ("checkov", "wall"), ("engine", "evaluate_s"), n)
    rows.append(("policy engine vs stock checkov, 2,000 resources (evaluate)", ">= 100x",
                 f"{r:,.0f}x" if r else "not measured", r >= 100 if r else None))
    r = paired(results, ("checkov", "wall"), ("engine", "wall"), n)
    rows.append(("policy engine as a whole process (start-up, import, plan load) vs checkov",
                 "(info)", f"{r:,.1f}x" if r else "not measured", None))
    spread, detail = linearity(table)
    rows.append(("policy engine linear up to 10,000 resources",
                 "per-resource cost grows <= 1.5x",
                 f"{spread:.2f} ({detail})" if spread else detail,
                 spread <= 1.5 if spread else None))
    r = paired(results, ("scan", "wall"), ("checkov", "wall"), n)
    rows.append(("full `tfproof scan --plan` time vs checkov, 2,000 resources", "<= 1.00",
                 f"{r:.2f}" if r else "not measured", r <= 1.0 if r else None))
    r = paired(results, ("scan", "peak_rss_mib"), ("checkov", "peak_rss_mib"), n)
    rows.append(("full `tfproof scan --plan` peak memory vs checkov, 2,000", "<= 0.50",
                 f"{r:.2f} ({_fmt(sc_m, 0)} vs {_fmt(ck_m, 0)} MiB)" if r else "not measured",
                 r <= 0.5 if r else None))
    mt = results.get("make_test")
    if mt:
        ratio = mt["warm"]["wall"] / mt["cold"]["wall"]
        calls = mt["warm"]["terraform_plan_calls"]
        rows.append(("warm `make test` vs cold", "<= 0.25",
                     f"{ratio:.2f} ({mt['warm']['wall']:.0f} s vs {mt['cold']['wall']:.0f} s)",
                     ratio <= 0.25))
        planned = mt["warm"].get("planned_modules") or []
        measured = str(calls) + (f" ({', '.join(planned)})" if planned else "")
        if calls and mt.get("tree_changed"):
            measured += "; files changed between the runs (concurrent edits)"
        rows.append(("`terraform plan` calls in the warm `make test`", "0", measured,
                     calls == 0))
    else:
        rows.append(("warm `make test` vs cold", "<= 0.25", "not run (--make-test)", None))
    init = results.get("init", {}).get("summary", {}).get("tfproof")
    if init:
        rows.append(("`terraform init` with the mirror warm", "< 1 s",
                     f"{init['wall_median']:.2f} s", init["wall_median"] < 1.0))
        rows.append(("disk per initialised module (.terraform)", "< 1 MB",
                     f"{init['disk_bytes_median'] / 1e6:.3f} MB",
                     init["disk_bytes_median"] < 1e6))
    lines = ["| target | goal | measured | verdict |", "|---|---|---|---|"]
    for what, goal, measured, ok in rows:
        verdict = "n/a" if ok is None else ("met" if ok else "**missed**")
        lines.append(f"| {what} | {goal} | {measured} | {verdict} |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    """results.md: settings, the scan table, targets, init, make test, mutation score."""
    table = summarise(results)
    env, settings = results["environment"], results["settings"]
    lines = [
        "# tfproof benchmark results",
        "",
        f"{env['date']}, commit {env['commit']}, {env['cpus']} CPUs, Python {env['python']}, "
        f"checkov {env['checkov']}; load average {env['loadavg_start'][0]:.2f} at start, "
        f"{env.get('loadavg_end', [0])[0]:.2f} at end; {env.get('bench_seconds', 0):.0f} s.",
        f"Source plan: `{settings['source']}` ({settings['source_resources']} managed "
        f"resources), replicated to {', '.join(f'{s:,}' for s in settings['sizes'])} "
        f"resources; medians of {settings['repeat']} interleaved runs; checkov and scan up "
        f"to {settings['baseline_max']:,} resources.",
        "",
        "## Targets",
        "",
        *targets(results, table),
        "",
        "## Scan time and peak memory by plan size",
        "",
        *scan_table(results, table),
        "",
        "Times are wall seconds of a fresh child process (start-up included); \"evaluate\" is "
        "the engine's policy pass alone, timed inside its process after the plan is loaded. "
        "`scan` starts from an empty cache; `scan (cached)` repeats it with nothing changed. "
        "Ratios are medians of per-repetition pairs (both sides measured back to back). "
        "Memory is the peak resident set of the child's whole process tree.",
    ]
    for name, reason in results.get("unavailable", {}).items():
        lines.append(f"\n`{name}` was not measured: {reason}")
    if results.get("scale"):
        import scale

        lines += scale.markdown(results["scale"])
    if results.get("sandbox"):
        import sandbox_bench

        lines += sandbox_bench.markdown(results["sandbox"])
    init = results.get("init")
    if init:
        lines += [
            "",
            f"## `terraform init` of `{init['module']}` (median of "
            f"{len(next(iter(init['runs'].values())))})",
            "",
            "| provider set-up | wall s | .terraform on disk | peak MiB |",
            "|---|---:|---:|---:|",
        ]
        labels = {
            "packed": "no cache: provider zip unpacked into .terraform",
            "plugin-cache": "Terraform plugin_cache_dir, warm",
            "tfproof": "tfproof's unpacked mirror (what the suite uses)",
        }
        for name, row in init["summary"].items():
            lines.append(
                f"| {labels.get(name, name)} | {row['wall_median']:.2f} "
                f"| {row['disk_bytes_median'] / 1e6:,.3f} MB | {row['peak_rss_mib_median']:.0f} |"
            )
    mt = results.get("make_test")
    if mt:
        lines += [
            "",
            f"## `make test`, cold vs warm ({mt.get('date', '')}, commit {mt.get('commit', '')})",
            "",
            "| run | wall s | exit | terraform plan calls | plan cache hits |",
            "|---|---:|---:|---:|---:|",
        ]
        for phase in ("cold", "warm"):
            row = mt[phase]
            lines.append(
                f"| {phase} | {row['wall']:.1f} | {row['returncode']} "
                f"| {row['terraform_plan_calls']} | {row['plan_cache_hits']} |"
            )
        sessions = {}
        for phase in ("cold", "warm"):
            row = mt[phase]
            found = row.get("sessions") or [
                {"session": m.group(1), "status": m.group(2), "took": m.group(3).strip()}
                for m in re.finditer(r"^nox > \* (\S+): (\w+), took (.+)$", row.get("tail", ""),
                                     re.MULTILINE)
            ]
            sessions[phase] = {f["session"]: f"{f['took']} ({f['status']})" for f in found}
        names = list(dict.fromkeys([*sessions["cold"], *sessions["warm"]]))
        if names:
            lines += ["", "| nox session | cold | warm |", "|---|---|---|"]
            lines += [f"| {n} | {sessions['cold'].get(n, '-')} | {sessions['warm'].get(n, '-')} |"
                      for n in names]
        if mt["warm"].get("planned_modules"):
            lines.append("\nPlanned in the warm run: "
                         + ", ".join(f"`{m}`" for m in mt["warm"]["planned_modules"]) + ".")
        if mt.get("tree_changed") and mt["warm"].get("terraform_plan_calls"):
            lines.append("\nFiles under infra/, policies/, tests/ or src/ changed while these "
                         "ran (other engineers' edits): plan calls in the warm run may be theirs.")
    mutation = results.get("mutation")
    if mutation is not None:
        lines += ["", "## Mutation score of the policy engine (source plan)", ""]
        if "error" in mutation:
            lines.append(f"Not available: {mutation['error']}")
        else:
            data = mutation.get("mutation", {})
            lines.append(
                f"{data.get('caught')} of {data.get('mutants')} mutants caught "
                f"(score {data.get('score')}), {data.get('precise')} blamed on exactly the "
                f"mutated resource (precision {data.get('precision')}); "
                f"{mutation.get('seconds', 0):.1f} s."
            )
            escaped = data.get("escaped") or []
            if escaped:
                shown = ", ".join(f"`{e}`" for e in escaped[:10])
                more = f" and {len(escaped) - 10} more" if len(escaped) > 10 else ""
                lines.append(f"\nEscaped mutants: {shown}{more}.")
    return "\n".join(lines) + "\n"


def _tick(value: float, _pos: int) -> str:
    if value >= 1:
        return f"{value:,.0f}"
    return f"{value:g}"


def plot(results: dict[str, Any], path: Path) -> None:
    """results.png: time and peak memory against resource count (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import ticker

    table = summarise(results)
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=90)
    styles = {"checkov": ("tab:red", "o"), "scan": ("tab:blue", "s"),
              "engine": ("tab:green", "^"), "scan-cached": ("tab:purple", "D")}
    for name, by_size in table.items():
        colour, marker = styles.get(name, ("black", "x"))
        sizes = sorted(by_size)
        label = {"engine": "engine (process)", "scan": "tfproof scan --plan",
                 "checkov": "stock checkov",
                 "scan-cached": "tfproof scan --plan, cached"}.get(name, name)
        ax_t.plot(sizes, [by_size[s]["wall"] for s in sizes], marker=marker, color=colour,
                  label=label)
        ax_m.plot(sizes, [by_size[s]["mib"] for s in sizes], marker=marker, color=colour,
                  label=label)
        if name == "engine":
            inner = [s for s in sizes if "evaluate_s" in by_size[s]]
            ax_t.plot(inner, [by_size[s]["evaluate_s"] for s in inner], marker=marker,
                      color=colour, linestyle="--", label="engine (evaluate only)")
    for ax, title, unit in ((ax_t, "Wall time (median)", "seconds"),
                            (ax_m, "Peak memory (median)", "MiB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(ticker.FuncFormatter(_tick))
            axis.set_minor_formatter(ticker.NullFormatter())
        ax.set_xlabel("resources in plan")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"tfproof vs stock checkov ({results['environment']['cpus']} CPUs, "
                 f"{results['environment']['date']})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def record(markdown_text: str, readme: Path) -> None:
    """Replace the results section of bench/README.md with this run's tables."""
    text = readme.read_text() if readme.exists() else ""
    body = markdown_text.split("\n", 1)[1].lstrip("\n").replace("\n## ", "\n### ")
    block = f"{_START}\n{body}{_END}"
    if _START in text and _END in text:
        text = re.sub(re.escape(_START) + ".*?" + re.escape(_END), lambda _m: block, text,
                      flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## Last measured\n\n" + block + "\n"
    readme.write_text(text)
