"""Shared fixtures: the toolchain, plans of the project's envs and modules, the cache report.

Plans are session-scoped and come from the content-hashed plan cache, so an
unchanged module costs no `terraform plan`; the summary line at the end says
how many plans were served from the cache and how many were planned.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import tftest
from tftest import TerraformPlanOutput as TfPlan

from tfproof.plan import Plan
from tfproof.terraform.inputs import env_secret_variables
from tfproof.terraform.planner import PlanRequest, plan_json
from tfproof_dev.tftest_plans import terraform_binary, tftest_plan

ROOT = Path(__file__).resolve().parent
INFRA = ROOT / "infra"
ENVS = ("production", "sandbox")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TFPROOF_CACHE_DIR", str(ROOT / ".cache" / "tfproof"))
    # pytest-terraform (loaded by entry point) runs `terraform` from PATH unless told, and
    # refuses to start without one: it gets the bundled binary, as tftest does
    if hasattr(config.option, "dest_tf_binary") and not config.option.dest_tf_binary:
        config.option.dest_tf_binary = terraform_binary()
    if "TFPROOF_STATS_FILE" not in os.environ and not hasattr(config, "workerinput"):
        handle, path = tempfile.mkstemp(prefix="tfproof-stats-", suffix=".jsonl")
        os.close(handle)
        os.environ["TFPROOF_STATS_FILE"] = path
        config._tfproof_stats = path  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    """The stats file goes whatever ended the run (an interrupted one never reaches the
    terminal summary)."""
    path = getattr(config, "_tfproof_stats", None)
    if path:
        Path(path).unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    path = getattr(config, "_tfproof_stats", None)
    if not path or not os.path.exists(path):
        return
    events = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    if not events:
        return
    planned = [e for e in events if e["event"] == "plan"]
    hits = [e for e in events if e["event"] == "hit"]
    terminalreporter.write_sep("-", "tfproof plan cache")
    terminalreporter.write_line(
        f"plan cache: {len(hits)} hits, {len(planned)} terraform plan calls"
        + (f" ({', '.join(sorted({e['module'] for e in planned}))})" if planned else "")
    )


@pytest.fixture(scope="session")
def plan_json_of() -> Callable[..., dict]:
    """The plan JSON of a root module: made by tftest on a miss, kept in tfproof's plan cache."""
    memo: dict[tuple[str, tuple[tuple[str, str], ...]], dict] = {}

    def _plan(path: Path | str, **variables: str) -> dict:
        key = (str(path), tuple(sorted(variables.items())))
        if key not in memo:
            request = PlanRequest(path=Path(path), variables=variables)
            memo[key] = plan_json(request, produce=tftest_plan)
        return memo[key]

    return _plan


@pytest.fixture(scope="session")
def plan_of(plan_json_of: Callable[..., dict]) -> Callable[..., Plan]:
    """The engine's `Plan` of a root module (policy tests); `plan_of(path, **variables)`."""
    memo: dict[int, Plan] = {}

    def _plan(path: Path | str, **variables: str) -> Plan:
        raw = plan_json_of(path, **variables)
        if id(raw) not in memo:
            memo[id(raw)] = Plan(raw, name=str(path), checked=True)
        return memo[id(raw)]

    return _plan


@pytest.fixture(scope="session")
def tfplan_of(plan_json_of: Callable[..., dict]) -> Callable[..., tftest.TerraformPlanOutput]:
    """tftest's `TerraformPlanOutput` of a root module (plan tests); same cache as `plan_of`."""
    memo: dict[int, tftest.TerraformPlanOutput] = {}

    def _plan(path: Path | str, **variables: str) -> tftest.TerraformPlanOutput:
        raw = plan_json_of(path, **variables)
        if id(raw) not in memo:
            memo[id(raw)] = tftest.TerraformPlanOutput(raw)
        return memo[id(raw)]

    return _plan


@pytest.fixture(scope="session")
def env_tfplan(tfplan_of: Callable[..., TfPlan]) -> Callable[[str], TfPlan]:
    """tftest's plan of `infra/envs/<name>` with its generated secret inputs."""

    def _env(name: str) -> tftest.TerraformPlanOutput:
        return tfplan_of(INFRA / "envs" / name, **env_secret_variables())

    return _env


@pytest.fixture(scope="session")
def env_plan(plan_of: Callable[..., Plan]) -> Callable[[str], Plan]:
    """The offline plan of `infra/envs/<name>` with its generated secret inputs."""

    def _env(name: str) -> Plan:
        return plan_of(INFRA / "envs" / name, **env_secret_variables())

    return _env


@pytest.fixture(scope="session")
def production_plan(env_plan: Callable[[str], Plan]) -> Plan:
    return env_plan("production")


@pytest.fixture(scope="session")
def sandbox_plan(env_plan: Callable[[str], Plan]) -> Plan:
    return env_plan("sandbox")


@pytest.fixture()
def scratch_dir() -> Iterator[Path]:
    """A temporary directory removed after the test."""
    with tempfile.TemporaryDirectory(prefix="tfproof-test-") as name:
        yield Path(name)


@pytest.fixture()
def private_cache(tmp_path: Path) -> Path:
    """A fresh TFPROOF_CACHE_DIR for one test that shares only the provider mirror.

    The provider is an input unpacked from a wheel, not something tfproof writes: linking
    the shared mirror saves unpacking 170 MB per test, and leaves every cache a test looks
    at (plans, checkov, run records, state) its own and cold.
    """
    from tfproof.terraform.toolchain import provider_mirror

    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "providers").symlink_to(provider_mirror(), target_is_directory=True)
    return cache
