"""The envs as thin roots of infra/stacks/platform: same resources, same values, no state lost.

Before the stack, each env called the 17 modules itself. The fixtures in
`fixtures/platform_before/` hold what both envs planned then (commit d0af5a5):
every resource address with the sha256 of its planned values and after-apply
unknowns. Mapped through the env's `moved` blocks, the plans of today must
hold the same addresses with the same digests, and every old address must be
moved (a moved block whose `from` covers it), so that applying the refactored
env to an existing state moves objects instead of destroying them.

If a change of plan rendering (redaction, provider version) ever changes the
digests, regenerate the fixtures from the envs of commit d0af5a5, not from the
current envs: they are the "before" side of the comparison.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tftest import TerraformPlanOutput

from tfproof.terraform.inputs import env_secret_variables
from tfproof_dev.tftest_plans import resources, unknown

pytestmark = pytest.mark.plan

INFRA = Path(__file__).resolve().parents[2] / "infra"
BEFORE = Path(__file__).parent / "fixtures" / "platform_before"
ENVS = ["production", "sandbox"]
EXAMPLE_ACCOUNT = "123456789012"  # AWS documentation's example account id, not a real one
VARIANTS = {"default": {}, f"account_id={EXAMPLE_ACCOUNT}": {"account_id": EXAMPLE_ACCOUNT}}
MOVED = re.compile(r"^moved\s*\{\s*from\s*=\s*(\S+)\s+to\s*=\s*(\S+)\s*\}", re.MULTILINE)
MAX_ROOT_LINES = 80


def moved_blocks(env: str) -> list[tuple[str, str]]:
    """(from, to) of every `moved` block of the env root, in file order."""
    return [m for path in sorted((INFRA / "envs" / env).glob("*.tf"))
            for m in MOVED.findall(path.read_text())]


def _last_key(address: str) -> bool:
    return address.endswith("]")


def moved_address(address: str, moves: list[tuple[str, str]]) -> str:
    """Where Terraform moves the object at `address`, following chains of moved blocks.

    `from = module.a` with `to = module.b` moves the whole call (every instance);
    with an instance key on either side it moves that one instance only.
    """
    for _ in range(len(moves) + 1):
        for source, target in moves:
            whole_call = not _last_key(source) and not _last_key(target)
            if address.startswith(source + ".") or (
                whole_call and address.startswith(source + "[")
            ):
                address = target + address[len(source):]
                break
        else:
            return address
    raise AssertionError(f"moved blocks loop at {address}")


def digest(values: dict[str, Any], after_unknown: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a resource's planned values and unknowns."""
    doc = {"values": values, "unknown": after_unknown}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def before(env: str, variant: str) -> dict[str, str]:
    return json.loads((BEFORE / f"{env}.json").read_text())["plans"][variant]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("env", ENVS)
def test_same_resources_and_values_as_before_the_stack(
    env: str, variant: str, tfplan_of: Callable[..., TerraformPlanOutput]
) -> None:
    # the sandbox replicates since the embedded server serves S3 replication; the "before"
    # side had it off by default, so that is what is compared
    then = {"enable_replication": "false"} if env == "sandbox" else {}
    plan = tfplan_of(INFRA / "envs" / env, **VARIANTS[variant], **then,
                     **env_secret_variables())
    moves = moved_blocks(env)
    expected = {moved_address(a, moves): d for a, d in before(env, variant).items()}
    # a resource whose values are all unknown has no `values` in the plan: none known
    now = {
        address: digest(r.get("values") or {}, unknown(plan, address))
        for address, r in resources(plan).items()
    }
    assert sorted(set(now) - set(expected)) == [], "resources the envs did not plan before"
    assert sorted(set(expected) - set(now)) == [], "resources the envs planned before"
    changed = sorted(a for a in now if now[a] != expected[a])
    assert changed == [], "planned values changed"


@pytest.mark.parametrize("env", ENVS)
def test_every_old_address_is_moved_into_the_stack(env: str) -> None:
    moves = moved_blocks(env)
    assert moves, f"infra/envs/{env} has no moved blocks"
    for address in before(env, "default"):
        assert moved_address(address, moves).startswith("module.platform."), (
            f"{address} is not moved: applying {env} would destroy it")


@pytest.mark.parametrize("env", ENVS)
def test_env_root_is_thin(env: str) -> None:
    root = INFRA / "envs" / env
    main = root / "main.tf"
    assert len(main.read_text().splitlines()) < MAX_ROOT_LINES
    text = main.read_text()
    assert 'source    = "../../stacks/platform"' in text
    assert re.findall(r'^module "([^"]+)"', text, re.MULTILINE) == ["platform"]
    for path in root.glob("*.tf"):
        if path != main:
            assert not re.search(r"^(module|resource|data) ", path.read_text(), re.MULTILINE), (
                f"{path.name}: modules and resources belong to the stack")


def _runs(env: str, size: int = 6) -> set[tuple[str, ...]]:
    """Every run of `size` consecutive meaningful lines (no blanks, comments, lone braces) of
    the env's own files (a linked file is the other env's, and moved.tf is one file)."""
    lines = []
    for path in sorted((INFRA / "envs" / env).glob("*.tf")):
        if path.is_symlink() or path.name == "moved.tf":
            continue
        for line in path.read_text().splitlines():
            line = " ".join(line.split("#")[0].split())
            if line and line.strip("{}[]() ,"):
                lines.append(line)
    return {tuple(lines[i : i + size]) for i in range(len(lines) - size + 1)}


def test_envs_share_no_block() -> None:
    # what both roots need alike (terraform and provider blocks, moved blocks) is one file:
    # sandbox links to production's
    envs = INFRA / "envs"
    for name in ("versions.tf", "moved.tf"):
        assert (envs / "sandbox" / name).resolve() == (envs / "production" / name).resolve()
    assert _runs("production") & _runs("sandbox") == set()
