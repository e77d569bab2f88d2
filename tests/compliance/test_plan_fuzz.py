"""Structural mutations of a real plan: never a traceback, never a pass on an invalid plan.

hypothesis drops, nulls and retypes members anywhere in the seed's real plan
JSON, truncates the text and re-encodes it, then runs `tfproof scan` in this
process (the same `cli.main` the executable calls). The oracle for "invalid" is
independent of the reader under test: the plan's JSON Schema checked by the
`jsonschema` library (tfproof itself uses fastjsonschema), plus the documents
Terraform itself marks unusable.
"""

from __future__ import annotations

import contextlib
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfproof import cli

SCHEMA = json.loads(resources.files("tfproof").joinpath("data/plan.schema.json").read_text())
ORACLE = jsonschema.Draft7Validator(SCHEMA)
OTHER_TYPES = [None, 0, 1.5, "x", True, [], {}]


def usable(doc: Any) -> bool:
    """What a usable plan is, judged without tfproof's reader."""
    return (
        isinstance(doc, dict)
        and not (isinstance(doc.get("values"), dict) and "planned_values" not in doc)
        and doc.get("errored") is not True
        and doc.get("complete") is not False
        and ORACLE.is_valid(doc)
    )


def paths(doc: Any, prefix: tuple = (), depth: int = 0) -> list[tuple]:
    """Every member path of `doc` down to a depth where the reader still cares."""
    out = []
    if depth > 7:
        return out
    items = (doc.items() if isinstance(doc, dict)
             else enumerate(doc[:3]) if isinstance(doc, list) else [])
    for key, value in items:
        out.append((*prefix, key))
        out.extend(paths(value, (*prefix, key), depth + 1))
    return out


def mutate(doc: Any, path: tuple, op: str, value: Any) -> Any:
    out = json.loads(json.dumps(doc))
    parent = out
    for key in path[:-1]:
        parent = parent[key]
    if op == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


def scan(path: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["scan", "--plan", str(path), "--no-checkov", "--format", "json"])
    return code, err.getvalue()


def check(code: int, stderr: str, must_refuse: bool) -> None:
    assert code in (0, 1, 2), code
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    if must_refuse:
        assert code == 2, "an unusable plan was judged"
    if code == 2:
        assert stderr.startswith("tfproof: "), stderr


@pytest.fixture(scope="module")
def seed_raw(seed_plan) -> dict:
    return json.loads(json.dumps(seed_plan.raw))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


FUZZ = settings(max_examples=400, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.mark.plan
@FUZZ
@given(data=st.data())
def test_structural_mutations(seed_raw, workdir, data):
    candidates = paths(seed_raw)
    path = data.draw(st.sampled_from(candidates), label="path")
    op = data.draw(st.sampled_from(["drop", "retype"]), label="op")
    value = data.draw(st.sampled_from(OTHER_TYPES), label="value") if op == "retype" else None
    doc = mutate(seed_raw, path, op, value)
    target = workdir / "mutated.json"
    target.write_text(json.dumps(doc))
    code, stderr = scan(target)
    check(code, stderr, must_refuse=not usable(doc))


@pytest.mark.plan
@FUZZ
@given(data=st.data())
def test_truncated_and_reencoded_text(seed_raw, workdir, data):
    text = json.dumps(seed_raw)
    how = data.draw(st.sampled_from(["truncate", "utf-16", "utf-8-sig", "utf-16-le", "garble"]))
    target = workdir / "text.json"
    if how == "truncate":
        cut = data.draw(st.integers(min_value=0, max_value=len(text) - 1), label="cut")
        target.write_text(text[:cut])
        must_refuse = True
    elif how == "garble":
        at = data.draw(st.integers(min_value=0, max_value=len(text) - 1), label="at")
        byte = data.draw(st.integers(min_value=0x80, max_value=0xFF), label="byte")
        raw = text.encode()
        target.write_bytes(raw[:at] + bytes([byte]) + raw[at:])
        must_refuse = True  # a lone high byte is never valid UTF-8
    else:
        target.write_bytes(text.encode(how))
        must_refuse = how == "utf-16-le"  # no BOM: refused, not guessed
    code, stderr = scan(target)
    check(code, stderr, must_refuse)
    if how in ("utf-16", "utf-8-sig"):
        assert code == 1, stderr  # the seed's own failures, read through the BOM
