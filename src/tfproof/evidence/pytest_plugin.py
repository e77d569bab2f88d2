"""pytest plugin that `tfproof audit` loads into its one test run, to tie tests to controls.

Loaded with `-p tfproof.evidence.pytest_plugin`. It ties each test node to the
controls it is evidence for, so a control's verdict can name the test node ids
behind it:

- `@pytest.mark.control("ENC-REST", "BACKUP")` on a test, class or module
  (`pytestmark = pytest.mark.control("TAGS")`) names them explicitly; an ID
  that is not in the catalog is a usage error, so a typo cannot silently drop
  evidence;
- without a marker, a test whose module or function name spells a control ID
  (`test_enc_rest_*`, `test_tags.py`) is attributed by name;
- anything else is reported as "fits no control" (its failures still fail the
  audit).

The controls also go into junit.xml as `tfproof_control` properties, and every
outcome (collection errors included) is written as JSON to the file named by
`TFPROOF_TEST_RESULTS_OUT`. Progress (module, counts) goes to stderr through
`tfproof.progress`. Works with and without pytest-xdist: markers are read
where items are collected, outcomes where reports arrive.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tfproof import progress
from tfproof.evidence.model import RESULTS_ENV
from tfproof.settings import current

__all__ = ["RESULTS_ENV", "by_name", "layer_of"]

PROGRESS_EVERY = 15.0  # seconds without a progress line before the next test says one
CONTROL_PROPERTY = "tfproof_control"
ATTRIBUTION_PROPERTY = "tfproof_attribution"
_TOKEN = re.compile(r"[a-z0-9]+")


def layer_of(nodeid: str) -> str:
    """The audit layer of a test, from its folder."""
    path = nodeid.split("::", 1)[0]
    parts = Path(path).parts
    if "integration" in parts:
        return "live"
    if "compliance" in parts:
        return "policy"
    return "plan"


def by_name(nodeid: str, known: set[str]) -> list[str]:
    """Controls whose ID is spelled (as consecutive words) in the test's module or function name."""
    path, _, rest = nodeid.partition("::")
    name = Path(path).stem + " " + rest.split("[", 1)[0]
    tokens = _TOKEN.findall(name.lower())
    joined = " " + " ".join(tokens) + " "
    return sorted(
        cid for cid in known if " " + " ".join(_TOKEN.findall(cid.lower())) + " " in joined
    )


def _known_controls() -> set[str]:
    try:
        from tfproof.evidence.catalog import load_controls

        return {c.id for c in load_controls()}
    except Exception:  # the catalog is optional for plain `pytest` runs
        return set()


class _Recorder:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.total = 0
        self.current_module = ""
        self.last_said = time.monotonic()
        self.done = 0
        self.failed = 0

    def record(self, nodeid: str, **fields: Any) -> dict[str, Any]:
        if nodeid not in self.results:
            self.order.append(nodeid)
            self.results[nodeid] = {
                "nodeid": nodeid,
                "outcome": "passed",
                "layer": layer_of(nodeid),
                "controls": [],
                "attribution": "none",
                "duration": 0.0,
                "message": "",
            }
        self.results[nodeid].update(fields)
        return self.results[nodeid]


_RECORDER_KEY = pytest.StashKey[_Recorder]()


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (harmless if pyproject already does) and the recorder."""
    config.addinivalue_line(
        "markers", "control(*ids): the catalog control(s) this test is evidence for"
    )
    config.stash[_RECORDER_KEY] = _Recorder(config)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Attach each test's controls to it (they travel with its reports, also under xdist)."""
    known = _known_controls()
    unknown: list[str] = []
    for item in items:
        ids: list[str] = []
        for mark in item.iter_markers("control"):
            ids.extend(str(a) for a in mark.args)
        attribution = "marker" if ids else "none"
        if known:
            unknown.extend(f"{item.nodeid}: {i}" for i in ids if i not in known)
        if not ids and known:
            ids = by_name(item.nodeid, known)
            attribution = "name" if ids else "none"
        for cid in dict.fromkeys(ids):
            item.user_properties.append((CONTROL_PROPERTY, cid))
        item.user_properties.append((ATTRIBUTION_PROPERTY, attribution))
    if unknown:
        raise pytest.UsageError(
            "@pytest.mark.control names IDs that are not in the control catalog "
            f"(policies/catalog.yaml): {'; '.join(unknown[:20])}. Use the catalog's IDs."
        )
    config.stash[_RECORDER_KEY].total = len(items)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A module that fails to import is a failure of the evidence, never a silent gap."""
    if report.failed:
        recorder = _recorder_of(report)
        if recorder is not None:
            recorder.record(
                report.nodeid or "<collection>",
                outcome="error",
                message=_short(report),
            )


_CONFIG: list[pytest.Config] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    """Remember the config so report hooks (which get no config) can reach the recorder."""
    _CONFIG[:] = [session.config]


def _recorder_of(_report: Any) -> _Recorder | None:
    if not _CONFIG or _is_worker(_CONFIG[0]):
        return None
    return _CONFIG[0].stash.get(_RECORDER_KEY, None)


def _short(report: Any) -> str:
    text = getattr(report, "longreprtext", "") or ""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    errors = [line for line in lines if line.startswith("E ")]
    line = errors[0][2:].strip() if errors else lines[-1].strip()
    return line[:300]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Fold setup/call/teardown into one outcome per test node and show progress."""
    recorder = _recorder_of(report)
    if recorder is None:
        return
    controls = [v for k, v in report.user_properties if k == CONTROL_PROPERTY]
    attribution = next(
        (v for k, v in report.user_properties if k == ATTRIBUTION_PROPERTY), "none"
    )
    entry = recorder.record(report.nodeid, controls=controls, attribution=attribution)
    entry["duration"] = round(entry["duration"] + report.duration, 3)
    wasxfail = hasattr(report, "wasxfail")
    if report.when == "call":
        if wasxfail:
            entry["outcome"] = "xfailed" if report.skipped else "xpassed"
        else:
            entry["outcome"] = report.outcome
        if report.failed or report.skipped:
            entry["message"] = _short(report) or str(getattr(report, "wasxfail", ""))
    elif report.failed:
        entry["outcome"] = "error"
        entry["message"] = f"{report.when}: {_short(report)}"
    elif report.skipped and report.when == "setup":
        entry["outcome"] = "xfailed" if wasxfail else "skipped"
        longrepr = report.longrepr
        if isinstance(longrepr, tuple) and len(longrepr) == 3:
            entry["message"] = str(longrepr[2])[:300]
    if report.when == "teardown":
        recorder.done += 1
        if entry["outcome"] in ("failed", "error", "xpassed"):
            recorder.failed += 1
        module = report.nodeid.split("::", 1)[0]
        # a line per file, and one per test where a file runs long (the live module examples)
        stale = time.monotonic() - recorder.last_said > PROGRESS_EVERY
        if module != recorder.current_module or stale:
            recorder.current_module = module
            recorder.last_said = time.monotonic()
            total = f"/{recorder.total}" if recorder.total else ""
            progress.say(
                f"tests [{layer_of(report.nodeid)}] {module}: {recorder.done}{total} run, "
                f"{recorder.failed} failed"
            )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write every outcome for the audit to roll up."""
    recorder = _recorder_of(session)
    target = current().test_results_out
    if recorder is None or not target:
        return
    progress.say(f"tests: {recorder.done} run, {recorder.failed} failed")
    payload = {
        "exitstatus": int(exitstatus),
        "collected": recorder.total,
        "tests": [recorder.results[n] for n in recorder.order],
    }
    Path(target).write_text(json.dumps(payload, indent=1))
