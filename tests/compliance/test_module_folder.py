"""The user's module folder is read, never trusted: odd files neither hang nor crash a scan.

Only regular files are read. A non-regular or unresolvable file that Terraform
would read (`*.tf`, `*.tf.json`) refuses the scan (exit 2): skipping it would
judge a configuration that is not the user's. Anything else odd (a named pipe
for data, a socket, a dangling link to a note) is skipped with a warning, since
Terraform never reads it either unless the configuration names it, and then
the plan itself fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

TFPROOF = str(Path(sys.executable).parent / "tfproof")
MAIN_TF = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'


def scan(root: Path) -> subprocess.CompletedProcess[str]:
    # a hang is the failure this guards against: the timeout turns it into a test failure
    return subprocess.run([TFPROOF, "scan", str(root), "--no-checkov", "--format", "json"],
                          capture_output=True, text=True, timeout=240, check=False)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    (folder / "files").mkdir(parents=True)
    (folder / "main.tf").write_text(MAIN_TF)
    return folder


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "missing-target")


def _loop(path: Path) -> None:
    path.symlink_to(path)


REFUSED = {
    "fifo_tf": ("extra.tf", _fifo, "named pipe"),
    "dangling_tf": ("extra.tf", _dangling, "missing"),
    "loop_tf": ("extra.tf", _loop, "loop"),
    "fifo_tf_json": ("extra.tf.json", _fifo, "named pipe"),
    "symlink_to_fifo_tf": ("extra.tf", lambda p: (_fifo(p.parent / "pipe"),
                                                  p.symlink_to(p.parent / "pipe")), "named pipe"),
}


@pytest.mark.plan
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unreadable_configuration_files_refuse_the_scan(case, root):
    name, make, needle = REFUSED[case]
    make(root / name)
    proc = scan(root)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and needle in proc.stderr, proc.stderr
    assert name in proc.stderr


SKIPPED = {
    "fifo_data": ("files/data.txt", _fifo),
    "dangling_note": ("notes.md.link", _dangling),
    "loop_data": ("files/loop", _loop),
    "dir_loop": ("files/sub", lambda p: p.symlink_to(p.parent)),
}


@pytest.mark.plan
@pytest.mark.parametrize("case", sorted(SKIPPED))
def test_odd_files_elsewhere_are_skipped_with_a_warning(case, root):
    name, make = SKIPPED[case]
    make(root / name)
    proc = scan(root)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    if case != "dir_loop":  # a symlinked folder is simply not descended (like Terraform)
        assert "warning" in proc.stderr and Path(name).name in proc.stderr, proc.stderr


@pytest.mark.plan
def test_a_socket_in_the_folder_is_skipped(root):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(root / "files" / "agent.sock"))
    try:
        proc = scan(root)
    finally:
        server.close()
    assert proc.returncode in (0, 1), proc.stderr
    assert "agent.sock" in proc.stderr and "socket" in proc.stderr


@pytest.mark.plan
def test_a_symlinked_shared_file_is_followed(root, tmp_path):
    """`providers.tf -> ../common/providers.tf` is common: its target is read like a file."""
    common = tmp_path / "common"
    common.mkdir()
    (common / "extra.tf").write_text('resource "aws_sqs_queue" "r" {\n  name = "r"\n}\n')
    (root / "extra.tf").symlink_to(common / "extra.tf")
    proc = scan(root)
    assert proc.returncode in (0, 1), proc.stderr
    assert "aws_sqs_queue.r" in proc.stdout
