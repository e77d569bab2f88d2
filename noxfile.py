"""Sessions: lint, unit, compliance, integration, evidence, layers (all four), audit, bench.

They run in the project's own .venv (`make` creates it), so nox never
re-installs checkov or the provider per session. `session.posargs` go to
pytest (or to the command) unchanged.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "unit", "compliance"]
PY = sys.executable


def _pytest(session: nox.Session, *paths: str) -> None:
    session.run(PY, "-m", "pytest", *paths, *session.posargs, external=True)


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    """ruff, the import contracts, terraform fmt -check and terraform validate of every module."""
    session.run(PY, "-m", "ruff", "check", ".", external=True)
    # the layers of pyproject.toml [tool.importlinter] (also tests/unit/test_architecture.py)
    session.run(str(Path(PY).with_name("lint-imports")), "--no-logo", external=True)
    session.run(PY, "-m", "tfproof_dev.validate", "infra", *session.posargs, external=True)


@nox.session(venv_backend="none")
def unit(session: nox.Session) -> None:
    """Plan-JSON assertions on every module and env."""
    # two workers: cold, the layer is bound by `terraform plan` subprocesses (79 s -> 58 s
    # measured on 2 cores); warm, it costs the same either way
    _pytest(session, "-n", "2", "tests/unit")


@nox.session(venv_backend="none")
def compliance(session: nox.Session) -> None:
    """checkov and the custom policies on infra/ and on pass/fail fixtures."""
    # two workers: each test that counts leftovers does so in its own TMPDIR and cache
    _pytest(session, "-n", "2", "tests/compliance")


@nox.session(venv_backend="none")
def integration(session: nox.Session) -> None:
    """Apply the sandbox env to the embedded moto server (or a real sandbox), check, destroy."""
    # an unchanged layer that passed in full is replayed, not re-applied (tfproof_dev.testcache)
    session.run(PY, "-m", "tfproof_dev.testcache", "integration", "--", *session.posargs,
                external=True)


@nox.session(venv_backend="none")
def evidence(session: nox.Session) -> None:
    """The audit bundle: schema, hashes, compare, redaction, report rendering."""
    _pytest(session, "tests/evidence")


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


@nox.session(venv_backend="none")
def layers(session: nox.Session) -> None:
    """Every test layer; integration runs beside unit, compliance and evidence."""
    # the integration layer mostly waits (the provider's fixed polling delays, bounded waits
    # for alarms and replicas) while the others keep both cores busy: side by side, `make
    # test` takes about the integration layer's time instead of the sum of all four
    cache = Path(os.environ.get("TFPROOF_CACHE_DIR", ".cache/tfproof"))
    cache.mkdir(parents=True, exist_ok=True)
    log_path = cache / "integration-layer.log"
    session.log(f"integration layer started beside the others; its output: {log_path}")
    with open(log_path, "w") as log:
        # its own process group, stopped as a whole with SIGINT below: pytest (controller and
        # xdist workers) turns SIGINT into KeyboardInterrupt and runs every teardown, where a
        # SIGTERM to the controller alone left the workers' sandboxes to `sandbox cleanup`
        background = subprocess.Popen(
            [PY, "-m", "tfproof_dev.testcache", "integration", "--", *session.posargs],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        try:
            unit(session)
            compliance(session)
            evidence(session)
            session.log("waiting for the integration layer ...")
            code = background.wait()
        finally:
            if background.poll() is None:  # a failed layer or Ctrl-C: stop it, with teardown
                session.log("stopping the integration layer (its teardown runs) ...")
                _signal_group(background.pid, signal.SIGINT)
                try:
                    background.wait(timeout=600)  # destroying an applied env takes minutes
                except subprocess.TimeoutExpired:
                    _signal_group(background.pid, signal.SIGKILL)
                    background.wait()
            print(log_path.read_text(errors="replace"), end="", flush=True)
    if code:
        session.error(f"the integration layer failed (exit {code}); its output is above")


@nox.session(venv_backend="none")
def audit(session: nox.Session) -> None:
    """Run every layer and write the evidence bundle under reports/."""
    session.run(PY, "-m", "tfproof.cli", "audit", "--out", "reports", *session.posargs,
                external=True)


@nox.session(venv_backend="none")
def bench(session: nox.Session) -> None:
    """Benchmarks against stock checkov and an uncached run; writes bench/results/."""
    session.run(PY, "bench/run.py", *session.posargs, external=True)
