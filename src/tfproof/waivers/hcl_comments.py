"""The comments and top-level blocks of one Terraform (HCL native syntax) file.

Inline waivers live in comments, so what is a comment must be decided the way
Terraform decides it: `# tfproof:waive ...` inside a heredoc or a quoted string
is text, not a comment, and a `}` inside a string closes nothing. Regexes over
raw lines get both wrong. The HCL tokenizer installed with checkov
(bc-python-hcl2's lark grammar) was tried first and rejected: it fails on valid
files (a one-letter heredoc marker `<<E`), builds its parser at import time and
writes a grammar cache to the temp folder. So this is a small scanner written
from the HCL native syntax specification: `#`, `//` and `/* */` comments;
quoted templates with `\\` escapes and `${`/`%{` interpolations (which hold
expressions, themselves with strings and braces), `$${`/`%%{` escapes; heredocs
`<<ID`/`<<-ID` ending at a line holding only `ID` (indentation allowed), with
interpolations of their own. It keeps only what inline waivers need: every
comment with its lines and offsets, every top-level block (`resource "T" "N"`)
with its header line, its closing line and where its first attribute starts,
and which lines hold code. A file Terraform could not parse either (an unclosed
string, comment, heredoc or brace) raises `HclError` with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NORMAL = re.compile(r'[#/"{}<\n]')
_QUOTED = re.compile(r'["\\$%\n]')
_HEREDOC_TEXT = re.compile(r"[$%\n]")
_HEREDOC_OPEN = re.compile(r"<<(-?)([A-Za-z_][\w-]*)\r?\n")
_WORD = re.compile(r"[A-Za-z_][\w-]*|=")


class HclError(ValueError):
    """The file is not HCL Terraform could parse: `line` and what is wrong there."""

    def __init__(self, line: int, what: str) -> None:
        super().__init__(f"line {line}: {what}")
        self.line = line
        self.what = what


@dataclass(frozen=True)
class Comment:
    """One comment: its style (`#`, `//`, `/*`), its text without delimiters, where it is."""

    style: str
    text: str
    start: int  # offset of the delimiter
    line: int  # first line (1-based)
    end_line: int
    block: int | None  # index of the top-level block it is inside, None outside every block


@dataclass
class Block:
    """One top-level block: `resource "aws_s3_bucket" "logs" {` is kind resource, two labels."""

    kind: str
    labels: tuple[str, ...]
    line: int  # the header line
    open: int  # offset of `{`
    end_line: int = 0  # the line of the closing `}`
    first_item: int | None = None  # offset where its first attribute or nested block starts


@dataclass
class Layout:
    """What one file holds: comments, top-level blocks, and the lines that hold code."""

    comments: list[Comment] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    code_lines: set[int] = field(default_factory=set)
    comment_lines: set[int] = field(default_factory=set)

    def only_comments(self, line: int) -> bool:
        """True when the line holds a comment and no code (blank lines hold neither)."""
        return line in self.comment_lines and line not in self.code_lines


@dataclass
class _Mode:
    kind: str  # "normal" (the file, or an interpolation), "quoted", "heredoc"
    depth: int = 0  # open braces (normal mode)
    marker: str = ""  # the heredoc's closing identifier
    line_start: bool = True  # heredoc: at the start of a content line
    plain: bool = True  # quoted: no interpolation seen (a block label must be plain)
    start: int = 0  # quoted: offset after the opening quote
    closing: re.Pattern[str] | None = None  # heredoc: a line that ends it


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1
        self.stack = [_Mode("normal")]
        self.out = Layout()
        self.header: list[str | None] = []  # file level, depth 0: words and labels so far
        self.header_line = 0
        self.current: int | None = None  # the top-level block being read
        self.pending: Block | None = None  # a block whose first item is not seen yet

    def run(self) -> Layout:
        steps = {"normal": self._normal, "quoted": self._quoted, "heredoc": self._heredoc}
        while self.pos < len(self.text):
            steps[self.stack[-1].kind](self.stack[-1])
        mode = self.stack[-1]
        if mode.kind == "quoted":
            raise HclError(self.line, "a quoted string is not closed")
        if mode.kind == "heredoc":
            raise HclError(self.line, f"the heredoc is not closed by a line `{mode.marker}`")
        if len(self.stack) > 1:
            raise HclError(self.line, "an interpolation `${` is not closed by `}`")
        if mode.depth:
            raise HclError(self.line, "a block is not closed by `}`")
        return self.out

    def _top(self) -> bool:
        """At file level outside every block (where block headers are)."""
        return len(self.stack) == 1 and self.stack[0].depth == 0

    def _code(self, offset: int, text: str = "") -> None:
        self.out.code_lines.add(self.line)
        if self.pending is not None and len(self.stack) == 1 and self.stack[0].depth == 1:
            self.pending.first_item = offset
            self.pending = None
        if self._top() and text:
            if not self.header:
                self.header_line = self.line
            self.header.extend(_WORD.findall(text) or [None])

    def _normal(self, mode: _Mode) -> None:
        text = self.text
        match = _NORMAL.search(text, self.pos)
        end = match.start() if match else len(text)
        segment = text[self.pos:end]
        if segment.strip():
            self._code(self.pos + len(segment) - len(segment.lstrip()), segment)
        self.pos = end
        if match is None:
            return
        char = text[end]
        if char == "\n":
            self.line += 1
            self.pos += 1
            if self._top():
                self.header = []  # a block header is written on one line
        elif char == "#" or text.startswith("//", end):
            width = 1 if char == "#" else 2
            stop = text.find("\n", end)
            stop = len(text) if stop < 0 else stop
            self._comment(text[end:end + width], end, text[end + width:stop], stop)
        elif text.startswith("/*", end):
            stop = text.find("*/", end + 2)
            if stop < 0:
                raise HclError(self.line, "a `/*` comment is not closed by `*/`")
            self._comment("/*", end, text[end + 2:stop], stop + 2)
        elif char == '"':
            self._code(end)
            if self._top():
                self.header.append("")  # filled in when the string closes
            self.stack.append(_Mode("quoted", start=end + 1))
            self.pos += 1
        elif char == "{":
            self._open(mode, end)
        elif char == "}":
            self._close(mode, end)
        elif char == "<" and (heredoc := _HEREDOC_OPEN.match(text, end)):
            self._code(end, "<")
            marker = heredoc.group(2)  # HCL trims the line's spaces before comparing
            self.stack.append(_Mode("heredoc", marker=marker, closing=re.compile(
                rf"[ \t]*{re.escape(marker)}[ \t\r]*(?=\n|\Z)")))
            self.pos = heredoc.end()
            self.line += 1
        else:  # `/` (division) or `<` (comparison)
            self._code(end, char)
            self.pos += 1

    def _open(self, mode: _Mode, offset: int) -> None:
        self._code(offset)
        if self._top():
            words = self.header
            if words and words[0] not in (None, "", "=") and "=" not in words:
                block = Block(str(words[0]), tuple(w or "" for w in words[1:]),
                              self.header_line, offset)
                self.out.blocks.append(block)
                self.current, self.pending = len(self.out.blocks) - 1, block
            self.header = []
        mode.depth += 1
        self.pos += 1

    def _close(self, mode: _Mode, offset: int) -> None:
        self.pos += 1
        if mode.depth == 0:
            if len(self.stack) == 1:
                raise HclError(self.line, "a `}` closes no block")
            self.stack.pop()  # the end of an interpolation: back to its template
            self.out.code_lines.add(self.line)
            return
        self.out.code_lines.add(self.line)  # a `}` is never a block's first item
        mode.depth -= 1
        if len(self.stack) == 1 and mode.depth == 0:
            if self.current is not None:
                self.out.blocks[self.current].end_line = self.line
            self.current = self.pending = None

    def _comment(self, style: str, start: int, body: str, stop: int) -> None:
        end_line = self.line + self.text.count("\n", start, stop)
        self.out.comments.append(Comment(style, body.rstrip("\r"), start, self.line, end_line,
                                         self.current))
        self.out.comment_lines.update(range(self.line, end_line + 1))
        self.line, self.pos = end_line, stop

    def _interpolation(self, offset: int) -> bool:
        """At `${` or `%{` (not `$${`/`%%{`): enter the expression; True when entered."""
        text = self.text
        if text.startswith(("$${", "%%{"), offset):
            self.pos = offset + 3
            return False
        if text.startswith(("${", "%{"), offset):
            self.stack.append(_Mode("normal"))
            self.pos = offset + 2
            return True
        self.pos = offset + 1
        return False

    def _quoted(self, mode: _Mode) -> None:
        match = _QUOTED.search(self.text, self.pos)
        if match is None:
            self.pos = len(self.text)
            return
        offset, char = match.start(), match.group()
        if char == "\n":
            raise HclError(self.line, "a quoted string is not closed on its line")
        if char == "\\":
            self.pos = offset + 2
        elif char == '"':
            self.stack.pop()
            self.pos = offset + 1
            if self._top() and self.header and self.header[-1] == "":
                self.header[-1] = self.text[mode.start:offset] if mode.plain else None
        elif self._interpolation(offset):
            mode.plain = False

    def _heredoc(self, mode: _Mode) -> None:
        text = self.text
        self.out.code_lines.add(self.line)
        if mode.line_start:
            mode.line_start = False
            end = mode.closing.match(text, self.pos) if mode.closing else None
            if end:
                self.stack.pop()
                self.pos = end.end()
                return
        match = _HEREDOC_TEXT.search(text, self.pos)
        if match is None:
            self.pos = len(text)
        elif match.group() == "\n":
            self.line += 1
            self.pos = match.end()
            mode.line_start = True
        else:
            self._interpolation(match.start())


def layout(text: str) -> Layout:
    """The comments, top-level blocks and code lines of one file's text (HclError if broken)."""
    return _Scanner(text).run()
