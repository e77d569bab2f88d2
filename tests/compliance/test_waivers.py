"""The waivers file is validated against a schema: every bad waiver is exit 2 naming its line.

A waiver is an accepted risk in the audit trail. A malformed one must stop the
run with one paragraph that names the entry, its line and the field, never a
traceback, never a silent "unmatched" (a typo in a check ID looks exactly like
a stale waiver) and never a waiver that applies more widely than written.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfproof.engine.catalog import known_ids
from tfproof.errors import InputError
from tfproof.findings import Finding
from tfproof.waivers.matcher import Waiver, apply_waivers, load_waivers, matched_failures
from tfproof.waivers.schema import KnownIds

REPO = Path(__file__).resolve().parents[2]
TFPROOF = str(Path(sys.executable).parent / "tfproof")
GOOD = {
    "control": "BACKUP", "resource": "module.platform.module.rds.aws_db_instance.this",
    "reason": "nightly destroy", "owner": "platform-security", "expires": "2027-06-30",
}


@pytest.fixture(scope="module")
def known() -> KnownIds:
    return known_ids()


@pytest.fixture(scope="module")
def a_check(known) -> tuple[str, str]:
    """A custom policy ID and its control, and a checkov ID of another control."""
    custom = sorted(c for c in known.check_control if c.startswith("TFP_"))[0]
    return custom, known.check_control[custom]


def write(tmp_path: Path, content: str | bytes, name: str = "waivers.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def entry(**fields: str | None) -> str:
    """One waiver as block YAML; each value is raw YAML text (None drops the key)."""
    values = {**GOOD, "expires": "2027-06-30", **fields}
    lines = [f"    {key}: {value}" for key, value in values.items() if value is not None]
    return "  -" + "\n".join(lines)[3:] + "\n"


def refused(path: Path, known: KnownIds) -> str:
    with pytest.raises(InputError) as info:
        load_waivers(path, known=known)
    message = str(info.value)
    assert "\n" not in message, message  # one paragraph
    assert "Traceback" not in message
    return message


# --- accepted ---------------------------------------------------------------------------


def test_the_real_waivers_file_loads(known):
    waivers = load_waivers(REPO / "policies" / "waivers.yaml", known)
    assert waivers and all(isinstance(w, Waiver) for w in waivers)
    assert all(type(w.expires) is dt.date for w in waivers)


@pytest.mark.parametrize("text", [
    "waivers:\n" + entry(),                                      # YAML date
    "waivers:\n" + entry(expires="'2027-06-30'"),                 # quoted string
    "waivers:\n" + entry(expires='"2027-06-30"'),
    "waivers:\n" + entry(target="'*envs/sandbox*'"),
    "waivers:\n" + entry(resource="'aws_db_instance.*'"),
    "# comments first\nwaivers:\n" + entry() + entry(resource="'*'"),
    "waivers: []\n",
    "waivers:\n  - {control: BACKUP, resource: x, reason: r, owner: o, expires: 2027-06-30}\n",
    "waivers:\n  - &b {control: BACKUP, resource: x, reason: r, owner: o, expires: 2027-06-30}"
    "\n  - {<<: *b, resource: y}\n",                                 # merge key
])
def test_valid_files_load(tmp_path, text, known):
    waivers = load_waivers(write(tmp_path, text), known=known)
    assert all(type(w.expires) is dt.date for w in waivers)
    assert all(w.resource and w.reason and w.owner and (w.control or w.check) for w in waivers)


def test_check_alone_and_check_with_its_own_control(tmp_path, known, a_check):
    check, control = a_check
    text = "waivers:\n" + entry(control=None, check=check) + entry(control=control, check=check)
    first, second = load_waivers(write(tmp_path, text), known=known)
    assert (first.control, first.check) == (None, check)
    assert (second.control, second.check) == (control, check)


def test_a_checkov_check_of_the_map_is_known(tmp_path, known):
    checkov = sorted(c for c in known.check_control if c.startswith("CKV"))[0]
    text = "waivers:\n" + entry(control=None, check=checkov)
    assert load_waivers(write(tmp_path, text), known=known)[0].check == checkov


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_byte_order_marks_are_decoded(tmp_path, encoding, known):
    text = "waivers:\n" + entry(owner="'ana-ñ-team'")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    (waiver,) = load_waivers(write(tmp_path, data), known=known)
    assert waiver.owner == "ana-ñ-team"


# --- a bad entry: exit 2 naming entry, line and field -----------------------------------

BAD_ENTRIES = [
    # (id, entry overrides, field, needle)
    ("impossible-date", {"expires": "2027-02-30"}, "expires", "not a real calendar date"),
    ("impossible-quoted", {"expires": "'2027-02-30'"}, "expires", "not a real calendar date"),
    ("datetime", {"expires": "2027-01-01T10:00:00"}, "expires", "a date, not a date and time"),
    ("datetime-tz", {"expires": "2027-01-01 10:00:00+02:00"}, "expires", "date and time"),
    ("short-date", {"expires": "'2027-1-1'"}, "expires", "YYYY-MM-DD"),
    ("compact-date", {"expires": "'20270101'"}, "expires", "YYYY-MM-DD"),
    ("words-date", {"expires": "next year"}, "expires", "YYYY-MM-DD"),
    ("number-date", {"expires": "2027"}, "expires", "a number"),
    ("resource-int", {"resource": "5"}, "resource", "a number"),
    ("owner-list", {"owner": "[a]"}, "owner", "a list"),
    ("reason-map", {"reason": "{x: 1}"}, "reason", "a mapping"),
    ("owner-bool", {"owner": "yes"}, "owner", "true/false"),
    ("owner-null", {"owner": ""}, "owner", "empty"),
    ("control-float", {"control": "1.5"}, "control", "a number"),
    ("binary", {"owner": "!!binary aGVsbG8="}, "owner", "binary"),
    ("reason-empty", {"reason": "''"}, "reason", "empty"),
    ("reason-blank", {"reason": "'   '"}, "reason", "empty"),
    ("resource-empty", {"resource": "''"}, "resource", "empty"),
    ("resource-spaces", {"resource": "' aws_s3_bucket.x'"}, "resource", "space"),
    ("resource-newline", {"resource": '"aws_s3_bucket.x\\nfoo"'}, "resource", "one line"),
    ("target-empty", {"target": "''"}, "target", "empty"),
    ("target-null", {"target": "null"}, "target", "empty"),
    ("unknown-control", {"control": "ENC-RST"}, "control", "ENC-REST"),
    ("unknown-check", {"control": None, "check": "CKV_AWS_99999"}, "check", "checkov_map"),
    ("typo-key", {"expiry": "2027-01-01"}, "expiry", "expires"),
    ("no-subject", {"control": None}, "control", "lacks"),
    ("no-owner", {"owner": None}, "owner", "lacks"),
    ("bad-binary", {"owner": "!!binary a"}, "owner", "cannot be read"),
    ("bad-int-tag", {"owner": "!!int abc"}, "owner", "cannot be read"),
    ("bad-bool-tag", {"owner": "!!bool maybe"}, "owner", "cannot be read"),
    ("bad-ts-tag", {"expires": "!!timestamp soon"}, "expires", "cannot be read"),
    ("python-tag", {"owner": "!!python/name:os.system x"}, "owner", "cannot be read"),
]


@pytest.mark.parametrize(("overrides", "field", "needle"),
                         [case[1:] for case in BAD_ENTRIES], ids=[c[0] for c in BAD_ENTRIES])
def test_bad_entry_names_entry_line_and_field(tmp_path, known, overrides, field, needle):
    text = "waivers:\n" + entry() + entry(**overrides)  # the second entry starts at line 7
    message = refused(write(tmp_path, text), known)
    assert "#2" in message and "line 7" in message, message
    assert f"`{field}`" in message, message
    assert needle in message, message


def test_field_line_is_the_line_of_the_value(tmp_path, known):
    text = "waivers:\n" + entry(expires="2027-02-30")  # expires is line 6 of entry 1
    message = refused(write(tmp_path, text), known)
    assert "#1" in message and "line 2" in message and "line 6" in message, message


def test_check_of_another_control(tmp_path, known, a_check):
    check, control = a_check
    other = sorted(known.controls - {control})[0]
    message = refused(write(tmp_path, "waivers:\n" + entry(control=other, check=check)), known)
    assert "`control`" in message and check in message and f"control: {control}" in message


def test_duplicate_key_is_refused(tmp_path, known):
    text = "waivers:\n" + entry() + "    owner: someone-else\n"
    message = refused(write(tmp_path, text), known)
    assert "`owner`" in message and "twice" in message and "line 7" in message, message


@pytest.mark.parametrize("item", ["- just a string\n", "- [a, b]\n", "- 5\n", "- !!set {a}\n"])
def test_entry_that_is_not_a_mapping(tmp_path, known, item):
    message = refused(write(tmp_path, "waivers:\n" + entry() + "  " + item), known)
    assert "#2" in message and "line 7" in message and "mapping" in message, message


@pytest.mark.parametrize("key", ["1", "[a]", "{a: 1}", "null", "!!binary aGk="])
def test_key_that_is_not_a_field_name(tmp_path, known, key):
    text = "waivers:\n" + entry() + f"    ? {key}\n    : x\n"
    message = refused(write(tmp_path, text), known)
    assert "#1" in message and "line 7" in message, message


def test_several_problems_name_the_first_and_count_the_rest(tmp_path, known):
    text = ("waivers:\n" + entry(expires="2027-02-30", owner="5") + entry()
            + entry(control="NOPE"))
    message = refused(write(tmp_path, text), known)
    assert "`owner`" in message and "and 2 more" in message, message


# --- a bad file -------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "needle"), [
    ("", "empty"),
    ("# only a comment\n", "empty"),
    ("- a\n- b\n", "a list"),
    ("just text\n", "text"),
    ("waiver:\n" + entry(), "`waiver`"),
    ("waivers:\n" + entry() + "extra: 1\n", "`extra`"),
    ("waivers:\n", "waivers: []"),
    ("waivers: {a: 1}\n", "a mapping"),
    ("waivers:\n  - [unclosed\n", "line"),
    ("waivers: 1\n---\nwaivers: 2\n", "line"),
    ("waivers: [" * 5000, "deep"),
    (b"waivers:\n  - control: \xff\xfe\n", "UTF-8"),
    (b"waivers:\x00\n", "line"),
    (codecs.BOM_UTF16_LE + b"w\x00\x00\xd8", "UTF-16"),
])
def test_bad_file(tmp_path, known, content, needle):
    message = refused(write(tmp_path, content), known)
    assert needle in message, message


def test_missing_file(tmp_path, known):
    assert "does not exist" in refused(tmp_path / "nope.yaml", known)


def test_directory(tmp_path, known):
    (tmp_path / "dir.yaml").mkdir()
    assert "a directory" in refused(tmp_path / "dir.yaml", known)


def test_named_pipe_does_not_hang(tmp_path, known):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            load_waivers(fifo, known=known)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # unblock the reader so the test process can end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("load_waivers blocked on a named pipe")
    assert isinstance(outcome[0], InputError) and "named pipe" in str(outcome[0])


def test_billion_laughs_stays_small(tmp_path, known):
    """Aliases are never expanded (a few lines of YAML must not become gigabytes)."""
    levels = ["    l0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"    l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 6)}]" for i in range(1, 9)]
    text = ("waivers:\n" + entry() + "\n".join(levels) + "\n"
            + entry(owner="*a8", reason="*a8", bogus="*a8"))
    message = refused(write(tmp_path, text), known)
    assert "#1" in message and "`l0`" in message and "and " in message, message


# --- hostile entries: InputError or waivers, never anything else ------------------------

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=20) | st.binary(max_size=8) | st.dates() | st.datetimes()
           | st.sampled_from(["", " ", "*", "2027-02-30", "2027-06-30", "BACKUP",
                              "TFP_NOPE", "ENC-REST", "\x00", "a\nb", "\u2028"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
FIELDS = ["control", "check", "resource", "target", "reason", "owner", "expires", "expiry"]
ENTRIES = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=3).map(
    lambda hostile: {**GOOD, **hostile})
DOCS = (st.fixed_dictionaries({"waivers": st.lists(ENTRIES | VALUES, max_size=3)})
        | VALUES | st.dictionaries(st.text(max_size=8), VALUES, max_size=2))


def _outcome(path: Path, known: KnownIds) -> list[Waiver] | InputError:
    try:
        return load_waivers(path, known=known)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc)
        return exc


def _assert_sound(waivers: list[Waiver], known: KnownIds) -> None:
    for waiver in waivers:
        assert type(waiver.expires) is dt.date
        for value in (waiver.resource, waiver.reason, waiver.owner):
            assert isinstance(value, str) and value.strip()
        assert waiver.control or waiver.check
        assert waiver.control is None or waiver.control in known.controls
        assert waiver.check is None or waiver.check in known.check_control
        if waiver.control and waiver.check:
            assert known.check_control[waiver.check] == waiver.control


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=DOCS, flow=st.booleans())
def test_hostile_structures(tmp_path_factory, known, doc, flow):
    path = tmp_path_factory.getbasetemp() / "hostile-structure.yaml"
    path.write_text(yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True),
                    encoding="utf-8")
    result = _outcome(path, known)
    if not isinstance(result, InputError):
        _assert_sound(result, known)


TOKENS = ["waivers:", "\n", "  - ", "control: ", "BACKUP", "{", "}", "[", "]", ",", ": ", "&a ",
          "*a", "<<: ", "!!binary ", "!!int ", "!!timestamp ", "? ", "'", '"', "2027-02-30",
          "\t", "#", "---", "%YAML 1.1\n", "!x ", "|\n", "expires: ", "T10:00:00", "\x00",
          "\ufeff", "\u2028", "null", "''", "expiry: ", "check: TFP_NOPE", "    "]
VALID = "waivers:\n" + entry() + entry(control=None, check="CKV_AWS_19", target="'*x*'")


def _mutate(edits: list[tuple[int, int, str]]) -> bytes:
    """The valid file with tokens spliced in (position, characters replaced, token)."""
    text = VALID
    for position, cut, token in edits:
        position %= len(text) + 1
        text = text[:position] + token + text[position + cut:]
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode)
       | st.lists(st.sampled_from(TOKENS), max_size=40).map(lambda parts: "".join(parts).encode())
       | st.lists(st.tuples(st.integers(0, 400), st.integers(0, 3), st.sampled_from(TOKENS)),
                  min_size=1, max_size=4).map(_mutate))
def test_hostile_bytes(tmp_path_factory, known, data):
    path = tmp_path_factory.getbasetemp() / "hostile-bytes.yaml"
    path.write_bytes(data)
    result = _outcome(path, known)
    if not isinstance(result, InputError):
        _assert_sound(result, known)


# --- the CLI: exit 2, the line, no traceback --------------------------------------------

MINIMAL_PLAN = {
    "format_version": "1.2", "terraform_version": "1.9.8",
    "planned_values": {"root_module": {}}, "resource_changes": [],
    "configuration": {"root_module": {}},
}


@pytest.mark.parametrize("bad", [
    entry(expires="2027-02-30"), entry(expires="2027-01-01T10:00:00"), entry(resource="5"),
    entry(owner="!!binary aGk="), entry(control="NOPE"), entry(expiry="2027-01-01"),
])
def test_cli_exit_2_with_the_line(tmp_path, bad):
    plan = write(tmp_path, json.dumps(MINIMAL_PLAN), "plan.json")
    waivers = write(tmp_path, "waivers:\n" + bad)
    proc = subprocess.run([TFPROOF, "scan", "--plan", str(plan), "--no-checkov",
                           "--waivers", str(waivers)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "line" in proc.stderr and "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr


def test_cli_minimal_plan_with_a_good_waiver_is_not_exit_2(tmp_path):
    plan = write(tmp_path, json.dumps(MINIMAL_PLAN), "plan.json")
    waivers = write(tmp_path, "waivers:\n" + entry())
    proc = subprocess.run([TFPROOF, "scan", "--plan", str(plan), "--no-checkov",
                           "--waivers", str(waivers), "--format", "json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["waivers"][0]["problem"] == "unmatched"


@pytest.mark.parametrize("kind", ["directory", "named pipe"])
def test_cli_refuses_a_waivers_path_that_is_not_a_file(tmp_path, kind):
    plan = write(tmp_path, json.dumps(MINIMAL_PLAN), "plan.json")
    waivers = tmp_path / "waivers.yaml"
    waivers.mkdir() if kind == "directory" else os.mkfifo(waivers)
    proc = subprocess.run([TFPROOF, "scan", "--plan", str(plan), "--no-checkov",
                           "--waivers", str(waivers)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


# --- one matcher: the scan waives and the audit's waiver table counts with it -----------


def test_the_scan_and_the_waiver_table_scope_and_match_alike():
    waiver = Waiver(resource="aws_s3_bucket.*", reason="r", owner="o",
                    expires=dt.date(2999, 1, 1), control="ENC-REST", target="*sandbox*")

    def findings() -> list[Finding]:
        return [Finding("ENC-REST", "CKV_AWS_19", "checkov", "aws_s3_bucket.logs", "failed",
                        "high", "not encrypted"),
                Finding("ENC-REST", "CKV_AWS_16", "checkov", "aws_db_instance.x", "failed",
                        "high", "not encrypted")]

    production = findings()
    apply_waivers(production, [waiver], dt.date(2026, 1, 1), "infra/envs/production")
    assert [f.status for f in production] == ["failed", "failed"]
    assert matched_failures(waiver, "infra/envs/production", production) == []
    sandbox = findings()
    apply_waivers(sandbox, [waiver], dt.date(2026, 1, 1), "infra/envs/sandbox")
    assert [f.status for f in sandbox] == ["waived", "failed"]
    assert matched_failures(waiver, "infra/envs/sandbox", sandbox) == [sandbox[0]]

