"""The baseline file is read fail-closed: every document is either parsed exactly or refused.

A baseline decides which failures stop a pipeline, so a malformed one must never
crash the run (a traceback is exit 2 without a reason) nor be read as holding
other failures than it lists. Hypothesis mutates valid baselines structurally
(and byte by byte) and checks each against an independent oracle: InputError,
or exactly the keys the document lists.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfproof.baseline import document
from tfproof.baseline.document import CORE, FORMAT, key_fields
from tfproof.errors import InputError
from tfproof.findings import Finding

NAMES = key_fields()
text = st.text(min_size=1, max_size=12)
scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False)
json_values = st.recursive(
    scalars | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6,
)


@st.composite
def baselines(draw) -> dict:
    """A valid baseline document (each failure once; optional key fields sometimes)."""
    rows, seen = [], set()
    for _ in range(draw(st.integers(0, 4))):
        row = {name: draw(text) for name in CORE}
        for name in NAMES:
            if name not in CORE and draw(st.booleans()):
                row[name] = draw(text)
        key = tuple(row[n] for n in NAMES if n in row)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return {"format": FORMAT, "version": 1, "failures": rows}


def _paths(node, path=()):
    """Every (path, node) of a JSON document."""
    yield path, node
    children = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*path, key))


def _replace(doc, path, value):
    if not path:
        return value
    doc = json.loads(json.dumps(doc))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return doc


@st.composite
def mutated(draw) -> object:
    """A valid baseline with one structural change somewhere."""
    doc = draw(baselines())
    nodes = list(_paths(doc))
    path, node = draw(st.sampled_from(nodes))
    kind = draw(st.sampled_from(["replace", "drop", "add", "duplicate", "wrap"]))
    if kind == "replace":
        return _replace(doc, path, draw(json_values | text))
    if kind == "drop" and isinstance(node, dict) and node:
        victim = draw(st.sampled_from(sorted(node)))
        return _replace(doc, path, {k: v for k, v in node.items() if k != victim})
    if kind == "add" and isinstance(node, dict):
        name = draw(st.sampled_from([*NAMES, "note", "Version"]) | st.text(max_size=5))
        return _replace(doc, path, {**node, name: draw(json_values | text)})
    if kind == "duplicate" and isinstance(node, list) and node:
        return _replace(doc, path, [*node, draw(st.sampled_from(node))])
    if kind == "wrap":
        return _replace(doc, path, [node])
    return doc


def oracle(doc) -> frozenset | None:
    """The keys a correct reader returns for `doc`, or None when it must refuse it."""
    if not isinstance(doc, dict) or set(doc) != {"format", "version", "failures"}:
        return None
    version = doc["version"]
    if doc["format"] != FORMAT or isinstance(version, bool) or version != 1:
        return None
    if not isinstance(doc["failures"], list):
        return None
    keys = set()
    for row in doc["failures"]:
        if not isinstance(row, dict) or not set(CORE) <= set(row) <= set(NAMES):
            return None
        if any(not isinstance(v, str) or not v for v in row.values()):
            return None
        key = tuple(row[n] for n in NAMES if n in row)
        if key in keys:
            return None
        keys.add(key)
    return frozenset(keys)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("baselines")


def _check(path: Path, doc) -> None:
    want = oracle(doc)
    try:
        got = document.read(path)
    except InputError as exc:
        assert want is None, f"a valid baseline was refused: {exc}"
        assert "\n" not in str(exc).strip() and str(exc).startswith("The baseline file")
        return
    assert want is not None, f"an invalid baseline was accepted: {doc!r}"
    assert got.keys == want


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=mutated(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_a_mutated_baseline_is_parsed_exactly_or_refused(folder, doc, encoding):
    path = folder / "mutated.json"
    path.write_bytes(json.dumps(doc).encode(encoding))
    _check(path, doc)


@settings(max_examples=100, deadline=None)
@given(doc=baselines(), data=st.data())
def test_damaged_bytes_are_refused_or_parsed_exactly(folder, doc, data):
    raw = bytearray(json.dumps(doc, ensure_ascii=False).encode())
    at = data.draw(st.integers(0, len(raw) - 1))
    raw[at] = data.draw(st.integers(0, 255))
    path = folder / "damaged.json"
    path.write_bytes(bytes(raw))
    try:
        parsed = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        with pytest.raises(InputError):
            document.read(path)
        return
    _check(path, parsed)


def _finding(resource: str, status: str = "failed", **extra) -> Finding:
    return Finding(control="ENC-REST", check="TFP_ENC_REST_S3", source="tfproof",
                   resource=resource, status=status, severity="high", message="m", **extra)


def test_written_baseline_reads_back_sorted_deterministic_and_diff_friendly(tmp_path):
    findings = [_finding("aws_s3_bucket.b"), _finding("aws_s3_bucket.a"),
                _finding("aws_s3_bucket.a"), _finding("aws_s3_bucket.c", "passed"),
                _finding("aws_s3_bucket.d", "waived"), _finding("aws_s3_bucket.e", "advisory")]
    text = document.render(findings)
    assert text == document.render(list(reversed(findings))), "order of findings leaks in"
    lines = text.splitlines()
    assert lines[4:6] == [
        '    {"check": "TFP_ENC_REST_S3", "control": "ENC-REST", "resource": "aws_s3_bucket.a"},',
        '    {"check": "TFP_ENC_REST_S3", "control": "ENC-REST", "resource": "aws_s3_bucket.b"}',
    ], "one failure a line, sorted, the duplicate once, only failures"
    (tmp_path / "b.json").write_text(text)
    assert document.read(tmp_path / "b.json").keys == {f.key for f in findings[:2]}


def test_key_fields_follow_finding_key():
    """The file names whatever identifies a finding: the probe agrees with `Finding.key`."""
    assert set(CORE) <= set(NAMES)
    finding = _finding("aws_s3_bucket.a")
    assert tuple(getattr(finding, n) for n in NAMES[: len(finding.key)]) == finding.key


@pytest.mark.parametrize(("content", "needle"), [
    (b"", "not valid JSON"),
    (b"[]", "holds an array"),
    (b'{"format": "tfproof-baseline", "version": 2, "failures": []}', "newer tfproof"),
    (b'{"format": "tfproof-baseline", "version": 0, "failures": []}', "write it again"),
    (b'{"format": "tfproof-baseline", "version": 1, "failures": [{"check": "a", '
     b'"control": "b"}]}', "failures[0] lacks resource"),
    (b'{"format": "tfproof-baseline", "version": 1, "failures": [{"check": "a", '
     b'"control": "b", "resource": "c"}, {"control": "b", "check": "a", "resource": "c"}]}',
     "the same failure twice (failures[0] and failures[1]"),
    (b'{"format": "tfproof-baseline", "version": 1, "version": 1, "failures": []}',
     "appears twice"),
    (b'{"format": "tfproof-baseline", "version": NaN, "failures": []}', "NaN"),
    (b'{"tool": "tfproof", "findings": []}', "scan report"),
    (b"\x00\x01binary", "binary data"),
    (b"\xff\xfe{\x00", "not valid"),
    (b"\xc3\x28", "not UTF-8"),
    (b"[" * 100_000, "nests JSON deeper"),
])
def test_bad_baselines_name_the_problem(tmp_path, content, needle):
    path = tmp_path / "baseline.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        document.read(path)
    assert needle in str(caught.value)


def test_folder_missing_and_unreadable_paths_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        document.read(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        document.read(tmp_path / "nope.json")
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    with pytest.raises(InputError, match="symlink to a missing file"):
        document.read(tmp_path / "link")
