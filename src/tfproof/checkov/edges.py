"""The edges of checkov's plan graph, rebuilt without checkov, to find its connected components.

checkov (`TerraformLocalGraph._build_edges_for_vertex`, checkov 3.2) looks for
references in every string attribute of a vertex: after removing function-call
prefixes, numeric indexes and `${ }`, each word split at `,` and `.` whose first
part is a resource type present in the graph names the vertex `<type>.<second>`,
and `data.<type>.<name>` a data source. Several vertices may carry that name (one
per module instance); checkov connects the one sharing the most leading address
parts with the referring vertex (when both are in modules), then, among those
tied, the first with the same count/for_each key, then the first in its vertex
order.

Here, so that a part can never miss an edge checkov would draw:

- every string is searched (keys too, JSON documents inside strings too), raw and
  in checkov's normalised form, for every `<word>.<word>` starting a word: a
  superset of checkov's words;
- the target is picked the way checkov picks it; when a plan holds something that
  would make checkov's picking depend on more than the addresses (a `count` or
  `for_each` attribute, which starts its foreach handling), every vertex tied for
  the name is joined instead.

tests/compliance/test_checkov_partition.py checks the result against the edges
of checkov's own graph and the verdicts against one checkov run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tfproof.checkov.partition import Vertex

_WORD = r"[A-Za-z0-9_\-]+"
# every `a.b` and `a.b.c` starting at the start of a word (overlapping: a lookahead)
_TOKEN = re.compile(rf"(?=(?<![A-Za-z0-9_\-])({_WORD})\.({_WORD})(?:\.({_WORD}))?)")
# checkov's normalisation before it splits a string into words (graph_builder.utils)
_FUNC_CALL = re.compile(r"([.a-zA-Z]+)\(")
_INDEX = re.compile(r"\[([0-9]+)\]")
# attributes that make checkov expand a block (its foreach handling), changing its vertices
_FOREACH_KEYS = ("count", "for_each")


def strings(value: Any) -> list[str]:
    """Every string in a JSON value that holds a dot (the rest cannot name a vertex): keys,
    values, and the strings inside JSON documents held in strings."""
    found: list[str] = []
    stack = [value]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is str:
            if "." in current:
                found.append(current)
                if current[:1] in ("{", "["):
                    try:
                        stack.append(json.loads(current))
                    except ValueError:
                        pass
        elif kind is dict:
            stack.extend(current)
            stack.extend(current.values())
        elif kind is list:
            stack.extend(current)
        elif isinstance(current, str | dict | list):  # subclasses: rare, but walked too
            stack.append(str(current) if isinstance(current, str) else
                         dict(current) if isinstance(current, dict) else list(current))
    return found


def _normalised(text: str) -> str:
    """The string as checkov's reference finder sees it before splitting it into words."""
    if "(" in text:
        text = _FUNC_CALL.sub("", text).replace(")", "")
    if "[" in text and "data." not in text:
        text = _INDEX.sub("", text).replace("[", " [ ").replace("]", " ] ")
    if "${" in text:
        text = text.replace("${", " ").replace("}", " ")
    return text


def references(texts: Iterable[str], names: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """(block, name) of every vertex name the strings may refer to (a superset of checkov's)."""
    found: set[tuple[str, str]] = set()
    for text in texts:
        normal = _normalised(text)
        for variant in (text,) if normal == text else (text, normal):
            for first, second, third in _TOKEN.findall(variant):
                key = ("resource", f"{first}.{second}")
                if key in names:
                    found.add(key)
                if first == "data" and third and ("data", f"{second}.{third}") in names:
                    found.add(("data", f"{second}.{third}"))
    return found


def foreach_key(address: str) -> str | None:
    """checkov's `get_terraform_foreach_or_count_key` (foreach/utils.py), as it is."""
    if '["' in address:
        sanitized = address.split('["', maxsplit=1)[-2]
    elif "[" in address:
        sanitized = address.split("[")[-2]
    else:
        return None
    if sanitized == address or not sanitized:
        return None
    key = address.split(sanitized)[-1]
    while key.startswith('["') and key.endswith('"]'):
        key = key[2:-2]
    while key.startswith("[") and key.endswith("]"):
        key = key[1:-1]
    return key


class Group:
    """The vertices sharing one name, in checkov's vertex order, indexed by leading parts."""

    def __init__(self, members: list[Vertex]) -> None:
        self.members = sorted(members, key=lambda v: v.rank)
        self.by_prefix: dict[tuple[str, ...], list[Vertex]] = {}
        for vertex in self.members:
            if vertex.address.startswith("module"):
                for length in range(1, len(vertex.parts) + 1):
                    self.by_prefix.setdefault(vertex.parts[:length], []).append(vertex)

    def tied(self, origin: Vertex) -> list[Vertex]:
        """The members sharing the most leading address parts with `origin` (checkov's
        `_get_common_prefix_name`: counted only when both addresses start with `module`)."""
        if len(self.members) > 1 and origin.address.startswith("module"):
            for length in range(len(origin.parts), 0, -1):
                found = self.by_prefix.get(origin.parts[:length])
                if found:
                    return found
        return self.members

    def pick(self, origin: Vertex) -> Vertex:
        """The member checkov connects `origin` to (`_find_vertex_with_best_match`)."""
        tied = self.tied(origin)
        if len(tied) > 1:
            key = foreach_key(origin.address)
            for vertex in tied:
                if foreach_key(vertex.address) == key:
                    return vertex
        return tied[0]


def components(nodes: list[Vertex],
               coupled: set[tuple[str, str]] | None = None) -> list[list[Vertex]]:
    """The vertices grouped into the connected components of checkov's graph, in plan order,
    with the vertices of one (block, type) of `coupled` and one name kept together."""
    by_name: dict[tuple[str, str], list[Vertex]] = {}
    for vertex in nodes:
        by_name.setdefault((vertex.block, vertex.name), []).append(vertex)
    groups = {name: Group(members) for name, members in by_name.items()}
    expanded = any(isinstance(v.item.get("values"), dict)
                   and any(k in v.item["values"] for k in _FOREACH_KEYS) for v in nodes)
    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a: int, b: int) -> None:
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    joined: set[int] = set()  # tied lists already joined among themselves
    names = set(groups)
    for vertex in nodes:
        texts = strings([vertex.item.get("values"), *vertex.confs])
        for name in references(texts, names):
            group = groups[name]
            if not expanded:
                join(vertex.index, group.pick(vertex).index)
                continue
            tied = group.tied(vertex)
            if id(tied) not in joined:
                joined.add(id(tied))
                for other in tied[1:]:
                    join(tied[0].index, other.index)
            join(vertex.index, tied[0].index)
    first: dict[tuple[str, str], int] = {}
    for vertex in nodes:
        if (vertex.block, str(vertex.item.get("type"))) in (coupled or ()):
            join(first.setdefault((vertex.block, vertex.name), vertex.index), vertex.index)
    members: dict[int, list[Vertex]] = {}
    for vertex in nodes:
        members.setdefault(find(vertex.index), []).append(vertex)
    return [members[root] for root in sorted(members)]
