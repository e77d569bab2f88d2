"""checkov's own terraform_plan runner, driven in a worker process without checkov's CLI.

`checkov -f plan.json` spends most of its time and memory on things a verdict
does not need: it imports every framework (Ansible, Kubernetes, SCA ...),
parses the plan JSON with a line-tracking YAML parser (pure Python: ~15 s and
~370 MB for a 2,000-resource plan) and renders a full report. This worker
imports only the terraform_plan runner, reads the plan through checkov's own
plain-JSON path (the one checkov takes for plans over CHECKOV_MAX_IAC_FILE_SIZE,
which the worker sets to 0 unless external checks need the YAML reader's
`__file__` keys), and writes one compact record per verdict. Checks, graph and
verdicts are checkov's: tests/compliance/test_checkov_runner.py compares them
with plain `checkov -f`.

The worker is a small server, so that one import of checkov (~1 s) serves many
parts of a plan (`tfproof.checkov.pool` runs up to one per core):

    python -m tfproof.checkov.worker --checks ID,ID [--external-checks-dir D] [--profile]
                                     [--modules M,M --plain "ID module",...]

With `--modules` (from a cached profile) it imports only those check modules instead
of all ~1,400 (`tfproof.checkov.lazy`), and every check when they do not register
exactly the `--plain` checks and every requested one.

It first prints one line: `{"profile": {...}}` with `--profile` (what the checks
read: `profile`; the runner caches it), else `{"ready": true}`. Then it reads one
JSON line per job from stdin, `{"plan": PATH, "out": PATH}`, writes the verdicts
to OUT (atomically) and answers `{"done": OUT}`. End of stdin ends it with exit
0; a plan checkov cannot read ends it with exit 3 and the reason on stderr.
checkov's own prints go to stderr: stdout is the protocol.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO


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


def _registered(checks: Iterable[str]) -> tuple[list[tuple[str, Any]], list[Any]]:
    """The requested checks' objects: ((block, check) of resource, data and provider checks;
    graph checks)."""
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.terraform.checks.data.registry import data_registry
    from checkov.terraform.checks.provider.registry import provider_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    wanted = set(checks)
    plain = []
    for block, registry in (("resource", resource_registry), ("data", data_registry),
                            ("provider", provider_registry)):
        for check_list in (*registry.checks.values(), *registry.wildcard_checks.values()):
            plain += [(block, check) for check in check_list if check.id in wanted]
    graph = get_graph_checks_registry("terraform")
    graph.load_checks()
    return plain, [check for check in graph.checks if check.id in wanted]


def readable_types(checks: Iterable[str]) -> set[str] | None:
    """Resource types the given checks can read; None when one of them reads any type.

    Loads checkov's resource and graph registries (the worker needs them anyway).
    """
    return _types(*_registered(checks))


def _types(plain: list[tuple[str, Any]], graph: list[Any]) -> set[str] | None:
    types: set[str] = set()
    for _block, check in plain:
        types.update(check.supported_resources)
    for check in graph:
        types.update(getattr(check, "resource_types", None) or ())
        types.update(_solver_types(check.solver))
    if not types or any("*" in t or t in ("all", "ALL") for t in types):
        return None
    return types


def profile(checks: list[str], external: bool) -> dict[str, Any]:
    """What the checks read: the resource types (None: any), whether the plan may be split
    into its graph components (`tfproof.checkov.partition`, with the reason when not), and
    the (block, type) pairs whose resources of one name checkov couples within a file."""
    plain, graph = _registered(checks)
    types = None if external else _types(plain, graph)
    why = ""
    if external:
        why = "tfproof's own checks read the whole plan"
    elif types is None:
        why = "a check reads every resource type"
    coupled: set[tuple[str, str]] = set()
    for block, check in plain:
        source = _source(type(check))
        if not why and block == "provider":
            why = f"{check.id} judges the provider configuration, which every part holds"
        elif not why and ".graph" in source:
            why = f"{check.id} searches the whole graph"
        if "entity_path" in source:
            # checkov keys a per-check cache by file, type and name (not address): resources
            # of one name in one file share what the first of them put there
            coupled.update((block, t) for t in check.supported_resources)
    for check in graph:
        if not why and any("provider" in t for t in _solver_types(check.solver)):
            why = f"{check.id} connects to provider configurations"
    return {"types": sorted(types) if types is not None else None, "split": not why,
            "why": why, "coupled": sorted([block, t] for block, t in coupled),
            # what a later worker imports instead of every check (`tfproof.checkov.lazy`)
            "modules": sorted({type(check).__module__ for _block, check in plain}),
            "plain": sorted(_plain_keys(checks, plain, graph))}


def _plain_keys(checks: list[str], plain: list[tuple[str, Any]], graph: list[Any]) -> set[str]:
    """Each registered check as "ID module", and "ID missing" for each requested check
    registered nowhere: what a worker importing only the profile's modules must find again
    (the guard of `tfproof.checkov.lazy.load`; a profile naming fewer modules, or none,
    leaves requested checks missing and the worker loads them all)."""
    found = {check.id for _block, check in plain} | {check.id for check in graph}
    return ({f"{check.id} {type(check).__module__}" for _block, check in plain}
            | {f"{check} missing" for check in set(checks) - found})


@functools.cache
def _source(cls: type) -> str:
    """The source of a check class and the checkov classes it inherits from, but checkov's
    `BaseCheck` (which declares the attributes looked for); ".graph" when a source cannot
    be read: a check not read is not trusted."""
    texts = []
    for klass in cls.__mro__:
        module = getattr(klass, "__module__", "")
        if not module.startswith("checkov.") or module == "checkov.common.checks.base_check":
            continue
        try:
            texts.append(inspect.getsource(klass))
        except (OSError, TypeError):
            return ".graph"
    return "\n".join(texts)


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
                # sorted: checkov collects some of them in a set, whose order changes per process
                "evaluated_keys": sorted(result.get("evaluated_keys") or ()),
            })
    return out


class Unreadable(Exception):
    """checkov could not read a plan it was given: no verdict may come from it."""


def scan(plan_path: Path, checks: list[str],
         external_checks_dir: Path | None = None) -> list[dict[str, Any]]:
    """checkov's verdicts (the given checks only) on one plan file, as plain records."""
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.plan_runner import Runner

    runner_filter = RunnerFilter(framework=["terraform_plan"], checks=checks,
                                 show_progress_bar=False)
    # beside the plan: in tfproof's owned scratch folder, which goes even if this worker is
    # killed (a folder in TMPDIR would stay behind, with nobody to remove it)
    with tempfile.TemporaryDirectory(prefix="tfproof-checkov-worker-", dir=plan_path.parent):
        runner = Runner()
        try:
            report = runner.run(
                root_folder=None, files=[str(plan_path)], runner_filter=runner_filter,
                external_checks_dir=[str(external_checks_dir)] if external_checks_dir else None,
            )
        except Exception as exc:  # checkov's parser raises bare Exceptions on odd values
            raise Unreadable(f"checkov failed on {plan_path.name} (a part of the plan): "
                             f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    reports = report if isinstance(report, list) else [report]
    if any(rep.parsing_errors for rep in reports) or not runner.definitions:
        # checkov reports no verdict at all on a plan it cannot parse: never read as a pass
        raise Unreadable(f"checkov could not read {plan_path.name} (a part of the plan)")
    return [r for rep in reports for r in _records(rep)]


def serve(checks: list[str], external: Path | None, jobs: TextIO, answers: TextIO,
          describe: bool = True, only: tuple[list[str], list[str]] | None = None) -> int:
    """The worker's loop (see the module docstring); the exit status.

    `only` (check modules, the "ID module" keys of `_plain_keys` they must give):
    import just those modules (`lazy.defer()` ran first); the whole of checkov's checks
    when they give anything else.
    """
    import checkov.terraform.plan_runner  # noqa: F401 - ready before it says so (~1 s of import)

    if only is not None:
        from tfproof.checkov import lazy

        if not lazy.load(only[0], lambda: _plain_keys(checks, *_registered(checks)),
                         set(only[1])):
            print("tfproof.checkov.worker: the profile's check modules did not register its "
                  "checks; loaded all of checkov's checks instead", file=sys.stderr, flush=True)

    first = ({"profile": profile(checks, external is not None)} if describe
             else {"ready": True})
    answers.write(json.dumps(first) + "\n")
    answers.flush()
    for line in jobs:
        job = json.loads(line)
        out = Path(job["out"])
        try:
            records = scan(Path(job["plan"]), checks, external)
        except Unreadable as exc:
            print(f"tfproof.checkov.worker: {exc}", file=sys.stderr, flush=True)
            return 3
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(json.dumps(records))
        tmp.replace(out)
        answers.write(json.dumps({"done": str(out)}) + "\n")
        answers.flush()
    return 0


def _split(text: str) -> list[str]:
    return [item for item in text.split(",") if item]


def main(argv: list[str]) -> int:
    """Command line of the worker (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m tfproof.checkov.worker")
    parser.add_argument("--checks", required=True)
    parser.add_argument("--external-checks-dir", type=Path, default=None)
    parser.add_argument("--profile", action="store_true",
                        help="say what the checks read before the first job (~0.4 s)")
    parser.add_argument("--modules", default=None,
                        help="import only these check modules (from a profile)")
    parser.add_argument("--plain", default="",
                        help='the checks those modules register, "ID module" (the guard)')
    args = parser.parse_args(argv)
    if "checkov" in sys.modules:  # pragma: no cover - imported before the env was set
        raise SystemExit("tfproof.checkov.worker must start in a fresh interpreter")
    only = None
    if args.modules is not None and not args.profile:
        from tfproof.checkov import lazy

        lazy.defer()
        only = (_split(args.modules), _split(args.plain))
    if args.external_checks_dir is None:
        # checkov's own plain-JSON plan reader, which it takes for plans over this size (read
        # once, when checkov is imported): its line-tracking YAML reader costs ~15 s and ~370 MB
        # on 2,000 resources, for line numbers no built-in check reads. External checks keep
        # the YAML reader: tfproof's own checks find the plan file through its `__file__` keys.
        os.environ["CHECKOV_MAX_IAC_FILE_SIZE"] = "0"
    else:  # never inherited: a smaller value would hide the `__file__` keys they need
        os.environ.pop("CHECKOV_MAX_IAC_FILE_SIZE", None)
    # the protocol keeps the real stdout; whatever checkov prints goes to stderr
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    status = serve(_split(args.checks), args.external_checks_dir, sys.stdin, answers,
                   describe=args.profile, only=only)
    answers.flush()
    sys.stderr.flush()
    # every result is written and renamed into place: tearing down checkov's ~1,000 modules
    # would only keep the scan waiting (about a second)
    os._exit(status)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
