"""`tfproof verify` against a forger who edits the seals.

A forger who edits a file can also edit its line in SHA256SUMS or its record
in manifest.json, or write paths into the seals that lead outside the bundle.
Each test plays one such move and checks that the bundle fails, that the forged
file is named under its own name, that a PROBLEM line says which seal was
edited, and that nothing outside the bundle is ever opened. The hypothesis
tests throw arbitrary edits at both seals: verify never crashes and never passes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfproof.evidence.manifest import MANIFEST, SUMS, verify

from .tamper_support import (
    copy_of,
    forge_manifest_record,
    forge_sums_line,
    manifest_of,
    opened_paths,
    problems_naming,
    sha,
    sums_of,
    write_manifest,
    write_sums,
)

# --- defect 1: a forged file is named whatever the seals say -----------------------------------

def test_forged_file_with_its_sums_line_forged_too_is_named(bundle: Path):
    forge_sums_line(bundle, "controls.csv", b"control,status\nENC-REST,passed\n")
    result = verify(bundle)
    assert not result.ok
    assert "controls.csv" in result.changed
    assert MANIFEST not in result.changed, "manifest.json blamed for a forged SHA256SUMS"
    assert SUMS in result.changed
    [problem] = problems_naming(result, "controls.csv")
    assert f"{SUMS} was edited" in problem


def test_forged_file_with_its_manifest_record_forged_too_is_named(bundle: Path):
    forge_manifest_record(bundle, "logs/pytest-output.txt", b"0 failed\n")
    result = verify(bundle)
    assert set(result.changed) == {"logs/pytest-output.txt", MANIFEST}
    [problem] = problems_naming(result, "logs/pytest-output.txt")
    assert f"{MANIFEST} was edited" in problem


def test_forged_file_with_both_records_and_the_manifest_line_forged_is_still_named(bundle: Path):
    """Only SHA256SUMS's line for the file was left: that one record is enough to name it."""
    forge_manifest_record(bundle, "controls.csv", b"forged\n", reseal=True)
    result = verify(bundle)
    assert "controls.csv" in result.changed and not result.ok


def test_sums_covering_an_added_file_names_it(bundle: Path):
    forge_sums_line(bundle, "extra.txt", b"planted\n")
    result = verify(bundle)
    assert result.unexpected == ["extra.txt"]
    assert problems_naming(result, "extra.txt") and SUMS in result.changed


def test_sums_dropping_a_deleted_file_still_names_it_missing(bundle: Path):
    (bundle / "controls.csv").unlink()
    sums = sums_of(bundle)
    del sums["controls.csv"]
    write_sums(bundle, sums)
    result = verify(bundle)
    assert result.missing == ["controls.csv"] and not result.ok


@pytest.mark.parametrize("line", [
    "not a sums line", "0" * 63 + "  controls.csv", "Z" * 64 + "  controls.csv",
    "0" * 64 + " *controls.csv", "", "0" * 64 + "  ", "0" * 64 + "  a//b",
])
def test_malformed_sums_line_is_reported(bundle: Path, line: str):
    text = (bundle / SUMS).read_text()
    (bundle / SUMS).write_text(text + line + "\n")
    result = verify(bundle)
    assert SUMS in result.changed and result.problems and not result.ok


def test_duplicate_sums_line_is_reported_and_both_records_count(bundle: Path):
    text = (bundle / SUMS).read_text()
    (bundle / SUMS).write_text(text + "0" * 64 + "  controls.csv\n")
    result = verify(bundle)
    assert "controls.csv" in result.changed
    assert any("controls.csv" in p and "line" in p for p in result.problems)


@pytest.mark.parametrize("doc", [
    "not json {", "[]", "42", '"files"', "null", '{"files": []}', '{"files": "x"}',
    '{"schema": "tfproof-manifest/1", "files": {"controls.csv": 7}}',
    '{"schema": "tfproof-manifest/1", "files": {"controls.csv": null}}',
    '{"schema": "tfproof-manifest/1", "files": {"controls.csv": ["a"]}}',
    '{"schema": "tfproof-manifest/1", "files": {"controls.csv": {"sha256": "x"}}}',
    pytest.param("[" * 100000 + "]" * 100000, id="nested-too-deep"),
    pytest.param(b"\xff\xfe{}".decode("latin-1"), id="not-utf8"),
])
def test_manifest_of_the_wrong_shape_is_reported_not_a_crash(bundle: Path, doc: str):
    (bundle / MANIFEST).write_bytes(doc.encode("latin-1"))
    (bundle / "evidence.json").write_text("{}\n")
    result = verify(bundle)
    assert MANIFEST in result.changed and not result.ok
    assert "evidence.json" in result.changed, "the other seal still names a changed file"


@pytest.mark.parametrize("escape", ["../elsewhere/secret.txt", "/etc/passwd", "a/../../x",
                                    "linked/secret.txt", "./controls.csv"])
def test_seal_paths_outside_the_bundle_are_reported_and_never_read(bundle: Path, escape: str):
    outside = bundle.parent / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret\n")
    os.symlink(outside, bundle / "linked")
    digest = sha(b"secret\n")
    sums = sums_of(bundle)
    sums[escape] = digest
    write_sums(bundle, sums)
    doc = manifest_of(bundle)
    doc["files"][escape] = digest
    write_manifest(bundle, doc, reseal=True)
    with opened_paths() as seen:
        result = verify(bundle)
    assert not result.ok
    assert problems_naming(result, escape.lstrip("./")) or escape in result.missing
    assert not [p for p in seen if "elsewhere" in p or "passwd" in p or "secret" in p], seen


# --- hypothesis: arbitrary edits of either seal never crash verify and never pass ---------------

_ESCAPES = ["../x", "/etc/passwd", "a/../b", "./evidence.json", "evidence.json", "linked/x",
            "", MANIFEST, SUMS, "new.txt", "controls.csv"]
_LINE = st.one_of(
    st.text(st.characters(blacklist_characters="\n\r"), max_size=80),
    st.builds(lambda d, p: f"{d}  {p}", st.text("0123456789abcdef", min_size=64, max_size=64),
              st.sampled_from(_ESCAPES) | st.text(max_size=20)),
)
_EDIT = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 20)),
    st.tuples(st.just("dup"), st.integers(0, 20)),
    st.tuples(st.just("replace"), st.integers(0, 20), _LINE),
    st.tuples(st.just("add"), st.integers(0, 20), _LINE),
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                  max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(_EDIT, min_size=1, max_size=4))
def test_any_edit_of_sums_fails_without_a_crash(pristine: Path, edits: list[tuple[Any, ...]]):
    original = (pristine / SUMS).read_text().splitlines()
    lines = list(original)
    for edit in edits:
        at = edit[1] % (len(lines) + 1)
        if edit[0] == "drop" and lines:
            del lines[at % len(lines)]
        elif edit[0] == "dup" and lines:
            lines.insert(at, lines[at % len(lines)])
        elif edit[0] == "replace" and lines:
            lines[at % len(lines)] = edit[2]
        elif edit[0] == "add":
            lines.insert(at, edit[2])
    with copy_of(pristine) as bundle, opened_paths() as seen:
        (bundle / SUMS).write_text("".join(f"{ln}\n" for ln in lines))
        result = verify(bundle)
    assert not [p for p in seen if "passwd" in p or "/.." in p or p.startswith("..")]
    if lines != original:
        assert not result.ok, (lines, result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_JSON, where=st.sampled_from(["whole", "files", "entry"]))
def test_any_forged_manifest_fails_without_a_crash(pristine: Path, value: Any, where: str):
    doc = manifest_of(pristine)
    if where == "whole":
        doc = value
    elif where == "files":
        doc["files"] = value
    else:
        doc["files"]["controls.csv"] = value
    with copy_of(pristine) as bundle:
        write_manifest(bundle, doc, reseal=True)  # the forger keeps SHA256SUMS consistent
        result = verify(bundle)
    assert not result.ok, (doc, result)
