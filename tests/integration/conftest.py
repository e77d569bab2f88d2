"""The integration session: one apply of the sandbox env, shared by every live check.

`live_run` starts the sandbox (embedded moto by default; TFPROOF_SANDBOX=aws
for a real account), applies `infra/envs/sandbox` once, yields, and always
tears down (exceptions, Ctrl-C and SIGTERM included); a teardown that leaves
anything behind errors the session. The terminal summary names the run, what
was applied and destroyed and how long it took, and every skip reason.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tfproof.sandbox.interface import mask_account
from tfproof.sandbox.kinds import sandbox_from_settings
from tfproof.sandbox.live import LiveRun, default_root
from tfproof.sandbox.livecheck import LiveCheck
from tfproof.sandbox.runner import SandboxRun

FIXTURES = Path(__file__).parent / "fixtures"
MINI_ROOT = FIXTURES / "mini_sandbox"
_REPORT: dict[str, object] = {"checks": []}


def sandbox_root() -> Path:
    """infra/envs/sandbox; the small stand-in root only while the env does not exist yet."""
    root = default_root()
    return root if any(root.glob("*.tf")) else MINI_ROOT


def record_checks(results: list[LiveCheck]) -> None:
    """Keep results for the terminal summary."""
    _REPORT["checks"].extend(results)  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def live_run() -> Iterator[LiveRun]:
    """The applied sandbox env, torn down at the end of the session whatever happens."""
    started = time.monotonic()
    live = LiveRun(sandbox_from_settings(), sandbox_root())
    _REPORT["root"] = str(live.root)
    with live:
        _REPORT.update(run_id=live.run.run_id, kind=live.sandbox.kind,
                       account=mask_account(live.run.account_id), applied=live.run.applied,
                       apply_seconds=live.run.apply_seconds,
                       gaps=[g.skip_reason() for g in live.run.gaps])  # fmt: skip
        yield live
    report = live.teardown_report
    _REPORT.update(destroyed=report.destroyed if report else 0,
                   teardown_seconds=report.seconds if report else 0,
                   total_seconds=time.monotonic() - started)  # fmt: skip
    assert report is not None
    SandboxRun.check_clean(report)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if "run_id" not in _REPORT:
        return
    write = terminalreporter.write_line
    terminalreporter.write_sep("-", "tfproof sandbox")
    write(f"run {_REPORT['run_id']} ({_REPORT['kind']}, account {_REPORT['account']}) "
          f"on {_REPORT['root']}")
    write(f"applied {_REPORT['applied']} resources in {_REPORT['apply_seconds']:.0f}s; "
          f"destroyed {_REPORT.get('destroyed', '?')} "
          f"in {_REPORT.get('teardown_seconds', 0):.0f}s; "
          f"sandbox session {_REPORT.get('total_seconds', 0):.0f}s")
    for reason in _REPORT.get("gaps", []):  # type: ignore[union-attr]
        write(f"left out: {reason}")
    checks: list[LiveCheck] = _REPORT["checks"]  # type: ignore[assignment]
    counts = {s: sum(1 for c in checks if c.status == s) for s in ("passed", "failed", "skipped")}
    write(f"live checks: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped")
    for check in checks:
        if check.status != "passed":
            write(f"  {check.status}: {check.name} [{check.control}] {check.resource}: "
                  f"{check.detail}")
