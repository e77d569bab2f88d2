"""Caches verify what they read: a corrupted entry is discarded and recomputed, never trusted.

A cache entry decides verdicts. One that a full disk truncated, a crash
half-wrote or a person edited must neither change the verdict nor break the
next run: it is removed with a warning, recomputed, and the run after that is
quiet again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfproof import cachefile

TFPROOF = str(Path(sys.executable).parent / "tfproof")
MAIN_TF = ('resource "aws_s3_bucket" "logs" {\n  bucket = "tfproof-cache-test"\n}\n')


def scan(root: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TFPROOF_CACHE_DIR": str(cache), "TFPROOF_QUIET": "1"}
    return subprocess.run([TFPROOF, "scan", str(root), "--format", "json", *extra], env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture()
def cache(private_cache: Path) -> Path:
    return private_cache


CORRUPTIONS = {
    "truncated": lambda data: data[: len(data) // 2],
    "flipped_byte": lambda data: data[:-10] + bytes([data[-10] ^ 0x01]) + data[-9:],
    "garbage": lambda data: b"\x00\xff not a cache entry",
    "empty": lambda data: b"",
    "no_header": lambda data: data.split(b"\n", 1)[1],
}


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_every_corruption_is_discarded_by_the_one_reader(how, tmp_path, capsys):
    """Every cache (plans, checkov parts, profiles) reads through `cachefile.read_json`."""
    path = tmp_path / "entry.json"
    cachefile.write_json(path, {"format_version": "1.2", "values": list(range(50))})
    path.write_bytes(CORRUPTIONS[how](path.read_bytes()))
    assert cachefile.read_json(path) is None
    assert not path.exists()
    assert "discarded the corrupted cache entry entry.json" in capsys.readouterr().err


@pytest.mark.plan
@pytest.mark.checkov
@pytest.mark.parametrize(("kind", "how"), [
    # end to end, one corruption per cache: the reader above sees every kind of damage
    ("plans", "flipped_byte"), ("checkov", "truncated"),
])
def test_corrupted_entries_are_recomputed(kind, how, cache, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(MAIN_TF)
    extra = ("--no-checkov",) if kind == "plans" else ()
    first = scan(root, cache, *extra)
    assert first.returncode == 1, first.stderr
    entries = list((cache / kind).glob("*.json"))
    assert len(entries) == 1
    for entry in entries:  # one kind at a time: a replanned plan gets a new checkov key
        entry.write_bytes(CORRUPTIONS[how](entry.read_bytes()))
    second = scan(root, cache, *extra)
    assert second.returncode == 1, second.stderr
    assert "Traceback" not in second.stderr
    assert second.stderr.count("discarded the corrupted cache entry") == len(entries)
    assert json.loads(second.stdout)["findings"] == json.loads(first.stdout)["findings"]
    for entry in entries:  # let the hit below show in the entries' times
        os.utime(entry, (1_000_000, 1_000_000))
    third = scan(root, cache, *extra)
    assert third.returncode == 1 and "corrupted" not in third.stderr, third.stderr
    assert all(entry.stat().st_mtime > 1_000_000 for entry in entries), "a hit is not renewed"


def test_a_cache_folder_is_kept_under_its_size_least_recently_used_first(tmp_path):
    """Every pull request scanned adds entries; a restored-and-saved CI cache stays bounded."""
    for number in range(5):
        cachefile.write_json(tmp_path / f"e{number}.json", {"pad": "x" * 500})
        os.utime(tmp_path / f"e{number}.json", (1000 + number, 1000 + number))
    cachefile.touch(tmp_path / "e0.json")  # used now: the newest
    size = (tmp_path / "e1.json").stat().st_size
    assert cachefile.prune(tmp_path, since=10**12, max_bytes=2 * size) == 3
    assert sorted(p.stem for p in tmp_path.iterdir()) == ["e0", "e4"]
    assert cachefile.prune(tmp_path, since=0, max_bytes=0) == 0  # all used by this command


def test_an_entry_of_the_wrong_shape_is_rejected(tmp_path):
    """A well-sealed entry whose content the caller cannot use is discarded too."""
    path = tmp_path / "entry.json"
    cachefile.write_json(path, {"format_version": "1.2"})

    def plan_shaped(doc):
        if "planned_values" not in doc:
            raise ValueError("no planned_values")

    assert cachefile.read_json(path) == {"format_version": "1.2"}
    assert cachefile.read_json(path, check=plan_shaped) is None
    assert not path.exists()


def test_a_garbled_generated_secret_is_regenerated(monkeypatch, tmp_path):
    from tfproof.terraform.inputs import generated_secret

    monkeypatch.setenv("TFPROOF_CACHE_DIR", str(tmp_path))
    first = generated_secret("db_password")
    assert generated_secret("db_password") == first
    (tmp_path / "secrets" / "db_password").write_bytes(b"")
    second = generated_secret("db_password")
    assert second != first and second.startswith("Tp1-")
    assert oct((tmp_path / "secrets" / "db_password").stat().st_mode & 0o777) == "0o600"
