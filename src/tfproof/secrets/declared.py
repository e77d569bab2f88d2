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


def variables(text: str) -> Iterator[tuple[str, bool, list[str]]]:
    """(name, declared sensitive, literal string defaults) of each variable `text` declares."""
    if text.lstrip().startswith("{"):  # JSON: no HCL file starts with a brace
        yield from _json_variables(text)
        return
    code = _code(text)
    starts = list(_VARIABLE_START.finditer(code))
    for number, here in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(code)
        other = _TOP_LEVEL.search(code, here.end(), end)
        span = code[here.start():other.start() if other else end]
        sensitive = bool(_SENSITIVE_LINE.search(span) or _SENSITIVE_ONE_LINE.search(span))
        yield (here.group(1) or here.group(2), sensitive,
               [v for v in _DEFAULT_LITERAL.findall(span) if v])


def _code(text: str) -> str:
    """`text` without whole-line comments and heredoc bodies. A heredoc opener with no
    closing line is no heredoc (its text is kept: a wrong guess must not hide code)."""
    lines = text.splitlines()
    where: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        where.setdefault(line.strip(), []).append(number)
    out: list[str] = []
    skip_to = -1
    for number, line in enumerate(lines):
        if number <= skip_to or _COMMENT_LINE.match(line):
            continue
        out.append(line)
        opener = _HEREDOC_OPEN.search(line)
        if opener:
            ends = where.get(opener.group(1), [])
            after = bisect.bisect_right(ends, number)
            if after < len(ends):
                skip_to = ends[after] - 1  # the closing line stays (it closes nothing)
    return "\n".join(out)


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
