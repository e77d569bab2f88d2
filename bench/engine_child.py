"""Child process for the `engine` candidate: load one plan, run tfproof's policies, report times.

Run as `python bench/engine_child.py PLAN.json`; prints one JSON line with the
time to import the engine, to load the plan, and to evaluate every policy
(the number the 100x target is about), and how many findings came out.
`--probe` only checks that the engine is importable; `--mutation PLAN.json`
prints the engine's mutation score on that plan instead.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _engine() -> tuple[Callable[[Any], Any], str]:
    """The engine's one-pass entry point, `evaluate(plan) -> result with .findings`."""
    import importlib

    for module_name in ("tfproof.engine.run", "tfproof.engine"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # the engine itself is not in this checkout
            raise
        func = getattr(module, "evaluate", None)
        if callable(func):
            return func, f"{module_name}.evaluate"
    raise ImportError("no tfproof.engine.run.evaluate(plan) in this checkout")


def _count(result: Any) -> int:
    if hasattr(result, "findings"):
        result = result.findings
    try:
        return len(result)
    except TypeError:
        return sum(1 for _ in result)


def main(argv: list[str]) -> int:
    """Time one engine pass over one plan, in this fresh interpreter."""
    started = time.perf_counter()
    try:
        evaluate, name = _engine()
    except ImportError as exc:
        print(f"engine not available in this checkout: {exc}", file=sys.stderr)
        return 3
    imported = time.perf_counter()
    if argv and argv[0] == "--probe":
        print(json.dumps({"entry": name}))
        return 0
    if argv and argv[0] == "--mutation":
        from tfproof.plan import Plan
        from tfproof_dev import mutation

        plan = Plan.load(Path(argv[1]))
        t0 = time.perf_counter()
        score = mutation.score(plan)
        data = score if isinstance(score, dict) else {"score": score}
        if hasattr(score, "__dict__") and not isinstance(score, dict | float | int):
            data = {k: v for k, v in vars(score).items() if not k.startswith("_")}
        print(json.dumps({"mutation": data, "seconds": time.perf_counter() - t0}, default=str))
        return 0
    from tfproof.plan import Plan

    plan = Plan.load(Path(argv[0]))
    _ = plan.resources  # parse once: loading is not policy evaluation
    loaded = time.perf_counter()
    result = evaluate(plan)
    findings = _count(result)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "entry": name,
                "import_s": imported - started,
                "load_s": loaded - imported,
                "evaluate_s": done - loaded,
                "findings": findings,
                "resources": len(plan.resources),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
