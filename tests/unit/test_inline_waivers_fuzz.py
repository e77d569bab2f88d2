"""Inline waivers mutated structurally: a correct parse or a problem, never a silent waive.

Each example writes one `tfproof:waive` comment from parts (subject, fields in
any order, values quoted three ways or badly, dates valid or not, comment style,
placement) and computes independently what it should mean. The reader must
then either return exactly that waiver (fields as written, on its own block) or
report a problem (the scan's exit 2); a waiver from a malformed comment, or no
waiver and no problem, fails the test. Arbitrary text must never crash it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfproof.engine.catalog import known_ids
from tfproof.waivers.hcl_comments import HclError, layout
from tfproof.waivers.inline import Source, read_source

KNOWN = known_ids()
SUBJECTS = {"BACKUP": ("BACKUP", None), "TFP_BACKUP_S3_VERSIONING":
            (None, "TFP_BACKUP_S3_VERSIONING"), "BAKUP": None, "": None}
VALID_PLACES = ("above", "above_run", "inside", "header")
PLACES = (*VALID_PLACES, "blank_gap", "after_attr")
INVALID = object()
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FAST = settings(max_examples=400, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

clean = st.text(alphabet="abcXYZ09-_.", min_size=1, max_size=8)
values = st.one_of(clean, clean, st.text(alphabet="abcXYZ09 \"'-_.\\", max_size=10))
dates = st.sampled_from(["2099-12-31", "2020-01-01", "2099-12-31", "2099-02-30", "2099-1-1", "",
                         "soon", "2099-12-31T00:00"])
styles = st.sampled_from(["bare", "bare", "double", "single", "broken"])
keys = st.sampled_from(["reason", "owner", "expires", "target", "ownr", "resource"])


def render(value: str, style: str) -> tuple[str, object]:
    """The value as written, and what a correct reader makes of it (INVALID: a problem)."""
    if style == "bare":
        bad = not value or any(c.isspace() or c in "\"'" for c in value)
        return value, INVALID if bad else value
    if style == "double":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"', value
    if style == "single":
        return f"'{value}'", INVALID if "'" in value else value
    return '"' + value, INVALID  # an unclosed quote


def valid_field(name: str, value: object) -> bool:
    if not isinstance(value, str):
        return False
    if name == "reason":
        return bool(value.strip())
    if name == "expires":
        if not _DATE.fullmatch(value):
            return False
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return bool(value) and value == value.strip()


@st.composite
def waivers(draw):
    """A complete waiver, then a few structural mutations (each may or may not break it)."""
    subject = draw(st.sampled_from(["BACKUP", "BACKUP", "TFP_BACKUP_S3_VERSIONING", "BAKUP", ""]))
    fields = [("reason", draw(values), draw(styles), ""), ("owner", draw(values), draw(styles), ""),
              ("expires", "", draw(styles), draw(dates))]
    if draw(st.booleans()):
        fields.append(("target", draw(values), draw(styles), ""))
    for _ in range(draw(st.integers(0, 2))):  # drop, add or repeat a field
        if fields and draw(st.booleans()):
            fields.pop(draw(st.integers(0, len(fields) - 1)))
        else:
            fields.append((draw(keys), draw(values), draw(styles), draw(dates)))
    fields = draw(st.permutations(fields))
    style = draw(st.sampled_from(["#", "//", "/*"]))
    place = draw(st.sampled_from((*VALID_PLACES, *PLACES)))
    return subject, fields, style, place


def build(subject, fields, style, place) -> tuple[str, dict[str, object] | None]:
    """The file, and the waiver it must yield (None: it must yield a problem)."""
    written, meaning, ok = [], {}, SUBJECTS[subject] is not None and place in VALID_PLACES
    for name, value, how, date in fields:
        text, parsed = render(date if name == "expires" else value, how)
        if name == "expires" and how == "bare" and not date:
            parsed = INVALID  # `expires=` with nothing
        written.append(f"{name}={text}")
        ok = ok and name in ("reason", "owner", "expires", "target") and name not in meaning
        meaning[name] = parsed
    ok = ok and {"reason", "owner", "expires"} <= meaning.keys() and all(
        valid_field(k, v) for k, v in meaning.items())
    directive = " ".join(["tfproof:waive", subject, *written]).replace("  ", " ")
    comment = f"/* {directive} */" if style == "/*" else f"{style} {directive}"
    header, body = 'resource "aws_s3_bucket" "b" {', '  bucket = "x"\n}\n'
    after = '  bucket = "x"\n  ' + comment + "\n}\n"
    text = {
        "above": f"{comment}\n{header}\n{body}",
        "above_run": f"{comment}\n# why: see the ticket\n{header}\n{body}",
        "inside": f"{header}\n  {comment}\n{body}",
        "header": f"{header} {comment}\n{body}",
        "blank_gap": f"{comment}\n\n{header}\n{body}",
        "after_attr": f"{header}\n{after}",
    }[place]
    if not ok:
        return text, None
    control, check = SUBJECTS[subject]
    return text, {"control": control, "check": check, "reason": meaning["reason"],
                  "owner": meaning["owner"], "expires": meaning["expires"],
                  "target": meaning.get("target")}


@FAST
@given(waivers())
def test_a_mutated_waiver_parses_exactly_or_is_refused(case):
    text, expected = build(*case)
    source = Source()
    read_source(text, "main.tf", ("",), KNOWN, source)
    if expected is None:
        assert source.waivers == [], f"a malformed waiver waived: {text!r}"
        assert source.problems, f"a malformed waiver was passed over: {text!r}"
        return
    assert source.problems == [], text
    (waiver,) = source.waivers
    assert {"control": waiver.control, "check": waiver.check, "reason": waiver.reason,
            "owner": waiver.owner, "expires": waiver.expires.isoformat(),
            "target": waiver.target} == expected
    assert waiver.addresses == {"aws_s3_bucket.b"}


@FAST
@given(st.text(max_size=80))
def test_any_text_after_the_marker_is_a_waiver_or_a_problem(tail):
    text = f'# tfproof:waive{tail.replace(chr(10), " ")}\nresource "aws_s3_bucket" "b" {{\n}}\n'
    source = Source()
    read_source(text, "main.tf", ("",), KNOWN, source)
    assert bool(source.waivers) != bool(source.problems)


@FAST
@given(st.text(alphabet='ab#/*"{}<$%\\\n -EOT=', max_size=60))
def test_the_comment_scanner_never_crashes(text):
    try:
        found = layout(text)
    except HclError as exc:
        assert exc.line >= 1
        return
    for comment in found.comments:
        assert 1 <= comment.line <= comment.end_line <= text.count("\n") + 1


@pytest.mark.parametrize("place", PLACES)
def test_the_builder_covers_every_placement(place):
    text, expected = build("BACKUP", [("reason", "r", "bare", ""), ("owner", "o", "bare", ""),
                                      ("expires", "", "bare", "2099-12-31")], "#", place)
    source = Source()
    read_source(text, "main.tf", ("",), KNOWN, source)
    assert bool(source.waivers) == (expected is not None) == (place in VALID_PLACES)
