"""checkov's own terraform_plan runner, driven in a worker process without checkov's CLI.

`checkov -f plan.json` spends most of its time and memory on things a verdict
does not need: it imports every framework (Ansible, Kubernetes, SCA ...),
parses the plan JSON with a line-tracking YAML parser (pure Python: ~15 s and
~370 MB for a 2,000-resource plan) and renders a full report. This worker
imports only the terraform_plan runner, reads the plan through checkov's own
plain-JSON path (the one checkov takes for plans over CHECKOV_MAX_IAC_FILE_SIZE,
which the worker sets to 0 unless external checks need the YAML reader's
`__file__` keys), hands checkov only the resource types the
requested checks can read (resource checks: their supported types; graph
checks: every type their solvers name, connected types included), and writes
one compact record per verdict. Checks, graph and verdicts are checkov's:
tests/compliance/test_checkov_runner.py compares them with plain `checkov -f`.

Run as `python -m tfproof.checkov.worker PLAN OUT --checks ID,ID [--external-checks-dir D]
[--keep-types T,T]`; exit 0 when OUT was written.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def _solver_types(solver: Any) -> Iterator[str]:
    """Every resource type a graph check's solver (and its sub-solvers) looks at or connects."""
    for name in ("resource_types", "connected_resources_types", "targeted_resources_types",
                 "vertices_under_resource_types", "vertices_under_connected_resources_types"):
        value = getattr(solver, name, None)
        if isinstance(value, str):
            yield value
        elif isinstance(value, (list, set, tuple, frozenset)):
            yield from (v for v in value if isinstance(v, str))
    for sub in getattr(solver, "solvers", None) or ():
        yield from _solver_types(sub)


def readable_types(checks: Iterable[str]) -> set[str] | None:
    """Resource types the given checks can read; None when one of them reads any type.

    Loads checkov's resource and graph registries (the worker needs them anyway).
    """
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.terraform.checks.data.registry import data_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    wanted = set(checks)
    types: set[str] = set()
    for registry in (resource_registry, data_registry):
        for check_list in (*registry.checks.values(), *registry.wildcard_checks.values()):
            for check in check_list:
                if check.id in wanted:
                    types.update(check.supported_resources)
    graph = get_graph_checks_registry("terraform")
    graph.load_checks()
    for check in graph.checks:
        if check.id in wanted:
            types.update(getattr(check, "resource_types", None) or ())
            types.update(_solver_types(check.solver))
    if not types or any("*" in t or t in ("all", "ALL") for t in types):
        return None
    return types


def trim_plan(raw_plan: dict[str, Any], types: set[str]) -> dict[str, Any]:
    """The plan with only managed resources of `types` (data sources and configuration stay whole).

    Addresses are unchanged, and references between kept resources still
    resolve; prior state and drift go (checkov's plan runner reads neither).
    """
    def keep(item: dict[str, Any]) -> bool:
        return item.get("mode") != "managed" or item.get("type") in types

    def module(mod: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in mod.items() if k not in ("resources", "child_modules")}
        out["resources"] = [r for r in mod.get("resources", []) if keep(r)]
        out["child_modules"] = [module(c) for c in mod.get("child_modules", [])]
        return out

    trimmed = {k: v for k, v in raw_plan.items()
               if k not in ("prior_state", "relevant_attributes", "resource_drift")}
    planned = raw_plan.get("planned_values", {})
    trimmed["planned_values"] = {**planned,
                                 "root_module": module(planned.get("root_module", {}))}
    trimmed["resource_changes"] = [c for c in raw_plan.get("resource_changes", []) if keep(c)]
    return trimmed


def _records(report: Any) -> list[dict[str, Any]]:
    out = []
    for passed, records in ((True, report.passed_checks), (False, report.failed_checks)):
        for record in records:
            result = record.check_result or {}
            out.append({
                "check": record.check_id,
                "name": record.check_name or "",
                "resource": record.resource_address or record.resource or "",
                "passed": passed,
                "evaluated_keys": list(result.get("evaluated_keys") or ()),
            })
    return out


def scan(
    plan_path: Path, checks: list[str], external_checks_dir: Path | None = None,
    keep_types: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """checkov's verdicts (mapped checks only) on one plan file, as plain records."""
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.plan_runner import Runner

    runner_filter = RunnerFilter(framework=["terraform_plan"], checks=checks,
                                 show_progress_bar=False)
    types = None if external_checks_dir else readable_types(checks)
    # beside the plan: in tfproof's owned scratch folder, which goes even if this worker is
    # killed (a folder in TMPDIR would stay behind, with nobody to remove it)
    with tempfile.TemporaryDirectory(prefix="tfproof-checkov-worker-",
                                     dir=plan_path.parent) as tmp:
        target = plan_path
        if types is not None:
            raw = json.loads(plan_path.read_text())
            target = Path(tmp) / plan_path.name
            target.write_text(json.dumps(trim_plan(raw, types | set(keep_types))))
            del raw
            gc.collect()
        report = Runner().run(
            root_folder=None, files=[str(target)], runner_filter=runner_filter,
            external_checks_dir=[str(external_checks_dir)] if external_checks_dir else None,
        )
    reports = report if isinstance(report, list) else [report]
    return [r for rep in reports for r in _records(rep)]


def main(argv: list[str]) -> int:
    """Command line of the worker (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m tfproof.checkov.worker")
    parser.add_argument("plan", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--checks", required=True)
    parser.add_argument("--external-checks-dir", type=Path, default=None)
    parser.add_argument("--keep-types", default="")
    args = parser.parse_args(argv)
    if "checkov" in sys.modules:  # pragma: no cover - imported before the env was set
        raise SystemExit("tfproof.checkov.worker must start in a fresh interpreter")
    if args.external_checks_dir is None:
        # checkov's own plain-JSON plan reader, which it takes for plans over this size (read
        # once, when checkov is imported): its line-tracking YAML reader costs ~15 s and ~370 MB
        # on 2,000 resources, for line numbers no built-in check reads. External checks keep
        # the YAML reader: tfproof's own checks find the plan file through its `__file__` keys.
        os.environ["CHECKOV_MAX_IAC_FILE_SIZE"] = "0"
    records = scan(args.plan, [c for c in args.checks.split(",") if c],
                   args.external_checks_dir,
                   [t for t in args.keep_types.split(",") if t])
    args.out.write_text(json.dumps(records))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
