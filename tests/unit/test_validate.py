"""The lint session's Terraform half: fmt -check and validate of every module, failures loud,
passes remembered by content so an unchanged tree is not validated twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfproof.terraform.workspace import Workspace
from tfproof_dev.validate import _passed_marker, main, validate_one

pytestmark = pytest.mark.plan

GOOD = '''resource "aws_sqs_queue" "this" {
  name = "tfproof-validate"
}
'''
BAD = '''resource "aws_sqs_queue" "this" {
  name       = "tfproof-validate"
  no_such_argument = true
}
'''


def test_invalid_module_fails_and_is_not_remembered(scratch_dir: Path, capsys) -> None:
    module = scratch_dir / "mod"
    module.mkdir()
    (module / "main.tf").write_text(BAD)
    error = validate_one(module)
    assert error and "no_such_argument" in error
    assert not _passed_marker(Workspace(module)).exists()
    assert main([str(scratch_dir)]) == 1
    err = capsys.readouterr().err
    assert "not formatted" in err and "INVALID" in err


def test_valid_module_passes_and_is_remembered(scratch_dir: Path) -> None:
    module = scratch_dir / "mod"
    module.mkdir()
    (module / "main.tf").write_text(GOOD)
    assert validate_one(module) is None
    assert _passed_marker(Workspace(module)).exists()
    assert main([str(scratch_dir)]) == 0
    (module / "main.tf").write_text(GOOD.replace("tfproof-validate", "tfproof-other"))
    assert not _passed_marker(Workspace(module)).exists(), "an edit must validate again"
