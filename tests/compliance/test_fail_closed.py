"""Fail closed: every unusable input is exit 2 with one paragraph, never a pass or a traceback.

Each case is a document or file a real CI produces by accident. The CLI runs as a
user runs it (a subprocess of the installed `tfproof`), on the seed's real plan.
"""

from __future__ import annotations

import codecs
import json
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

TFPROOF = str(Path(sys.executable).parent / "tfproof")


def tfproof(*args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TFPROOF, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})}, cwd=cwd, check=False)


def assert_refused(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2, one paragraph on stderr that starts with `tfproof:`, nothing on stdout."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.startswith("tfproof:")]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle.lower() in proc.stderr.lower(), proc.stderr


@pytest.fixture(scope="module")
def seed_doc(seed_plan) -> dict:
    return json.loads(json.dumps(seed_plan.raw))


def _without(doc: dict, *path: str) -> dict:
    out = json.loads(json.dumps(doc))
    target = out
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return out


def _with(doc: dict, path: tuple, value: object) -> dict:
    out = json.loads(json.dumps(doc))
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


DOCUMENTS = {
    "state": (lambda d: {"format_version": "1.0", "terraform_version": "1.15.5",
                         "values": {"root_module": {"resources": []}}}, "state"),
    "only_format_version": (lambda d: {"format_version": "1.2"}, "planned_values is missing"),
    "errored": (lambda d: _with(d, ("errored",), True), "errored"),
    "incomplete": (lambda d: _with(d, ("complete",), False), "incomplete"),
    "no_planned_values": (lambda d: _without(d, "planned_values"), "planned_values"),
    "planned_values_list": (lambda d: _with(d, ("planned_values",), []), "planned_values"),
    "planned_values_null": (lambda d: _with(d, ("planned_values",), None), "planned_values"),
    "root_module_null": (lambda d: _with(d, ("planned_values", "root_module"), None),
                         "root_module"),
    "resources_null": (lambda d: _with(d, ("planned_values", "root_module", "resources"), None),
                       "resources"),
    "resource_changes_object": (lambda d: _with(d, ("resource_changes",), {}),
                                "resource_changes"),
    "configuration_string": (lambda d: _with(d, ("configuration",), "x"), "configuration"),
    "format_version_2": (lambda d: _with(d, ("format_version",), "2.0"), "format_version"),
    "format_version_number": (lambda d: _with(d, ("format_version",), 1.2), "format_version"),
    "top_level_list": (lambda d: [d], "array"),
    "top_level_null": (lambda d: None, "null"),
}


@pytest.mark.plan
@pytest.mark.parametrize("case", sorted(DOCUMENTS))
def test_unusable_documents_are_refused(case, seed_doc, tmp_path):
    make, needle = DOCUMENTS[case]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(make(seed_doc)))
    assert_refused(tfproof("scan", "--plan", str(path), "--no-checkov"), needle)


@pytest.mark.plan
def test_a_resource_without_address_names_the_field(seed_doc, tmp_path):
    doc = json.loads(json.dumps(seed_doc))
    del doc["planned_values"]["root_module"]["resources"][0]["address"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    assert_refused(tfproof("scan", "--plan", str(path), "--no-checkov"),
                   "planned_values.root_module.resources[0]", "address is missing")


@pytest.mark.plan
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be-bom", "utf-32"])
def test_bom_encodings_read_like_utf8(encoding, seed_doc, tmp_path):
    """PowerShell writes UTF-16 LE with a BOM: same verdict as the UTF-8 original."""
    text = json.dumps(seed_doc)
    plain, other = tmp_path / "plain.json", tmp_path / "other.json"
    plain.write_text(text, encoding="utf-8")
    if encoding == "utf-16-be-bom":
        other.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    else:
        other.write_bytes(text.encode(encoding))
    expected = tfproof("scan", "--plan", str(plain), "--no-checkov", "--format", "json")
    got = tfproof("scan", "--plan", str(other), "--no-checkov", "--format", "json")
    assert expected.returncode == got.returncode == 1, got.stderr
    assert json.loads(got.stdout)["findings"] == json.loads(expected.stdout)["findings"]


def _binary_plan(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tfplan", b"\x00binary")


BYTES = {
    "binary_plan_zip": (_binary_plan, "binary plan"),
    "random_binary": (lambda p: p.write_bytes(bytes(range(256)) * 4), "binary"),
    "utf16_without_bom": (lambda p: p.write_bytes('{"format_version": "1.2"}'.encode("utf-16-le")),
                          "binary"),
    "latin1": (lambda p: p.write_bytes('{"format_version": "1.2", "x": "é"}'.encode("latin-1")),
               "not UTF-8"),
    "empty_file": (lambda p: p.write_bytes(b""), "not valid JSON"),
    "truncated": (lambda p: p.write_text('{"format_version": "1.2", "planned_values": {'),
                  "not valid JSON"),
    "nan": (lambda p: p.write_text('{"format_version": "1.2", "x": NaN}'), "NaN"),
    "deep_nesting": (lambda p: p.write_text("[" * 200000 + "]" * 200000), "deeper"),
}


@pytest.mark.parametrize("case", sorted(BYTES))
def test_undecodable_bytes_are_refused(case, tmp_path):
    make, needle = BYTES[case]
    path = tmp_path / "plan.json"
    make(path)
    assert_refused(tfproof("scan", "--plan", str(path), "--no-checkov"), needle)


def test_odd_files_are_refused_without_opening_them(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere.json")
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    sock_path = tmp_path / "s.json"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        for path, needle in ((fifo, "named pipe"), (folder, "directory"),
                             (dangling, "symlink to a missing file"), (loop, "symlink loop"),
                             (sock_path, "socket"), (Path("/dev/zero"), "character device")):
            assert_refused(tfproof("scan", "--plan", str(path), "--no-checkov"), needle)
    finally:
        server.close()


@pytest.mark.plan
def test_empty_plan_says_nothing_was_judged(seed_doc, tmp_path):
    doc = json.loads(json.dumps(seed_doc))
    doc["planned_values"]["root_module"] = {}
    doc["resource_changes"] = []
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    proc = tfproof("scan", "--plan", str(path), "--no-checkov", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "nothing was judged" in proc.stderr
    assert any("nothing was judged" in n for n in json.loads(proc.stdout)["notes"])


@pytest.mark.plan
@pytest.mark.parametrize("where", ["missing_folder", "is_folder", "proc", "fifo"])
def test_unwritable_output_is_exit_2_before_any_work(where, seed_doc, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(seed_doc))
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    target = {"missing_folder": tmp_path / "no" / "such" / "out.json", "is_folder": tmp_path,
              "proc": Path("/proc/tfproof-report.json"), "fifo": fifo}[where]
    proc = tfproof("scan", "--plan", str(path), "--no-checkov", "--output", str(target))
    assert_refused(proc)


def test_usage_errors_and_help_keep_their_codes():
    assert tfproof("--help").returncode == 0
    assert_refused(tfproof("scan", "--format", "pdf"), "invalid choice")
    assert_refused(tfproof("frobnicate"), "invalid choice")


def test_a_bug_is_exit_2_with_a_scrubbed_crash_report(monkeypatch, tmp_path):
    """The boundary itself: a handler that raises is a tfproof bug, reported, never exit 1."""
    import contextlib
    import io

    import tfproof.commands.verify as verify_command
    from tfproof import cli
    from tfproof.secrets import scrub

    secret = "Crash-Secret-4711"

    def broken(args):
        raise RuntimeError(f"boom while holding {secret}")

    monkeypatch.setenv("TFPROOF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(verify_command, "run", broken)
    scrub.remember(secret)
    try:
        for debug in ("0", "1"):
            monkeypatch.setenv("TFPROOF_DEBUG", debug)
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = cli.main(["verify", str(tmp_path)])
            text = err.getvalue()
            assert code == 2
            assert "internal error: RuntimeError" in text and "bug in tfproof" in text
            assert ("Traceback" in text) == (debug == "1")
            assert secret not in text
        reports = list((tmp_path / "cache" / "crash").iterdir())
        assert reports and all("Traceback" in r.read_text() for r in reports)
        assert not any(secret in r.read_text() for r in reports)
    finally:
        scrub.forget_all()


@pytest.mark.plan
def test_terraform_diagnostics_are_scrubbed(tmp_path):
    """Terraform prints a non-sensitive variable's value in its error; stderr must not."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        'variable "api_token" {\n  type = string\n  validation {\n'
        '    condition     = length(var.api_token) < 5\n'
        '    error_message = "too long"\n  }\n}\n'
        'variable "db_pass" {\n  type      = string\n  sensitive = true\n  default   = "x"\n}\n'
        'output "o" {\n  value = tonumber(var.api_token)\n}\n'
    )
    secret = "Tok-Planted-99317"
    proc = tfproof("scan", str(root), "--no-checkov", "--var", f"api_token={secret}",
                   "--var", "db_pass=Pass-Planted-55821")
    assert_refused(proc)
    assert secret not in proc.stderr and "Pass-Planted-55821" not in proc.stderr
    assert "**REDACTED**" in proc.stderr  # the message still says where the value was
