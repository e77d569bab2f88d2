"""Where the bench's numbers come from: the real plan it replicates, the machine, the engine.

Kept apart from run.py (the orchestration): the source plan is planned offline through
tfproof's own cached planner; the facts recorded with every run (date, commit, CPUs,
load, versions) make numbers from different runs comparable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import candidates

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / "infra" / "envs" / "production"


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
