"""Plans made by other tools read the same: OpenTofu, HCP Terraform's JSON export, newer fields.

Teams give tfproof the plan JSON their own CI made. OpenTofu's `tofu show -json`
and HCP Terraform's JSON plan export follow Terraform's JSON output format
(format_version 1.x) and add members tfproof does not read: `timestamp`, `checks`
(check block and precondition results), `relevant_attributes`, and per change
`importing` (an import block), `previous_address` (a moved block) and data sources
read during plan (`mode: data`, action `read`). Each fixture here is the seed's real
plan (Terraform 1.15.5, AWS provider 3.39.0) rewritten into another tool's shape,
with that tool's version recorded in `terraform_version` as the tool writes it; the
verdicts must be exactly those of the original. A plan its tool marks incomplete
(deferred changes) or errored is refused (exit 2), never judged on what is there.

The hand-made plan roots (`fixtures/*/plan.json`: OpenTofu 1.9, an HCP Terraform export of
Terraform 1.10, AWS provider 5 and 6 shapes) go through the real command line as a user's CI
would pass them, and must name exactly the addresses their expected.yaml records.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tfproof import cli

TFPROOF = str(Path(sys.executable).parent / "tfproof")
Doc = dict[str, Any]

pytestmark = pytest.mark.plan


def scan(plan: Doc, folder: Path, name: str) -> subprocess.CompletedProcess[str]:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(plan))
    return subprocess.run([TFPROOF, "scan", "--plan", str(path), "--no-checkov", "--format",
                           "json"], capture_output=True, text=True, env=dict(os.environ),
                          timeout=300, check=False)  # fmt: skip


def verdicts(proc: subprocess.CompletedProcess[str]) -> set[tuple[str, ...]]:
    assert proc.returncode in (0, 1), proc.stderr
    return {(str(f.get("check_id") or f.get("check")), str(f.get("resource")), f["status"])
            for f in json.loads(proc.stdout)["findings"]}  # fmt: skip


def _managed_changes(plan: Doc) -> list[Doc]:
    return [c for c in plan.get("resource_changes", []) if c.get("mode") == "managed"]


def opentofu(plan: Doc) -> Doc:
    """`tofu show -json` of OpenTofu 1.8: its own version, a timestamp, check results."""
    out = copy.deepcopy(plan)
    out.update(format_version="1.2", terraform_version="1.8.5",
               timestamp="2026-12-01T10:00:00Z", applyable=True, complete=True, errored=False)
    out["checks"] = [{"address": {"kind": "resource", "mode": "managed",
                                  "to_display": c["address"], "type": c["type"],
                                  "name": c["name"]},
                      "status": "pass", "instances": []}
                     for c in _managed_changes(plan)[:3]]  # fmt: skip
    return out


def hcp_export(plan: Doc) -> Doc:
    """HCP Terraform's JSON plan export: Terraform's format, relevant attributes, timestamp."""
    out = copy.deepcopy(plan)
    out.update(timestamp="2026-12-01T10:00:00Z", applyable=True, complete=True, errored=False)
    out["relevant_attributes"] = [{"resource": c["address"], "attribute": ["tags"]}
                                  for c in _managed_changes(plan)[:5]]  # fmt: skip
    return out


def imports_moves_and_reads(plan: Doc) -> Doc:
    """Import blocks, moved blocks and a data source read during plan, as Terraform 1.5+ writes."""
    out = copy.deepcopy(plan)
    changes = _managed_changes(out)
    changes[0]["change"]["importing"] = {"id": "imported-id"}
    changes[1]["previous_address"] = changes[1]["address"].replace(".", ".old_", 1)
    out["resource_changes"].append({
        "address": "data.aws_caller_identity.tofu_read", "mode": "data",
        "type": "aws_caller_identity", "name": "tofu_read",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["read"], "before": None, "after": {}, "after_unknown": {"id": True}},
        "action_reason": "read_because_dependency_pending",
    })  # fmt: skip
    return out


SHAPES: dict[str, Callable[[Doc], Doc]] = {
    "opentofu-1.8": opentofu, "hcp-export": hcp_export,
    "imports-moves-reads": imports_moves_and_reads,
}


@pytest.fixture(scope="module")
def original(seed_plan, tmp_path_factory) -> tuple[Doc, set[tuple[str, ...]]]:
    folder = tmp_path_factory.mktemp("tools")
    found = verdicts(scan(seed_plan.raw, folder, "terraform"))
    assert found, "the seed plan produced no verdicts"
    return seed_plan.raw, found


@pytest.mark.parametrize("shape", SHAPES)
def test_another_tools_plan_gets_the_same_verdicts(shape, original, tmp_path):
    raw, expected = original
    assert verdicts(scan(SHAPES[shape](raw), tmp_path, shape)) == expected


@pytest.mark.parametrize(("marks", "words"), [
    ({"complete": False, "deferred_changes": [{"reason": "provider_config_unknown",
                                               "resource_change": {}}]}, "complete"),
    ({"errored": True}, "errored"),
])  # fmt: skip
def test_an_incomplete_or_errored_plan_is_refused(marks, words, original, tmp_path):
    plan = {**opentofu(original[0]), **marks}
    proc = scan(plan, tmp_path, "marked")
    assert proc.returncode == 2, proc.stdout
    assert words in proc.stderr and "Traceback" not in proc.stderr


# -- the hand-made plans of other tools and providers, as a user's CI would pass them -----------

FIXTURES = Path(__file__).parent / "fixtures"
PLAN_ROOTS = sorted(p.parent.name for p in FIXTURES.glob("*/plan.json")
                    if (p.parent / "expected.yaml").is_file())


@pytest.mark.parametrize("root", PLAN_ROOTS)
def test_scan_plan_names_each_fixture_address(root):
    """`tfproof scan --plan` (the CLI, in process) fails and passes exactly the addresses the
    root's expected.yaml records: what a user of another tool or provider reads."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["scan", "--plan", str(FIXTURES / root / "plan.json"), "--no-checkov",
                         "--format", "json"])
    assert code in (0, 1), err.getvalue()
    said = {(f["check"], f["resource"], f["status"]) for f in json.loads(out.getvalue())[
        "findings"] if f["source"] == "tfproof"}
    recorded = yaml.safe_load((FIXTURES / root / "expected.yaml").read_text())["findings"]
    want = {(check, address, status) for check, verdicts in recorded.items()
            for address, status in verdicts.items() if status != "unknown"}
    assert said == want, (sorted(want - said), sorted(said - want))
    assert code == (1 if any(status == "failed" for _, _, status in want) else 0)
