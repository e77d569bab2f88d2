"""Benchmarks of the tool chain around the scans: `terraform init` and `make test`.

`init` is timed on a scratch copy of one real module, three ways, interleaved:
`packed` (a filesystem mirror of the provider zip, as a plain Terraform set-up
without a plugin cache has it: the 170 MB binary is unpacked into
`.terraform` on every init), `plugin-cache` (Terraform's own plugin_cache_dir,
already filled) and `tfproof` (the project's unpacked mirror, which Terraform
links instead of copying). Disk is `du -sb` of `.terraform` (symlinks counted
as links, never followed).

`make test` is run cold (a fresh TFPROOF_CACHE_DIR) and then warm (the same
cache, nothing changed); the `terraform plan` calls come from the summary line
conftest.py prints for each pytest session.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import measure

ROOT = Path(__file__).resolve().parents[1]
_PLAN_LINE = re.compile(r"plan cache: (\d+) hits, (\d+) terraform plan calls(?: \(([^)\n]*)\))?")
_NOX_SESSION = re.compile(r"^nox > \* (\S+): (\w+), took (.+)$", re.MULTILINE)


def disk_usage(path: Path) -> int:
    """Bytes under `path` as `du -sb` counts them (apparent sizes, symlinks not followed)."""
    proc = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not proc.stdout.split():
        return 0
    return int(proc.stdout.split()[0])


def _init_module() -> Path:
    """A real module of this repo to initialise (the first with a main.tf)."""
    for candidate in ("network", "storage", "ecr", "alb"):
        path = ROOT / "infra" / "modules" / candidate
        if (path / "main.tf").is_file():
            return path
    for path in sorted((ROOT / "infra").rglob("*.tf")):
        return path.parent
    raise SystemExit("bench: no Terraform module under infra/ to time `terraform init` on")


def _cli_configs(work: Path) -> dict[str, Path]:
    from tfproof.terraform import toolchain

    zip_path = toolchain._provider_zip()
    packed = work / "packed-mirror" / "registry.terraform.io" / "hashicorp" / "aws"
    packed.mkdir(parents=True, exist_ok=True)
    link = packed / zip_path.name
    if not link.exists():
        link.symlink_to(zip_path)
    plugin_cache = work / "plugin-cache"
    plugin_cache.mkdir(exist_ok=True)
    bodies = {
        "packed": (
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path = "{work / "packed-mirror"}"\n  }}\n}}\n'
        ),
        "plugin-cache": (
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path = "{work / "packed-mirror"}"\n  }}\n}}\n'
            f'plugin_cache_dir = "{plugin_cache}"\n'
        ),
        "tfproof": toolchain.cli_config().read_text(),
    }
    out = {}
    for name, body in bodies.items():
        path = work / f"terraformrc-{name}"
        path.write_text(body)
        out[name] = path
    return out


def _one_init(module: Path, config: Path, work: Path) -> measure.Sample:
    from tfproof.terraform.hcl import OFFLINE_SETTINGS
    from tfproof.terraform.toolchain import terraform_command, terraform_env
    from tfproof.terraform.workspace import Workspace

    scratch = Path(tempfile.mkdtemp(prefix="init-", dir=work))
    try:
        workspace = Workspace(module, directory=scratch)
        workspace.materialise(OFFLINE_SETTINGS)
        env = terraform_env({"TF_CLI_CONFIG_FILE": str(config)})
        sample = measure.run(
            [*terraform_command(), "init", "-input=false", "-no-color", "-backend=false"],
            env=env,
            cwd=workspace.root,
            timeout=600,
        )
        sample.extra["terraform_dir_bytes"] = disk_usage(workspace.root / ".terraform")
        return sample
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def bench_init(repeat: int, log: Any = print) -> dict[str, Any]:
    """Time `terraform init` of one module per provider set-up, interleaved, `repeat` times."""
    module = _init_module()
    work = Path(tempfile.mkdtemp(prefix="tfproof-bench-init-"))
    try:
        configs = _cli_configs(work)
        # Fill Terraform's plugin cache once (not timed), as a warm cache would be.
        _one_init(module, configs["plugin-cache"], work)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
        for rep in range(repeat):
            for name, config in configs.items():
                sample = _one_init(module, config, work)
                if sample.returncode != 0:
                    raise SystemExit(
                        f"bench: `terraform init` ({name}) failed on {module}: "
                        f"{sample.stderr.strip()[-800:]}"
                    )
                runs[name].append(sample.to_json())
                log(
                    f"  init [{name:12}] rep {rep + 1}: {sample.wall:6.2f} s, "
                    f".terraform {sample.extra['terraform_dir_bytes'] / 1e6:8.3f} MB"
                )
        summary = {
            name: {
                "wall_median": measure.median([r["wall"] for r in samples]),
                "disk_bytes_median": measure.median(
                    [r["extra"]["terraform_dir_bytes"] for r in samples]
                ),
                "peak_rss_mib_median": measure.median([r["peak_rss_mib"] for r in samples]),
            }
            for name, samples in runs.items()
        }
        return {"module": str(module.relative_to(ROOT)), "runs": runs, "summary": summary}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def plan_calls(output: str) -> tuple[int, int]:
    """(hits, terraform plan calls) summed over every pytest session's summary line."""
    hits = calls = 0
    for match in _PLAN_LINE.finditer(output):
        hits += int(match.group(1))
        calls += int(match.group(2))
    return hits, calls


def planned_modules(output: str) -> list[str]:
    """The modules that were planned (not served from the cache), from the same lines."""
    found: list[str] = []
    for match in _PLAN_LINE.finditer(output):
        if match.group(3):
            found += [m.strip() for m in match.group(3).split(",") if m.strip()]
    return found


def nox_sessions(output: str) -> list[dict[str, str]]:
    """nox's closing summary: each session, its outcome and how long it took."""
    return [{"session": m.group(1), "status": m.group(2), "took": m.group(3).strip()}
            for m in _NOX_SESSION.finditer(output)]


def tree_state() -> str:
    """A fingerprint of the files the suite plans and tests (path, size, mtime), to tell
    whether someone changed them while the cold and warm runs were going."""
    import hashlib

    digest = hashlib.sha256()
    for top in ("infra", "policies", "tests", "src"):
        for path in sorted((ROOT / top).rglob("*")):
            skip = {".terraform", "__pycache__"} & set(path.parts)
            if path.is_file() and not skip:
                stat = path.stat()
                digest.update(f"{path.relative_to(ROOT)}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                              .encode())
    return digest.hexdigest()[:16]


def bench_make_test(log: Any = print, args: str = "", target: str = "test") -> dict[str, Any]:
    """`make test` with a fresh cache, then again with the same cache (nothing changed)."""
    make = shutil.which("make")
    if not make:
        raise SystemExit("bench: --make-test needs `make` on PATH")
    # Bring .venv up to date first so neither timed run pays for `pip install`.
    subprocess.run([make, "-C", str(ROOT), "venv"], check=True, stdout=subprocess.DEVNULL)
    cache = Path(tempfile.mkdtemp(prefix="tfproof-bench-cache-"))
    try:
        env = dict(os.environ)
        env["TFPROOF_CACHE_DIR"] = str(cache)
        env.pop("TFPROOF_STATS_FILE", None)
        argv = [make, "-C", str(ROOT), target] + ([f"ARGS={args}"] if args else [])
        out: dict[str, Any] = {"command": " ".join(["make", *argv[3:]])}
        for phase in ("cold", "warm"):
            out[f"tree_before_{phase}"] = tree_state()
            log(f"  make {target} ({phase}) ...")
            sample = measure.run(argv, env=env, cwd=ROOT, timeout=3600)
            text = sample.stdout + sample.stderr
            hits, calls = plan_calls(text)
            out[phase] = {
                "wall": sample.wall,
                "peak_rss_mib": sample.peak_rss_mib,
                "returncode": sample.returncode,
                "plan_cache_hits": hits,
                "terraform_plan_calls": calls,
                "planned_modules": planned_modules(text),
                "sessions": nox_sessions(text),
                "tail": text[-3000:],
            }
            log(
                f"  make {target} ({phase}): {sample.wall:7.1f} s, exit {sample.returncode}, "
                f"{calls} terraform plan calls, {hits} cache hits"
            )
        out["tree_after_warm"] = tree_state()
        out["tree_changed"] = len({out["tree_before_cold"], out["tree_before_warm"],
                                   out["tree_after_warm"]}) > 1
        if out["tree_changed"]:
            log("  note: files under infra/, policies/, tests/ or src/ changed during the runs "
                "(concurrent edits); warm plan calls may come from them")
        out["warm_over_cold"] = out["warm"]["wall"] / out["cold"]["wall"]
        return out
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - manual use
    sys.path.insert(0, str(Path(__file__).parent))
    print(bench_init(1))
