"""Inline waivers (`# tfproof:waive ...` next to a resource) and checkov's skip comments.

Where a waiver may stand (one rule, so a reviewer sees at a glance what it covers):
in the comment lines directly above the block's header (no blank line between),
on the header line itself, or inside the block before its first attribute or
nested block. It waives that block's findings only: every instance (count,
for_each) and, in a local module's file, that resource in every instance of every
call of the module (`module.a.aws_s3_bucket.b` and `module.c.aws_s3_bucket.b` when
both call the folder). Blocks: `resource`, `data` and `variable` (the SECRETS
findings are on variables). A directive anywhere else is refused (exit 2): a
waiver that silently applies to nothing is a waiver someone believes in.

A checkov skip (`#checkov:skip=CKV_AWS_18:reason`, also `bridgecrew:`/`cortex:`)
is found the way checkov finds it: on any line strictly inside a resource block.
It names no owner and no expiry, so it waives nothing here; the engine turns
it into a finding of its own unless a waiver with an owner and an expiry
covers the same check on the same resource.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from tfproof.findings import Finding
from tfproof.plan import config_address
from tfproof.waivers.directive import MARKER, Parsed, hint, inline_style, parse, scrub_text
from tfproof.waivers.hcl_comments import Block, Comment, HclError, Layout, layout
from tfproof.waivers.matcher import Waiver
from tfproof.waivers.schema import KnownIds, WaiverEntry, close, show

# checkov's own pattern (checkov.common.comment.enum.COMMENT_REGEX), matched on raw lines
SKIP = re.compile(r"(checkov:skip=|bridgecrew:skip=|cortex:skip=) *"
                  r"([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)?(:[^\n]*)?")
# what a file must contain to be lexed at all (a cheap test on the raw bytes)
MARKERS = re.compile(rb"(?i)tfproof[ \t]*:|(?:checkov|bridgecrew|cortex):skip=")
_KINDS = {"resource": 2, "data": 2, "variable": 1}
_ID_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,59}")  # what a control or check ID looks like
_PLACES = ("Put it in the comment lines directly above `resource \"TYPE\" \"NAME\" {` (no blank "
           "line between) or inside the block before its first attribute.")


@dataclass
class InlineWaiver(Waiver):
    """A waiver written in a comment: it matches its own block's configuration addresses."""

    addresses: frozenset[str] = frozenset()
    file: str = ""
    line: int = 0

    def matches(self, finding: Finding) -> bool:
        if self.control and self.control != finding.control:
            return False
        if self.check and self.check != finding.check:
            return False
        return config_address(finding.resource) in self.addresses

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "source": "inline", "file": self.file, "line": self.line}


@dataclass(frozen=True)
class Skip:
    """One check ID of a checkov skip comment on one resource block."""

    check: str
    control: str | None  # None: a check tfproof does not run
    reason: str
    file: str
    line: int
    addresses: frozenset[str]


@dataclass(frozen=True)
class Problem:
    """A malformed or misplaced inline waiver: where, what, and what to write instead."""

    file: str
    line: int
    text: str
    hint: str | None = None


@dataclass
class Source:
    """What the comments of the configuration's files hold."""

    waivers: list[InlineWaiver] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_source(text: str, where: str, prefixes: Sequence[str], known: KnownIds,
                into: Source) -> None:
    """Add the inline waivers, checkov skips and problems of one file to `into`.

    `where` names the file in messages and reports; `prefixes` are the module
    address prefixes its folder is instantiated at (`""` for the root module,
    `"module.a."`, ...).
    """
    try:
        found = layout(text)
    except HclError as exc:
        into.problems.append(Problem(where, exc.line, f"cannot be read as HCL ({exc.what}), so "
                                     "its inline waivers and checkov skips are unknown",
                                     "Fix the file (`terraform validate` shows the error)."))
        return
    for comment in found.comments:
        parsed = parse(comment.text, comment.style == "/*")
        if parsed is not None:
            _waiver(found, comment, parsed, where, prefixes, known, into)
    lines = text.split("\n")
    for block in found.blocks:
        if block.kind != "resource" or len(block.labels) != 2:
            continue
        addresses = _addresses(block, prefixes)
        for number in range(block.line + 1, block.end_line):
            match = SKIP.search(lines[number - 1])
            if match is None:
                continue
            reason = scrub_text((match.group(3) or ":")[1:].strip())
            for check in (match.group(2) or "").split(","):
                into.skips.append(Skip(check.strip(), known.check_control.get(check.strip()),
                                       reason, where, number, addresses))


def _waiver(found: Layout, comment: Comment, parsed: Parsed, where: str,
            prefixes: Sequence[str], known: KnownIds, into: Source) -> None:
    marker = MARKER.search(comment.text)
    line = comment.line + comment.text[:marker.start() if marker else 0].count("\n")
    known_problems = len(into.problems)

    def problem(text: str, why: str | None = None) -> None:
        into.problems.append(Problem(where, line, text, why))

    for text, why in parsed.problems:
        problem(text, why)
    block = _attached(found, comment)
    if block is None:
        problem("is not attached to a block", _PLACES)
    elif block.kind not in _KINDS or len(block.labels) != _KINDS[block.kind]:
        problem(f"is on a `{block.kind}` block (line {block.line}); findings are on resources "
                "and variables", "Move it to the resource it waives in the module's own files, "
                "or waive by address in waivers.yaml.")
        block = None
    fields: dict[str, Any] = dict(parsed.fields)
    subject = parsed.subject
    if subject is not None:
        key = "control" if subject in known.controls else "check"
        if subject not in known.controls and subject not in known.check_control:
            # echoed only when it looks like an ID: a credential pasted here must not reach a log
            shown = scrub_text(subject)
            named = show(shown) if _ID_LIKE.fullmatch(shown) else "a word that is not an ID " \
                "(not repeated here: it may be a pasted value)"
            problem(f"names {named}, which is neither a control of policies/catalog.yaml "
                    f"nor a check ID{close(subject, {*known.controls, *known.check_control})}",
                    "Write `tfproof:waive <ID>` with a control such as ENC-REST or a check ID "
                    "the scan report's `check` column shows.")
        elif key in fields:
            problem(f"names a {key} twice ({subject} and `{key}=`)", "Keep one of them.")
        else:
            fields[key] = subject
    elif "control" not in fields and "check" not in fields:
        problem("names no control or check", "Write `tfproof:waive <CONTROL or CHECK ID> "
                'reason="..." owner=<team> expires=YYYY-MM-DD`.')
    if block is None or len(into.problems) > known_problems:
        return
    addresses = _addresses(block, prefixes)
    fields["resource"] = ", ".join(sorted(addresses))
    try:
        valid = WaiverEntry.model_validate(fields, context={"known": known})
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            name = str(error["loc"][0]) if error["loc"] else ""
            if error["type"] == "missing":
                problem(f"lacks `{name}`", hint(name))
            elif error["type"] in ("tfproof_missing", "tfproof_mismatch"):
                problem(inline_style(error["msg"]))
            else:
                problem(f"`{name}`: {error['msg']}", hint(name))
        return
    into.waivers.append(InlineWaiver(
        resource=valid.resource, reason=valid.reason, owner=valid.owner, expires=valid.expires,
        control=valid.control, check=valid.check, target=valid.target, addresses=addresses,
        file=where, line=line,
    ))


def _attached(found: Layout, comment: Comment) -> Block | None:
    """The block a comment belongs to by the placement rule (module docstring), or None."""
    if comment.block is not None:
        block = found.blocks[comment.block]
        before = block.first_item is None or comment.start < block.first_item
        return block if before else None
    for block in found.blocks:
        if comment.end_line == block.line and comment.start < block.open:
            return block  # on the header line, before `{`
        if comment.end_line < block.line and comment.line not in found.code_lines and all(
                found.only_comments(n) for n in range(comment.end_line + 1, block.line)):
            return block
    return None


def _addresses(block: Block, prefixes: Sequence[str]) -> frozenset[str]:
    """The configuration addresses of a block in every module instance of its folder."""
    kind = block.kind
    local = (f"var.{block.labels[0]}" if kind == "variable" else
             ".".join((*(("data",) if kind == "data" else ()), *block.labels)))
    return frozenset(prefix + local for prefix in prefixes)


def paragraph(problems: list[Problem]) -> str:
    """The first problem (by file and line) as one paragraph, and how many more there are."""
    problems = sorted(problems, key=lambda p: (p.file, p.line))
    first = problems[0]
    text = first.text
    verb = text.startswith(("is ", "lacks ", "has ", "names ", "gives ", "writes ", "cannot "))
    out = f"The inline waiver at {first.file}:{first.line}{' ' if verb else ': '}{text}."
    if first.hint:
        out += f" {first.hint}"
    rest = problems[1:]
    if rest:
        where = sorted({f"{p.file}:{p.line}" for p in rest})
        at = ", ".join(where[:10]) + (", ..." if len(where) > 10 else "")
        out += (f" (and {len(rest)} more problem{'s' if len(rest) > 1 else ''} in inline "
                f"waivers, at {at}: fix them all before rerunning.)")
    return out
