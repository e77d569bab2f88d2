"""Reading `--format markdown` back the way GitHub renders it: markdown-it with tables.

`read` parses with HTML enabled (so injected HTML would show up as HTML tokens)
and fails on anything the report must never contain: HTML, images, links other
than the ones a test expects, and markup inside table cells, headings or notes
(a `*`, `_` or `[` from a resource address must stay text). What remains is the
document as a reviewer sees it: headings, tables (cells as plain text), bullets,
quotes and paragraphs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_PLAIN = {"text", "code_inline"}
_MARKUP = {"strong_open", "strong_close", "em_open", "em_close", "link_open", "link_close"}


@dataclass
class Table:
    heading: str
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Doc:
    headings: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)

    def table_under(self, heading: str) -> Table:
        found = [t for t in self.tables if t.heading == heading]
        assert len(found) == 1, (heading, [t.heading for t in self.tables])
        return found[0]


def _text(inline: Token, allowed: set[str], links: Iterable[str]) -> str:
    out = []
    for child in inline.children or []:
        assert child.type in allowed, f"{child.type} in {inline.content!r}"
        if child.type == "link_open":
            assert child.attrs.get("href") in links, child.attrs
        if child.type in _PLAIN:
            out.append(child.content)
    return "".join(out)


def read(markdown: str, links: Iterable[str] = ()) -> Doc:
    """The parsed document; asserts it holds no HTML, image, unexpected link or markup."""
    links = list(links)
    doc = Doc()
    heading = ""
    table: Table | None = None
    row: list[str] | None = None
    where: list[str] = []  # enclosing blocks: bullet_list, blockquote, table
    tokens = _MD.parse(markdown)
    for i, token in enumerate(tokens):
        assert token.type not in ("html_block", "html_inline"), token
        if token.type.endswith("_open") and token.type in (
                "bullet_list_open", "blockquote_open", "table_open", "ordered_list_open"):
            where.append(token.type[:-5])
        elif token.type in ("bullet_list_close", "blockquote_close", "table_close",
                            "ordered_list_close"):
            where.pop()
        if token.type == "heading_open":
            heading = _text(tokens[i + 1], _PLAIN, links)
            doc.headings.append(heading)
        elif token.type == "table_open":
            table = Table(heading)
            doc.tables.append(table)
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and table is not None and row is not None:
            if table.head:
                table.rows.append(row)
            else:
                table.head = row
        elif token.type in ("th_open", "td_open") and row is not None:
            row.append(_text(tokens[i + 1], _PLAIN, links))
        elif token.type == "paragraph_open":
            inline = tokens[i + 1]
            if "bullet_list" in where:
                doc.bullets.append(_text(inline, _PLAIN, links))
            elif "blockquote" in where:
                doc.quotes.append(_text(inline, _PLAIN | _MARKUP, links))
            else:
                doc.paragraphs.append(_text(inline, _PLAIN | {"em_open", "em_close"}, links))
    assert "ordered_list" not in {t.type[:-5] for t in tokens if t.type.endswith("_open")}
    return doc
