"""Locating a finding's `.tf` line reads only regular, bounded files (a pipe must not hang)."""

from __future__ import annotations

import os
import threading

import pytest

from tfproof.engine.index import PlanIndex
from tfproof.engine.locate import Locator
from tfproof.errors import InputError
from tfproof.plan import Plan

PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.15.5",
    "planned_values": {"root_module": {"resources": [{
        "address": "aws_s3_bucket.docs", "mode": "managed", "type": "aws_s3_bucket",
        "name": "docs", "values": {"bucket": "docs"},
    }]}},
    "configuration": {"root_module": {}},
}


def _locate(root) -> object:
    """locate() in a thread: a regression that blocks on a pipe fails the test, not the run."""
    box: list[object] = []

    def work() -> None:
        try:
            box.append(Locator(root, PlanIndex(Plan(PLAN))).locate("aws_s3_bucket.docs"))
        except InputError as exc:
            box.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(10)
    assert box, "locating blocked (it opened a pipe)"
    return box[0]


def test_the_resource_line_is_found(tmp_path):
    (tmp_path / "main.tf").write_text('\n\nresource "aws_s3_bucket" "docs" {\n}\n')
    file, line = _locate(tmp_path)
    assert file.endswith("main.tf") and line == 3


def test_a_pipe_named_like_a_tf_file_is_refused_not_read(tmp_path):
    os.mkfifo(tmp_path / "a.tf")
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "docs" {\n}\n')
    found = _locate(tmp_path)
    assert isinstance(found, InputError) and "a.tf" in str(found)


def test_an_oversized_tf_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("tfproof.terraform.tree.MAX_TF_FILE_BYTES", 16)
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "docs" {\n}\n')
    found = _locate(tmp_path)
    assert isinstance(found, InputError) and "larger than" in str(found)


@pytest.mark.parametrize("data", [b"\xff\xfe\x00bad", b"resource \xc3("])
def test_undecodable_bytes_do_not_stop_locating(tmp_path, data):
    (tmp_path / "other.tf").write_bytes(data)
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "docs" {\n}\n')
    file, line = _locate(tmp_path)
    assert file.endswith("main.tf") and line == 1
