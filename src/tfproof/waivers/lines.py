"""Reading a waivers file as YAML nodes, so every problem can name its line.

`yaml.safe_load` forgets where a value came from and raises bare ValueErrors
on some scalars (an impossible date), so the file is composed into nodes (each
with its start mark) and every field is constructed on its own: a value that
cannot be built becomes a problem of that field at that line, and the schema
(`tfproof.waivers.schema`) judges the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tfproof.errors import InputError
from tfproof.waivers.schema import FIELDS, HINTS, BadTimestamp, close, kind, label, show

# What a value's construction may raise on hostile input (`!!int abc`, `!!bool maybe`, ...).
_UNREADABLE = (yaml.YAMLError, ValueError, TypeError, KeyError, IndexError, AttributeError,
               OverflowError, RecursionError)
_STR, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map"
_ENTRY = ("Write each waiver as `- control: <ID>` with `resource:`, `reason:`, `owner:` and "
          "`expires:` on the lines below it, indented like `control:`.")
_LAYOUT = ("Write the file as `waivers:` followed by a list of waivers (`- control: ...` with "
           "resource, reason, owner and expires), or `waivers: []` for none.")


@dataclass
class Problem:
    """One thing wrong with the file: where (entry, field, lines) and what to write instead."""

    entry: int | None
    entry_line: int | None
    field: str | None
    line: int | None
    text: str
    hint: str | None = None


@dataclass
class Entry:
    """One waiver as written: its number, its line, its fields and the line of each field."""

    number: int
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # fields already reported as unreadable


class _Loader(yaml.SafeLoader):
    """The safe loader, but an impossible date (2027-02-30) is kept for the schema to report."""

    def timestamp(self, node: ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            return BadTimestamp(str(node.value))


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.timestamp)


def paragraph(path: Path, problems: list[Problem]) -> str:
    """The first problem (in file order) as one paragraph, and how many more there are."""
    problems = sorted(problems, key=lambda p: (p.line or p.entry_line or 0, p.entry or 0))
    first = problems[0]
    where = f"The waivers file {path}"
    if first.entry is not None:
        where += f", waiver #{first.entry} (line {first.entry_line})"
    if first.field is not None:
        where += f", {label(first.field)}" + (f" (line {first.line})" if first.line else "")
    elif first.entry is None and first.line:
        where += f", line {first.line}"
    verb = first.text.startswith(("is ", "lacks ", "has ", "cannot "))
    text = f"{where} {first.text}." if verb else f"{where}: {first.text}."
    if first.hint:
        text += f" {first.hint}"
    rest = problems[1:]
    if rest:
        lines = sorted({p.line or p.entry_line or 0 for p in rest} - {0})
        at = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
        where = f", at line{'s' if len(lines) > 1 else ''} {at}" if lines else ""
        text += (f" (and {len(rest)} more problem{'s' if len(rest) > 1 else ''} in this file"
                 f"{where}: fix them all before rerunning.)")
    return text


def read_entries(path: Path, text: str) -> tuple[list[Entry], list[Problem]]:
    """The entries of the file (fields still unvalidated) and the problems found reading them.

    A problem with the file as a whole (unreadable, not YAML, wrong layout) is
    raised at once; problems of single entries are collected for one report.
    """
    try:
        loader = _Loader(text)  # the reader rejects unprintable characters right here
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise InputError(f"The waivers file {path} is not valid YAML: {_yaml_error(exc, text)}. "
                         "Fix the syntax there.") from exc
    except RecursionError as exc:
        raise InputError(f"The waivers file {path} nests too deep to be a waivers file. "
                         f"{_LAYOUT}") from exc
    if root is None:
        raise InputError(f"The waivers file {path} is empty. {_LAYOUT}")
    if not isinstance(root, MappingNode) or root.tag != _MAP:
        raise InputError(f"The waivers file {path} holds {_node_kind(loader, root)} at the top "
                         f"(line {_line(root)}), not a mapping. {_LAYOUT}")
    top, problems = _mapping(loader, root, None)
    if top is None:
        raise InputError(paragraph(path, problems))
    for name in top.fields.keys() - {"waivers"}:
        problems.append(Problem(None, None, name, top.lines[name],
                                "is not a key of a waivers file (only `waivers:` is)"
                                + close(name, ["waivers"], quote=True), "Rename or remove it."))
    if "waivers" not in top.fields and not problems:
        raise InputError(f"The waivers file {path} has no `waivers:` key. {_LAYOUT}")
    node = top.fields.get("waivers")
    if "waivers" in top.fields and not isinstance(node, SequenceNode):
        what = "empty" if _is_null(node) else f"{_node_kind(loader, node)}, not a list"
        problems.append(Problem(None, None, None, top.lines["waivers"],
                                f"`waivers:` is {what}", _LAYOUT))
    entries = []
    for number, item in enumerate(node.value if isinstance(node, SequenceNode) else [], 1):
        if not isinstance(item, MappingNode) or item.tag != _MAP:
            problems.append(Problem(number, _line(item), None, None,
                                    f"is {_node_kind(loader, item)}, not a mapping of fields",
                                    _ENTRY))
            continue
        entry, found = _mapping(loader, item, number)
        problems += found
        if entry is None:
            continue
        entry.fields = {k: _value(loader, v, entry, k, problems) for k, v in entry.fields.items()}
        entries.append(entry)
    return entries, problems


def _mapping(
    loader: _Loader, node: MappingNode, number: int | None
) -> tuple[Entry | None, list[Problem]]:
    """Field name -> value node of one mapping (merge keys applied), and its key problems.

    None when a merge key (`<<`) cannot be applied: its fields are then unknown,
    and listing every field as missing would bury the one real problem.
    """
    entry = Entry(number or 0, _line(node))
    problems: list[Problem] = []

    def problem(name: str | None, line: int, text: str, hint: str | None = None) -> None:
        problems.append(Problem(number, entry.line if number else None, name, line, text, hint))

    seen: dict[str, int] = {}
    for key, _ in node.value:  # YAML keeps the last of two equal keys without a word
        if isinstance(key, ScalarNode) and key.tag == _STR:
            if key.value in seen:
                problem(key.value, _line(key), f"is given twice (first at line {seen[key.value]}),"
                        " and YAML would silently keep only the last", "Keep one of them.")
            seen.setdefault(key.value, _line(key))
    try:
        loader.flatten_mapping(node)
    except _UNREADABLE as exc:
        problem(None, _line(node), f"has a merge key (`<<`) that cannot be applied: "
                f"{_reason(exc, node)}", "Merge only mappings defined above with `&anchor`.")
        return None, problems
    for key, value in node.value:
        if not (isinstance(key, ScalarNode) and key.tag == _STR):
            problem(None, _line(key), f"has a key at line {_line(key)} that is "
                    f"{_node_kind(loader, key)}, not a field name; the fields are "
                    f"{', '.join(FIELDS)}")
            continue
        entry.fields[key.value] = value
        entry.lines[key.value] = _line(key)
    return entry, problems


def _value(loader: _Loader, node: Node, entry: Entry, name: str, problems: list[Problem]) -> Any:
    """One field's value; one that YAML cannot build (`!!int abc`) is a problem of that field."""
    try:
        return _construct(loader, node)
    except _UNREADABLE as exc:
        entry.unreadable.add(name)
        problems.append(Problem(entry.number, entry.line, name, entry.lines[name],
                                f"cannot be read: {_reason(exc, node)}", HINTS.get(name)))
        return None


def _construct(loader: _Loader, node: Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    finally:  # a failed construction must not leave state behind for the next field
        loader.constructed_objects, loader.recursive_objects = {}, {}
        loader.state_generators = []


def _node_kind(loader: _Loader, node: Node | None) -> str:
    if node is None:
        return "empty"
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        if node.tag == _MAP:
            return "a mapping"
        return "a set" if node.tag == "tag:yaml.org,2002:set" else f"a {show(node.tag)} value"
    try:
        return kind(_construct(loader, node))
    except _UNREADABLE:
        return f"an unreadable {show(node.tag)} value"


def _reason(exc: BaseException, node: Node) -> str:
    if isinstance(exc, yaml.YAMLError):
        text = getattr(exc, "problem", None) or str(exc)
    elif isinstance(exc, RecursionError):
        text = "it nests too deep"
    else:
        value = node.value if isinstance(node, ScalarNode) else ""
        text = f"YAML cannot build a {show(node.tag)} value from {show(str(value))}"
    return " ".join(str(text).split())


def _yaml_error(exc: yaml.YAMLError, text: str) -> str:
    """A YAML syntax error on one line, with the line and column it is at."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        out = f"character {char:#06x} is not allowed in YAML (line {line})"
        if "\x00" in text:
            out += ("; NUL bytes mean binary data or UTF-16 without a byte-order mark: save it "
                    "as UTF-8")
        return out
    problem = getattr(exc, "problem", None) or str(exc)
    mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context", None)
    out = " ".join(str(problem).split())
    if mark is not None:
        out += f" at line {mark.line + 1}, column {mark.column + 1}"
    if context:
        out += f" ({' '.join(str(context).split())})"
    return out


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null")
