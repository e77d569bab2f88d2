"""Markdown text that renders exactly as given: the escaping behind `--format markdown`.

A report quotes the user's code: resource addresses (a `for_each` key can hold
any string), messages, file names, waiver owners and reasons. In a pull-request
comment each of those must render as literal text: a `|` or a newline must not
end a table cell or row, `<img onerror=...>` must not become HTML, `[x](url)` or
`![](url)` must not become a link or a tracking image, `@team` must not notify,
and a bidi control must not reorder what the reviewer reads. CommonMark lets a
backslash escape every ASCII punctuation character, so prose is escaped
character by character; code (addresses, file:line) goes in code spans, whose
content is never parsed, with the pipe escaped as GitHub's tables require.
"""

from __future__ import annotations

import string
import unicodedata

EMPTY = "\\-"  # shown for a missing value: a bare "-" would start a list item
VALUE_LIMIT = 300  # characters of one value; a 10 kB resource key must not fill the comment
_PUNCTUATION = frozenset(string.punctuation)
# line and paragraph breaks of any kind end a table row or a list item: shown as one space
_BREAKS = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")
# bidirectional overrides and isolates ("Trojan Source"): they reorder the text on screen
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean(value: object, limit: int = VALUE_LIMIT) -> str:
    """One line of visible text: breaks become spaces, control characters U+FFFD, cut at limit."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return "".join(
        " " if ch in _BREAKS
        else "\ufffd" if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs")
        else ch
        for ch in text
    )


def text(value: object, limit: int = VALUE_LIMIT) -> str:
    """Prose that renders literally (in a table cell, list item or heading); "-" when empty."""
    cleaned = clean(value, limit).strip()
    if not cleaned:
        return EMPTY
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in cleaned)


def code(value: object, limit: int = VALUE_LIMIT, *, in_table: bool = True) -> str:
    """A code span holding the value literally (addresses, file:line); "-" when empty.

    In a table GitHub splits cells on `|` before it reads code spans, so a pipe is
    escaped there (`\\|` inside a code span of a cell renders as `|`); elsewhere it is not.
    """
    cleaned = clean(value, limit)
    if not cleaned.strip():
        return EMPTY
    longest = run = 0
    for ch in cleaned:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    # CommonMark strips one space at each end when both are there, and a backtick next to
    # the fence would join it: one space on each side keeps such content exact
    pad = " " if cleaned[0] in "` " or cleaned[-1] in "` " else ""
    body = cleaned.replace("|", "\\|") if in_table else cleaned
    return f"{fence}{pad}{body}{pad}{fence}"


def size(markdown: str) -> int:
    """Length as GitHub counts it for its comment limit (UTF-16 code units)."""
    return len(markdown.encode("utf-16-le")) // 2
