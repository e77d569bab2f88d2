"""The attribution plugin in a real pytest run: markers, names, outcomes, typos fail closed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfproof.evidence.pytest_plugin import RESULTS_ENV, by_name, layer_of

SUITE = '''
import pytest

pytestmark = pytest.mark.control("TAGS")


@pytest.mark.control("BACKUP", "DR")
def test_marked():
    pass


def test_module_marker_only():
    assert 1 == 2


@pytest.mark.xfail(reason="known gap", strict=True)
def test_known_gap():
    assert False


@pytest.fixture()
def broken():
    raise RuntimeError("fixture broke")


def test_setup_error(broken):
    pass
'''


def _pytest(folder: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(folder), "-p", "no:cacheprovider",
         "-p", "tfproof.evidence.pytest_plugin", "-q", "--continue-on-collection-errors"],
        capture_output=True, text=True, check=False, cwd=folder,
        env={**os.environ, RESULTS_ENV: str(out), "TFPROOF_QUIET": "1"},
    )


def test_outcomes_and_attribution(tmp_path: Path):
    (tmp_path / "compliance").mkdir()
    (tmp_path / "compliance" / "test_suite.py").write_text(SUITE)
    (tmp_path / "compliance" / "test_log_retention_import_error.py").write_text(
        "import no_such_module_xyz\n")
    out = tmp_path / "results.json"
    proc = _pytest(tmp_path, out)
    assert proc.returncode == 1, proc.stdout
    payload = json.loads(out.read_text())
    tests = {t["nodeid"].split("::")[-1]: t for t in payload["tests"]}
    marked = tests["test_marked"]
    assert (marked["outcome"], marked["attribution"]) == ("passed", "marker")
    assert sorted(marked["controls"]) == ["BACKUP", "DR", "TAGS"]
    assert marked["layer"] == "policy"
    assert tests["test_module_marker_only"]["outcome"] == "failed"
    assert tests["test_module_marker_only"]["controls"] == ["TAGS"]
    assert "assert 1 == 2" in tests["test_module_marker_only"]["message"]
    assert tests["test_known_gap"]["outcome"] == "xfailed"
    assert tests["test_setup_error"]["outcome"] == "error"
    assert "fixture broke" in tests["test_setup_error"]["message"]
    broken = [t for t in payload["tests"] if "import_error" in t["nodeid"]]
    assert broken and broken[0]["outcome"] == "error"  # a module that cannot import is evidence


def test_an_unknown_control_id_is_a_usage_error(tmp_path: Path):
    (tmp_path / "test_typo.py").write_text(
        "import pytest\n\n@pytest.mark.control('ENC-RESTT')\ndef test_x():\n    pass\n")
    proc = _pytest(tmp_path, tmp_path / "results.json")
    assert proc.returncode == 4
    assert "ENC-RESTT" in proc.stderr and "not in the control catalog" in proc.stderr


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("tests/unit/test_tags.py::test_every_resource", ["TAGS"]),
        ("tests/unit/test_envs.py::test_enc_rest_on_rds", ["ENC-REST"]),
        ("tests/unit/test_envs.py::test_encryption", []),
        ("tests/unit/test_envs.py::test_address[dr]", []),  # parameters do not count
        ("tests/integration/test_iam_least.py::test_x", ["IAM-LEAST"]),
    ],
)
def test_attribution_by_name(nodeid: str, expected: list[str], controls):
    assert by_name(nodeid, {c.id for c in controls}) == expected


def test_layer_of():
    assert layer_of("tests/unit/test_x.py::t") == "plan"
    assert layer_of("tests/compliance/test_x.py::t") == "policy"
    assert layer_of("tests/integration/test_x.py::t") == "live"
