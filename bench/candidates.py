"""The three things timed side by side on each synthetic plan, each as a fresh child process.

- `checkov`: stock checkov on the plan file, exactly as a user would run it
  without tfproof (all built-in checks, no network, no update check).
- `engine`: tfproof's policy engine alone, in a fresh interpreter that loads
  the plan and evaluates every policy (bench/engine_child.py); besides the
  child's wall time, the child reports the evaluation time alone.
- `scan`: the full `tfproof scan --plan PLAN.json` (checkov, policies,
  controls), with an empty TFPROOF_CACHE_DIR, so checkov really runs;
- `scan-cached`: the same command right after, with the cache the cold run
  left (nothing changed: checkov's verdicts come from the content-hashed cache).

A candidate whose code has not landed in this checkout is reported as
unavailable with the reason, never replaced by something else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import measure

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NAMES = ("checkov", "engine", "scan", "scan-cached")


def child_env() -> dict[str, str]:
    """Environment for every timed child: offline, no update checks, our cache dir."""
    env = dict(os.environ)
    env["CKV_SKIP_PACKAGE_UPDATE_CHECK"] = "true"
    env["BC_SKIP_MAPPING"] = "TRUE"
    env["CHECKOV_RUN_SCA_PACKAGE_SCAN_V2"] = "false"
    env.pop("BC_API_KEY", None)
    env.setdefault("TFPROOF_CACHE_DIR", str(ROOT / ".cache" / "tfproof"))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class Candidate:
    """One measured command line builder."""

    name: str
    available: bool
    reason: str = ""

    def argv(self, plan: Path, report: Path | None = None) -> list[str]:
        """The command that scans `plan`."""
        if self.name == "checkov":
            return [
                str(BIN / "checkov"), "-f", str(plan), "--framework", "terraform_plan",
                "--skip-download", "--quiet", "--compact", "-o", "json",
            ]
        if self.name == "engine":
            return [sys.executable, str(Path(__file__).with_name("engine_child.py")), str(plan)]
        return [
            str(BIN / "tfproof"), "scan", "--plan", str(plan),
            "--format", "json", "--output", str(report or os.devnull),
        ]

    def run(self, plan: Path, cache: Path | None = None) -> measure.Sample:
        """Run once; exit 0 or 1 (findings) is a valid scan, anything else an error.

        `cache` is the TFPROOF_CACHE_DIR the child gets (the scans' checkov cache).
        """
        env = child_env()
        report = None
        if cache is not None:
            env["TFPROOF_CACHE_DIR"] = str(cache)
            report = cache / f"report-{self.name}.json"
        sample = measure.run(self.argv(plan, report), env=env, cwd=ROOT)
        if sample.returncode not in (0, 1):
            raise RuntimeError(
                f"{self.name} failed on {plan.name} (exit {sample.returncode}): "
                f"{(sample.stderr or sample.stdout).strip()[-1200:]}"
            )
        if self.name == "engine":
            sample.extra.update(_last_json_line(sample.stdout))
        elif self.name == "checkov":
            sample.extra.update(_checkov_summary(sample.stdout))
        elif report is not None and report.exists():
            summary = json.loads(report.read_text()).get("summary", {})
            sample.extra.update({f"scan_{k}": v for k, v in summary.items()})
        sample.stdout = ""
        return sample


def _last_json_line(text: str) -> dict[str, object]:
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return dict(json.loads(line))
            except json.JSONDecodeError:
                continue
    raise RuntimeError(f"engine child printed no result line: {text[-500:]}")


def _checkov_summary(text: str) -> dict[str, object]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return {}
    reports = data if isinstance(data, list) else [data]
    summary: dict[str, object] = {}
    for report in reports:
        for key, value in report.get("summary", {}).items():
            if isinstance(value, int):
                summary[key] = int(summary.get(key, 0)) + value  # type: ignore[arg-type]
    return {"checkov_" + k: v for k, v in summary.items()}


def _probe(argv: list[str]) -> tuple[bool, str]:
    proc = subprocess.run(
        argv, capture_output=True, text=True, env=child_env(), cwd=ROOT, check=False
    )
    if proc.returncode == 0:
        return True, ""
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return False, lines[-1] if lines else f"exit {proc.returncode}"


def discover(wanted: tuple[str, ...] = NAMES) -> list[Candidate]:
    """Which candidates this checkout can run (checked once, before any timing)."""
    out: list[Candidate] = []
    for name in wanted:
        if name == "checkov":
            ok = (BIN / "checkov").exists()
            out.append(Candidate(name, ok, "" if ok else "checkov is not installed in .venv"))
        elif name == "engine":
            ok, why = _probe(
                [sys.executable, str(Path(__file__).with_name("engine_child.py")), "--probe"]
            )
            out.append(Candidate(name, ok, why))
        elif name in ("scan", "scan-cached"):
            ok, why = _probe([str(BIN / "tfproof"), "scan", "--help"])
            out.append(Candidate(name, ok, "" if ok else f"`tfproof scan` not available: {why}"))
    return out
