"""Inline waivers in HCL comments: what is a comment, where a waiver stands, what it says.

A waiver is an accepted risk. One read from a heredoc (text, not a comment),
attached to the wrong block, or parsed more widely than written changes what
the gate lets through; one that is malformed or misplaced must stop the scan
(a problem naming file:line), never be dropped in silence.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tfproof.engine.catalog import known_ids
from tfproof.secrets.scrub import forget_all, scrub
from tfproof.secrets.text import REDACTED
from tfproof.waivers.directive import parse
from tfproof.waivers.hcl_comments import HclError, layout
from tfproof.waivers.inline import Source, paragraph, read_source

GOOD = 'reason="scratch data" owner=data-team expires=2099-12-31'


@pytest.fixture(scope="module")
def known():
    return known_ids()


def read(text: str, known, prefixes=("",)) -> Source:
    source = Source()
    read_source(text, "main.tf", prefixes, known, source)
    return source


def bucket(comment_above: str = "", inside: str = "", name: str = "b") -> str:
    return (f'{comment_above}resource "aws_s3_bucket" "{name}" {{\n{inside}'
            '  bucket = "x"\n}\n')


# --- what is a comment ------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    'locals {\n  a = <<E\n# tfproof:waive X\nE\n}\n',                  # one-letter marker
    'locals {\n  a = <<-EOT\n    // tfproof:waive X\n    EOT\n}\n',    # indented closing
    'locals {\n  a = <<EOT\n  ${"}"} /* x */ $${ # y\nEOT\n}\n',        # interpolation, escape
    'locals {\n  a = "# not ${"a}b"} // not"\n}\n',                      # nested string
    'locals {\n  a = "%{ if true }# no%{ endif }"\n}\n',                 # template directive
    'locals {\n  a = "\\" # still a string"\n}\n',                       # escaped quote
    'locals {\n  a = <<EOT\nEOTX\n  # EOT\nEOT\n}\n',                     # near-miss markers
])
def test_strings_and_heredocs_hold_no_comments(text):
    found = layout(text)
    assert found.comments == []
    assert [b.kind for b in found.blocks] == ["locals"]


def test_comment_styles_lines_and_blocks():
    text = ('# a\nresource "t" "n" { // b\n  /* c\n  d */ x = 1\n  y { z = 2 }\n}\r\n'
            'data "d" "e" {}\n')
    found = layout(text)
    assert [(c.style, c.text, c.line, c.end_line, c.block) for c in found.comments] == [
        ("#", " a", 1, 1, None), ("//", " b", 2, 2, 0), ("/*", " c\n  d ", 3, 4, 0)]
    resource, data = found.blocks
    assert (resource.kind, resource.labels, resource.line, resource.end_line) == (
        "resource", ("t", "n"), 2, 6)
    assert text[resource.first_item:].startswith("x = 1")
    assert (data.labels, data.first_item) == (("d", "e"), None)
    assert found.only_comments(1) and not found.only_comments(2)


@pytest.mark.parametrize(("text", "line"), [
    ('resource "t" "n" {\n  a = "open\n}\n', 2),
    ('resource "t" "n" {\n  a = <<EOT\nno end\n', 4),
    ("/* never closed\n", 1),
    ('resource "t" "n" {\n', 2),
    ("}\n", 1),
    ('a = "${x\n', 2),
])
def test_broken_files_name_their_line(text, line):
    with pytest.raises(HclError) as info:
        layout(text)
    assert info.value.line == line


# --- where a waiver stands --------------------------------------------------------------


@pytest.mark.parametrize("text", [
    bucket(f"# tfproof:waive BACKUP {GOOD}\n"),
    bucket(f"// tfproof:waive BACKUP {GOOD}\n# another comment\n"),        # a run of comments
    bucket(f"/* tfproof:waive BACKUP {GOOD} */\n"),
    bucket(f"/* tfproof:waive BACKUP\n * {GOOD}\n */\n"),                  # decorated lines
    bucket(inside=f"  # tfproof:waive BACKUP {GOOD}\n"),                   # before the first item
    bucket(inside=f"  /* tfproof:waive BACKUP {GOOD} */\n"),
    f'resource "aws_s3_bucket" "b" {{ # tfproof:waive BACKUP {GOOD}\n  bucket = "x"\n}}\n',
    f'/* tfproof:waive BACKUP {GOOD} */ resource "aws_s3_bucket" "b" {{\n}}\n',
])
def test_a_waiver_above_on_or_atop_its_block(text, known):
    source = read(text, known)
    assert source.problems == []
    (waiver,) = source.waivers
    assert (waiver.control, waiver.owner, waiver.reason, waiver.expires) == (
        "BACKUP", "data-team", "scratch data", dt.date(2099, 12, 31))
    assert waiver.addresses == {"aws_s3_bucket.b"}
    assert waiver.describe()["source"] == "inline" and waiver.file == "main.tf"


@pytest.mark.parametrize(("text", "words"), [
    (bucket(f"# tfproof:waive BACKUP {GOOD}\n\n"), "not attached"),            # blank line
    (bucket(inside=f'  bucket = "y"\n  # tfproof:waive BACKUP {GOOD}\n'), "not attached"),
    (bucket(inside=f'  tags = {{}} # tfproof:waive BACKUP {GOOD}\n'), "not attached"),
    (f"# tfproof:waive BACKUP {GOOD}\n", "not attached"),                     # end of file
    (f'x = 1 # tfproof:waive BACKUP {GOOD}\nresource "a" "b" {{}}\n', "not attached"),
    (f'# tfproof:waive BACKUP {GOOD}\nmodule "m" {{\n  source = "./m"\n}}\n', "`module` block"),
    (f'# tfproof:waive BACKUP {GOOD}\nprovider "aws" {{}}\n', "`provider` block"),
    (bucket(inside='  a = "${x /* tfproof:waive BACKUP */}"\n'), "not attached"),
])
def test_a_misplaced_waiver_is_a_problem(text, words, known):
    source = read(text, known)
    assert source.waivers == []
    assert source.problems and words in source.problems[0].text
    message = paragraph(source.problems)
    assert message.startswith("The inline waiver at main.tf:") and "\n" not in message


def test_variables_data_and_module_instances(known):
    text = (f'# tfproof:waive SECRETS {GOOD}\nvariable "db_password" {{}}\n'
            f'# tfproof:waive BACKUP {GOOD}\ndata "aws_s3_bucket" "b" {{}}\n' + bucket(
                f"# tfproof:waive BACKUP {GOOD}\n"))
    source = read(text, known, prefixes=("module.a.", "module.b.module.c."))
    assert [sorted(w.addresses) for w in source.waivers] == [
        ["module.a.var.db_password", "module.b.module.c.var.db_password"],
        ["module.a.data.aws_s3_bucket.b", "module.b.module.c.data.aws_s3_bucket.b"],
        ["module.a.aws_s3_bucket.b", "module.b.module.c.aws_s3_bucket.b"]]


def test_a_waiver_matches_every_instance_of_its_block_only(known):
    from tfproof.findings import Finding

    (waiver,) = read(bucket(f"# tfproof:waive BACKUP {GOOD}\n"), known,
                     prefixes=("module.a.",)).waivers

    def finding(resource: str, control: str = "BACKUP") -> Finding:
        return Finding(control, "TFP_BACKUP_S3_VERSIONING", "tfproof", resource, "failed",
                       "medium", "m")

    assert waiver.matches(finding('module.a["x"].aws_s3_bucket.b[0]'))
    assert waiver.matches(finding("module.a.aws_s3_bucket.b"))
    assert not waiver.matches(finding("aws_s3_bucket.b"))           # not the root's
    assert not waiver.matches(finding("module.a.aws_s3_bucket.bb"))
    assert not waiver.matches(finding("module.a.aws_s3_bucket.b", "ENC-REST"))


# --- what a waiver says -----------------------------------------------------------------


@pytest.mark.parametrize(("args", "fields"), [
    (GOOD, {"reason": "scratch data", "owner": "data-team", "expires": "2099-12-31"}),
    ("expires = 2099-12-31 owner='a b' reason=x", {"expires": "2099-12-31", "owner": "a b",
                                                   "reason": "x"}),
    (r'reason="say \"hi\" \\ \n" owner=o expires=2099-12-31',
     {"reason": 'say "hi" \\ \\n', "owner": "o", "expires": "2099-12-31"}),
    ("check=TFP_X target='*prod*'", {"check": "TFP_X", "target": "*prod*"}),
])
def test_fields_are_read_as_written(args, fields):
    parsed = parse(f" tfproof:waive BACKUP {args}")
    assert parsed is not None and parsed.problems == []
    assert parsed.subject == "BACKUP" and parsed.fields == fields


@pytest.mark.parametrize(("args", "words"), [
    ("BACKUP reason=two words owner=o expires=2099-12-31", "not a `key=value`"),
    ('BACKUP reason="open owner=o expires=2099-12-31', "not closed"),
    ('BACKUP reason="a"b owner=o expires=2099-12-31', "right after its closing quote"),
    ("BACKUP reason=a\"b owner=o expires=2099-12-31", "quote inside"),
    ("BACKUP reason=a ownr=o expires=2099-12-31", "did you mean `owner`"),
    ("BACKUP reason=a owner=o owner=p expires=2099-12-31", "twice"),
    ("BACKUP resource=x reason=a owner=o expires=2099-12-31", "`resource`"),
    ("BACKUP reason=a owner: o expires=2099-12-31", "waivers.yaml way"),
    ('BACKUP reason=a owner=o expires="2099-12-31', "not closed"),
])
def test_malformed_text_is_a_problem(args, words):
    parsed = parse(f"tfproof:waive {args}")
    assert parsed is not None and any(words in text for text, _ in parsed.problems)


@pytest.mark.parametrize("marker", ["TFPROOF:WAIVE", "tfproof: waive", "tfproof:waiver",
                                    "tfproof:skip", "tfproof:ignore"])
def test_near_misses_of_the_marker_are_problems_not_prose(marker):
    parsed = parse(f" {marker} BACKUP {GOOD}")
    assert parsed is not None and "does not read" in parsed.problems[0][0]
    assert parse(" scanned by tfproof: see the docs") is None
    assert parse(" tfproof: allows public reads here, by design") is None


@pytest.mark.parametrize(("args", "words"), [
    ("BACKUP reason=a owner=o", "lacks `expires`"),
    ("BACKUP owner=o expires=2099-12-31", "lacks `reason`"),
    ("BACKUP reason=a expires=2099-12-31", "lacks `owner`"),
    ("BACKUP reason=a owner=o expires=2099-02-30", "not a real calendar date"),
    ("BACKUP reason=a owner=o expires=31/12/2099", "not a YYYY-MM-DD date"),
    ("BACKUP reason=a owner=o expires=", "is empty"),
    ("BAKCUP reason=a owner=o expires=2099-12-31", "did you mean BACKUP"),
    ("reason=a owner=o expires=2099-12-31", "names no control or check"),
    ("TFP_BACKUP_S3_VERSIONING control=ENC-REST reason=a owner=o expires=2099-12-31",
     "belongs to control BACKUP"),
    ("BACKUP control=BACKUP reason=a owner=o expires=2099-12-31", "twice"),
])
def test_the_waivers_yaml_rules_apply(args, words, known):
    source = read(bucket(f"# tfproof:waive {args}\n"), known)
    assert source.waivers == []
    assert any(words in p.text for p in source.problems), source.problems
    message = paragraph(source.problems)
    assert "main.tf:1" in message and "`control: " not in message  # the inline way: control=


def test_a_check_id_or_a_control_or_both(known):
    text = (bucket(f"# tfproof:waive TFP_BACKUP_S3_VERSIONING {GOOD}\n", name="a")
            + bucket(f"# tfproof:waive CKV_AWS_21 control=BACKUP {GOOD}\n", name="c"))
    first, second = read(text, known).waivers
    assert (first.control, first.check) == (None, "TFP_BACKUP_S3_VERSIONING")
    assert (second.control, second.check) == ("BACKUP", "CKV_AWS_21")


def test_problems_of_every_file_make_one_paragraph(known):
    source = read(bucket("# tfproof:waive BACKUP\n") + bucket("# tfproof:waive NOPE\n", name="c"),
                  known)
    message = paragraph(source.problems)
    assert message.startswith("The inline waiver at main.tf:1 lacks `reason`. Write reason=")
    assert "\n" not in message
    assert message.endswith("(and 3 more problems in inline waivers, at main.tf:1, main.tf:5: "
                            "fix them all before rerunning.)")


def test_a_file_that_is_not_hcl_is_a_problem(known):
    source = read('resource "a" "b" {\n  x = "open\n}\n', known)
    assert "cannot be read as HCL" in source.problems[0].text and source.problems[0].line == 2


def test_a_secret_in_a_reason_is_masked_and_remembered(known):
    forget_all()
    try:
        text = bucket('# tfproof:waive BACKUP reason="db_password=Hunter2Secret until then, key '
                      'AKIAIOSFODNN7EXAMPLE" owner=o expires=2099-12-31\n')
        (waiver,) = read(text, known).waivers
        assert "Hunter2Secret" not in waiver.reason and "AKIA" not in waiver.reason
        assert waiver.reason.startswith(f"db_password={REDACTED}")
        assert scrub("said Hunter2Secret") == f"said {REDACTED}"
    finally:
        forget_all()


# --- checkov skip comments --------------------------------------------------------------


def test_checkov_skips_are_read_where_checkov_reads_them(known):
    text = ('#checkov:skip=CKV_AWS_18:above is ignored by checkov\n'
            'resource "aws_s3_bucket" "b" { #checkov:skip=CKV_AWS_19:header line too\n'
            "  #checkov:skip=CKV_AWS_18,CKV_AWS_21:legacy\n"
            "  # bridgecrew:skip=CKV_NOT_MAPPED\n"
            '  bucket = "x"\n}\n'
            'module "m" {\n  #checkov:skip=CKV_AWS_18\n  source = "./m"\n}\n')
    skips = read(text, known, prefixes=("", "module.a.")).skips
    assert [(s.check, s.control, s.line, s.reason) for s in skips] == [
        ("CKV_AWS_18", "AUDIT-LOGS", 3, "legacy"), ("CKV_AWS_21", "BACKUP", 3, "legacy"),
        ("CKV_NOT_MAPPED", None, 4, "")]
    assert skips[0].addresses == {"aws_s3_bucket.b", "module.a.aws_s3_bucket.b"}
