"""The `variable` blocks a Terraform file declares: each one's name, whether it is sensitive,
its literal default(s). Read from HCL text or from a `.tf.json` document.

Which `--var`s of a sandbox run are secrets (kept off the run record and the command
line) and which defaults the scrubber must know are decided here. These are regex
readers, not a parser (`tfproof.secrets` sits below the waivers' HCL scanner, and
checkov's HCL parser fails on valid files), so they err towards more secrets, never
fewer: a block's span runs to the next `variable` block or the next top-level block
header; whole-line comments and heredoc bodies are set aside first (a line of either
may look like a header or an argument); `sensitive` counts unless written false
(Terraform takes any constant that converts to true: `"true"`, `!false`). Every
layout that once hid a sensitive variable is in tests/evidence/test_hostile_secrets.py.
"""

from __future__ import annotations

import bisect
import json
import re
import textwrap
from collections.abc import Iterator
from typing import Any

_LABEL = r'(?:"[^"\n]*"|[A-Za-z_][\w-]*)'
# HCL takes a block label quoted or bare: `variable "key" {` and `variable key {`
_VARIABLE_START = re.compile(r'\bvariable\s+(?:"([^"\n]+)"|([A-Za-z_][\w-]*))\s*\{')
_TOP_LEVEL = re.compile(r"^(?:resource|data|module|output|locals|provider|terraform|moved|"
                        rf"import|removed|check)(?:[ \t]+{_LABEL})*[ \t]*\{{", re.MULTILINE)
_SENSITIVE = r'sensitive\s*=(?!\s*(?:false\b|"false"))'
_SENSITIVE_LINE = re.compile(rf"^\s*{_SENSITIVE}", re.MULTILINE)
_SENSITIVE_ONE_LINE = re.compile(rf"\{{[ \t]*{_SENSITIVE}")
_DEFAULT_LITERAL = re.compile(r'^\s*default\s*=\s*"((?:[^"\\$]|\\.)*)"', re.MULTILINE)
_COMMENT_LINE = re.compile(r"[ \t]*(?:#|//)")
_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*$")
_HEREDOC_DEFAULT = re.compile(r"^\s*default\s*=\s*<<#(\d+)$", re.MULTILINE)
_HEREDOC_LINE = 16  # a line of a heredoc default this long is a secret on its own


def variables(text: str) -> Iterator[tuple[str, bool, list[str]]]:
    """(name, declared sensitive, literal string defaults) of each variable `text` declares."""
    if text.lstrip().startswith("{"):  # JSON: no HCL file starts with a brace
        yield from _json_variables(text)
        return
    code, heredocs = _code(text)
    starts = list(_VARIABLE_START.finditer(code))
    for number, here in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(code)
        other = _TOP_LEVEL.search(code, here.end(), end)
        span = code[here.start():other.start() if other else end]
        sensitive = bool(_SENSITIVE_LINE.search(span) or _SENSITIVE_ONE_LINE.search(span))
        defaults = [v for v in _DEFAULT_LITERAL.findall(span) if v]
        for token in _HEREDOC_DEFAULT.findall(span):  # `default = <<EOT` (a PEM key, say)
            defaults += _heredoc_values(heredocs[int(token)])
        yield here.group(1) or here.group(2), sensitive, defaults


def _heredoc_values(body: str) -> list[str]:
    """The value of a heredoc default as a scrubber must know it: whole (Terraform's value
    ends with a newline) and each long line (a message may quote one line of a key)."""
    whole = body.rstrip("\n")
    return [v for v in {whole, *(line.strip() for line in body.splitlines()
                                 if len(line.strip()) >= _HEREDOC_LINE)} if v]


def _code(text: str) -> tuple[str, list[str]]:
    """`text` without whole-line comments and heredoc bodies, and the bodies: an opener
    `<<EOT` becomes `<<#N`, N the body's index (`<<-` bodies unindented as Terraform does).
    A heredoc opener with no closing line is no heredoc (its text is kept: a wrong guess
    must not hide code)."""
    lines = text.splitlines()
    where: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        where.setdefault(line.strip(), []).append(number)
    out: list[str] = []
    bodies: list[str] = []
    skip_to = -1
    for number, line in enumerate(lines):
        if number <= skip_to or _COMMENT_LINE.match(line):
            continue
        opener = _HEREDOC_OPEN.search(line)
        if opener:
            ends = where.get(opener.group(1), [])
            after = bisect.bisect_right(ends, number)
            if after < len(ends):
                skip_to = ends[after] - 1  # the closing line stays (it closes nothing)
                body = lines[number + 1:ends[after]]
                if opener.group(0).startswith("<<-"):
                    body = textwrap.dedent("\n".join(body)).splitlines()
                line = line[:opener.start()] + f"<<#{len(bodies)}"
                bodies.append("".join(f"{b}\n" for b in body))
        out.append(line)
    return "\n".join(out), bodies


def _json_variables(text: str) -> Iterator[tuple[str, bool, list[str]]]:
    """The variables of a `.tf.json` document: `"variable": {NAME: {...}}`, each level of
    which may also be a list (Terraform's JSON syntax for repeated blocks)."""
    try:
        document: Any = json.loads(text)
    except ValueError:
        return
    blocks = document.get("variable") if isinstance(document, dict) else None
    for group in blocks if isinstance(blocks, list) else [blocks]:
        if not isinstance(group, dict):
            continue
        for name, body in group.items():
            for one in body if isinstance(body, list) else [body]:
                if isinstance(one, dict):
                    default = one.get("default")
                    yield (str(name), one.get("sensitive") not in (None, False, "false"),
                           [default] if isinstance(default, str) and default else [])
