"""The audit's pytest run takes the module examples' live tests when it applies the sandbox."""

from __future__ import annotations

from pathlib import Path

from tfproof.evidence.layers import LIVE_MODULE_TESTS, AuditRequest
from tfproof.evidence.pytest_run import test_paths as audit_test_paths

ROOT = Path(__file__).resolve().parents[2]


def _request(layers: list[str], apply_sandbox: bool = True) -> AuditRequest:
    return AuditRequest(root=ROOT, targets=[], layers=layers, sandbox="embedded",
                        apply_sandbox=apply_sandbox)  # fmt: skip


def test_the_live_layer_runs_the_module_examples_live_tests():
    assert (ROOT / LIVE_MODULE_TESTS).is_file()
    assert audit_test_paths(_request(["plan", "policy", "live"])) == [
        "tests/unit", "tests/compliance", LIVE_MODULE_TESTS]


def test_no_module_example_is_applied_without_the_live_layer_or_the_sandbox():
    assert audit_test_paths(_request(["plan", "policy"])) == ["tests/unit", "tests/compliance"]
    assert LIVE_MODULE_TESTS not in audit_test_paths(_request(["live"], apply_sandbox=False))


def test_the_audit_runs_its_tests_on_xdist_workers_unless_told_otherwise():
    from tfproof.evidence.pytest_run import parallel_args

    live = ["tests/unit", "tests/compliance", LIVE_MODULE_TESTS]
    assert parallel_args(live, []) == ["-n", "3", "--dist", "loadgroup"]
    assert parallel_args(["tests/unit"], []) == ["-n", "2", "--dist", "loadgroup"]
    for chosen in (["-n", "0"], ["-n4"], ["--dist=load"], ["-p", "no:xdist"]):
        assert parallel_args(live, chosen) == [], chosen
