"""The text of one inline waiver: `tfproof:waive SUBJECT key=value ...` into fields.

    # tfproof:waive ENC-REST reason="public website bucket" owner=web-team expires=2027-06-30

The subject (a control of the catalog, or a check ID: a tfproof policy or a
mapped checkov check) comes first; then `reason`, `owner`, `expires` and the
optional `target`, `control`, `check` as `key=value`. A value with spaces is
quoted (`"..."` with `\\"` and `\\\\` escapes, or `'...'`). The same rules as a
waivers.yaml entry apply afterwards (`tfproof.waivers.schema.WaiverEntry`).

Every way the text can be wrong is a problem with a hint, never a guess: a
stray word (`reason=two words` unquoted), an unclosed quote, an unknown or
repeated key, `owner: x` written the YAML way. A waiver read more widely or more
narrowly than written would change what the gate lets through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tfproof.secrets.scrub import remember
from tfproof.secrets.text import REDACTED, is_secret_key
from tfproof.waivers.schema import HINTS, close

# the marker, and the near misses someone may write for it (`TFPROOF:WAIVE`, `tfproof: waive`,
# `tfproof:skip` after checkov's `checkov:skip`): each is refused, never skipped over
# (the other verbs only without a space: "tfproof: allows ..." in prose is not a marker)
MARKER = re.compile(r"tfproof[ \t]*:[ \t]*waiv[\w-]*|tfproof:(?:skip|ignore|suppress|disable|allow)"
                    r"[\w-]*", re.IGNORECASE)
KEYS = ("control", "check", "reason", "owner", "expires", "target")
_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*=[ \t]*")
_WORD = re.compile(r"\S+")
_DECORATION = re.compile(r"(?m)^[ \t]*\*(?!/)")  # ` * ` at the start of a /* */ comment's lines
_YAML_STYLE = re.compile(r"`(\w+):( |`)")
# `password=...`, `token: ...` anywhere in free text, and AWS access key IDs
_SECRET_PAIR = re.compile(r"(?P<name>[A-Za-z_][\w.-]*)(?P<sep>[ \t]*[=:][ \t]*)"
                          r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;]+)")
_ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA|A3T[A-Z0-9])[A-Z0-9]{16}\b")
REASON_HINT = 'Write reason="<why the risk is accepted>" (quoted when it has spaces).'


@dataclass
class Parsed:
    """One directive: its subject, its `key=value` fields, and what is wrong with it."""

    subject: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str | None]] = field(default_factory=list)  # (text, hint)


def hint(name: str) -> str | None:
    """The waivers.yaml hint for a field, written the inline way (`owner=x`, not `owner: x`)."""
    if name == "reason":
        return REASON_HINT
    text = HINTS.get(name)
    return inline_style(text) if text else None


def inline_style(text: str) -> str:
    """`control: X` (the waivers.yaml way) as `control=X` in a message about an inline waiver."""
    return _YAML_STYLE.sub(lambda m: f"`{m.group(1)}={'' if m.group(2) == ' ' else '`'}", text)


def scrub_text(text: str) -> str:
    """Free text (a reason) with credential-looking values masked and remembered, so that
    a secret pasted into a waiver comment reaches no report, log or message."""
    found: list[str] = []

    def pair(match: re.Match[str]) -> str:
        value = match["value"].strip("\"'")
        if not is_secret_key(match["name"]) or not value or value == REDACTED:
            return match[0]
        found.append(value)
        return f"{match['name']}{match['sep']}{REDACTED}"

    text = _SECRET_PAIR.sub(pair, text)
    found += _ACCESS_KEY.findall(text)
    text = _ACCESS_KEY.sub(REDACTED, text)
    remember(*found)
    return text


def parse(body: str, block_comment: bool = False) -> Parsed | None:
    """The directive in one comment's text; None when the comment holds none."""
    marker = MARKER.search(body)
    if marker is None:
        return None
    out = Parsed()
    if marker.group(0) != "tfproof:waive":
        out.problems.append((f"is written `{' '.join(marker.group(0).split())}`, which tfproof "
                             "does not read", "Write the marker as `tfproof:waive`, in lower "
                             "case and without spaces."))
        return out
    text = body[marker.end():]
    if block_comment:
        text = _DECORATION.sub(" ", text)
    text = " ".join(text.split("\n"))
    if text[:1] not in ("", " ", "\t", "\r"):
        out.problems.append(("has no space after `tfproof:waive`",
                             "Write `tfproof:waive <CONTROL or CHECK> reason=... owner=... "
                             "expires=YYYY-MM-DD`."))
        return out
    _fields(text, out)
    return out


def _fields(text: str, out: Parsed) -> None:
    index, stray, last = 0, [], None  # stray: the field each stray word follows
    while True:
        word = _WORD.search(text, index)
        if word is None:
            break
        key = _KEY.match(text, word.start())
        if key is None:
            index = word.end()
            token = word.group()
            if out.subject is None and not out.fields and "=" not in token:
                out.subject = token
            elif token.rstrip(":") in KEYS and token.endswith(":"):
                out.problems.append((f"writes `{token}` the waivers.yaml way",
                                     f"Write `{token.rstrip(':')}=<value>` (no space before the "
                                     "value, or quote it)."))
            else:
                stray.append(last)
            continue
        name = last = key.group(1)
        value, index, problem = _value(text, key.end())
        if problem:
            out.problems.append((f"`{name}`: {problem}", hint(name)))
        if name == "resource":
            out.problems.append(("names a `resource`; an inline waiver waives the block it is "
                                 "written on", "Remove `resource=`, or waive by address or "
                                 "glob in waivers.yaml instead."))
        elif name not in KEYS:
            near = close(name, KEYS, quote=True)
            out.problems.append((f"has `{name}=`, which is not an inline waiver field{near}; the "
                                 f"fields are {', '.join(KEYS)}",
                                 "Rename it." if near else "Remove it."))
        elif name in out.fields:
            out.problems.append((f"gives `{name}` twice", "Keep one of them."))
        elif value is not None:
            out.fields[name] = scrub_text(value) if name == "reason" else value
    if stray:
        after = f"after `{stray[0]}=...`" if stray[0] else "after the control or check"
        words = (f"a word {after} that is not a `key=value` field" if len(stray) == 1 else
                 f"{len(stray)} words that are not `key=value` fields, the first {after}")
        out.problems.append((f"has {words} (a value runs to the first space unless quoted)",
                             f'Quote a value that has spaces: {stray[0] or "reason"}="...".'))


def _value(text: str, index: int) -> tuple[str | None, int, str | None]:
    """(value, where the next field starts, problem) of the value starting at `index`."""
    if index >= len(text) or text[index].isspace():
        return "", index, None  # empty: the schema says "is empty" with the field's hint
    quote = text[index]
    if quote in "\"'":
        chars, at = [], index + 1
        while at < len(text) and text[at] != quote:
            if quote == '"' and text[at] == "\\" and text[at + 1:at + 2] in ('"', "\\"):
                at += 1
            chars.append(text[at])
            at += 1
        if at >= len(text):
            return None, len(text), f"its quoted value is not closed: end it with {quote}"
        at += 1
        if at < len(text) and not text[at].isspace():
            end = _WORD.match(text, at)
            return None, end.end() if end else at, "has text right after its closing quote"
        return "".join(chars), at, None
    word = _WORD.match(text, index)
    if word is None:  # not reached: text[index] is not a space
        return "", index, None
    if '"' in word.group() or "'" in word.group():
        return None, word.end(), ("has a quote inside an unquoted value: quote the whole value "
                                  "or leave quotes out")
    return word.group(), word.end(), None
