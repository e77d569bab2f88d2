"""What the layers of an audit produce, before it is rolled up per control (`evidence.rollup`).

The layers, the statuses a control and a test can have, a pytest test node with
the controls it is evidence for, one environment's scan, and everything the
layers produced together. A live check is the sandbox's own `LiveCheck`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tfproof.findings import ScanReport
from tfproof.sandbox.livecheck import LiveCheck
from tfproof.settings import env_name

LAYERS: tuple[str, ...] = ("plan", "policy", "live")
LAYER_TITLES = {
    "plan": "plan assertions (tests/unit)",
    "policy": "checkov + custom policies",
    "live": "live checks on the sandbox",
}
CONTROL_STATUSES: tuple[str, ...] = ("failed", "waived", "passed", "not_checked")
TEST_FAILURES = frozenset({"failed", "error", "xpassed"})
TEST_PASSES = frozenset({"passed"})
# Where the audit's pytest run writes its outcomes and where a test run may write
# live checks (read back by `tfproof.evidence.pytest_run` and `tfproof.evidence.live`).
RESULTS_ENV = env_name("test_results_out")
LIVE_CHECKS_ENV = env_name("live_checks_out")


@dataclass
class TestResult:
    """One pytest test node and the controls it is evidence for."""

    __test__ = False  # not a pytest test class, despite the name

    nodeid: str
    outcome: str  # passed, failed, error, skipped, xfailed, xpassed
    layer: str  # plan, policy or live (from the test's folder)
    controls: list[str] = field(default_factory=list)
    duration: float = 0.0
    message: str = ""
    attribution: str = "none"  # marker, name or none

    def to_json(self) -> dict[str, Any]:
        """The test's entry in evidence.json."""
        data: dict[str, Any] = {
            "nodeid": self.nodeid,
            "outcome": self.outcome,
            "layer": self.layer,
            "controls": self.controls,
            "attribution": self.attribution,
            "duration": round(self.duration, 3),
        }
        if self.message:
            data["message"] = self.message
        return data


@dataclass
class EnvScan:
    """The policy layer's result on one environment's plan."""

    env: str
    target: str
    plan_file: str  # path inside the bundle
    resources: int
    report: ScanReport


@dataclass
class LayerInputs:
    """Everything the layers produced, before it is rolled up."""

    scans: list[EnvScan] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    live_checks: list[LiveCheck] = field(default_factory=list)
    waivers: list[dict[str, Any]] = field(default_factory=list)
    layers_run: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pytest_exit: int | None = None
