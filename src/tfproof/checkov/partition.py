"""Split a plan into the parts checkov's checks can see together, so each can run alone.

checkov's terraform_plan runner judges a resource by its own values (resource
checks) and by the resources its graph connects it to (graph checks). Its graph
(`checkov.terraform.graph_builder.local_graph`) has one vertex per resource and
data source of `planned_values` (named `<type>.<name>`, whatever its module and
index) and an edge wherever a vertex's attributes hold a string that names
another vertex: `<type>.<name>...` or `data.<type>.<name>...`, found in planned
values and in the references of the resource's configuration block. When several
vertices carry that name, checkov picks the one whose address shares the longest
run of leading module parts with the referring one (ties: foreach keys, then
vertex order).

A connected component of that graph is judged the same alone as inside the
whole plan. `tfproof.checkov.edges` rebuilds the graph's edges (a superset of
checkov's: see there) and this module turns each component into a plan document
of its own: its vertices in their module tree, their changes, their
configuration blocks. The only global parts of a plan, the provider
configurations, go into every document. The runner treats a plan it must not
split (external checks, a check that reads more than a component) as one part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tfproof.checkov.edges import components

# checkov's own plan_parser: one match per module of an address (`module.a["k"]` -> a)
_MODULE_PART = re.compile(r'module\.([^.\[]+)(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?')
# top-level keys of a plan that checkov's plan parser reads or requires; everything else
# (timestamp, variables, output changes, prior state ...) would only make parts differ
_KEPT_KEYS = ("format_version", "terraform_version")


@dataclass
class Vertex:
    """One vertex of checkov's plan graph: a managed resource or a data source."""

    index: int
    address: str
    block: str  # "resource" or "data"
    name: str  # checkov's vertex name: <type>.<name>
    module: str  # the module instance address ("" for the root module)
    item: dict[str, Any]
    confs: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    parts: tuple[str, ...] = ()  # the address split at dots (checkov's comparison)
    rank: int = 0  # the vertex's position in checkov's graph (its tie-breaker)


@dataclass
class Part:
    """A set of vertices checkov judges the same alone as in the whole plan."""

    vertices: list[Vertex]

    @property
    def addresses(self) -> list[str]:
        """The addresses whose verdicts this part owns."""
        return [v.address for v in self.vertices]


def _module_conf(root_conf: dict[str, Any], module_address: str) -> dict[str, Any]:
    """The configuration of a module instance, as checkov's plan parser looks it up."""
    conf = root_conf
    for match in _MODULE_PART.finditer(module_address):
        conf = _dict(_dict(_dict(conf.get("module_calls")).get(match.group(1))).get("module"))
    return conf


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def vertices(raw: dict[str, Any], types: set[str] | None) -> list[Vertex]:
    """The plan's graph vertices in checkov's order: managed resources of `types` (all when
    None) and every data source, each with its candidate configuration blocks."""
    root_conf = _dict(_dict(raw.get("configuration")).get("root_module"))
    changes: dict[Any, list[dict[str, Any]]] = {}
    for change in _list(raw.get("resource_changes")):
        if isinstance(change, dict):
            changes.setdefault(change.get("address"), []).append(change)
    out: list[Vertex] = []

    def walk(module: dict[str, Any], root: bool) -> list[Vertex]:
        """The module's vertices (plan order in `out`), returned in checkov's vertex order:
        the root module's own first, in any other module its children's first."""
        module_address = module.get("address") or ""
        conf = _module_conf(root_conf, module_address) if module_address else root_conf
        by_name: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
        for entry in _list(conf.get("resources")):
            if isinstance(entry, dict):
                by_name.setdefault((entry.get("type"), entry.get("name")), []).append(entry)
        own = []
        for item in _list(module.get("resources")):
            if not isinstance(item, dict):
                continue
            mode = item.get("mode")
            if mode == "managed" and types is not None and item.get("type") not in types:
                continue
            if mode not in ("managed", "data"):
                continue
            address = str(item.get("address"))
            own.append(Vertex(
                index=len(out), address=address,
                block="data" if mode == "data" else "resource",
                name=f"{item.get('type')}.{item.get('name', 'default')}",
                module=module_address, item=item,
                confs=by_name.get((item.get("type"), item.get("name")), []),
                changes=changes.get(item.get("address"), []), parts=tuple(address.split(".")),
            ))
            out.append(own[-1])
        below = [v for child in _list(module.get("child_modules")) if isinstance(child, dict)
                 for v in walk(child, False)]
        return own + below if root else below + own

    for rank, vertex in enumerate(walk(_dict(_dict(raw.get("planned_values"))
                                             .get("root_module")), True)):
        vertex.rank = rank
    return out


def empty(raw: dict[str, Any]) -> bool:
    """True when the plan holds no resource and no data source (nothing for checkov)."""
    stack = [_dict(_dict(raw.get("planned_values")).get("root_module"))]
    while stack:
        module = stack.pop()
        if any(isinstance(r, dict) and r.get("mode") in ("managed", "data")
               for r in _list(module.get("resources"))):
            return False
        stack += [c for c in _list(module.get("child_modules")) if isinstance(c, dict)]
    return True


def parts(raw: dict[str, Any], types: set[str] | None,
          coupled: Iterable[tuple[str, str]] = ()) -> list[Part]:
    """The plan's vertices grouped into checkov's connected components, in plan order; a
    (block, type) of `coupled` keeps its same-named vertices in one part."""
    return [Part(members) for members in components(vertices(raw, types), set(coupled))]


def whole(raw: dict[str, Any], types: set[str] | None) -> list[Part]:
    """The plan as one part (a plan that must not be split), or none when it has no vertex."""
    nodes = vertices(raw, types)
    return [Part(nodes)] if nodes else []


def document(raw: dict[str, Any], chosen: list[Vertex]) -> dict[str, Any]:
    """A plan JSON holding only `chosen` (in plan order), with everything checkov reads about
    them: their planned values in their module tree, their changes, their configuration
    blocks, and every provider configuration."""
    root: dict[str, Any] = {}
    modules: dict[str, dict[str, Any]] = {"": root}
    conf_root: dict[str, Any] = {}
    listed: set[tuple[int, int]] = set()  # (module node, block) pairs already in the document
    ordered = sorted(chosen, key=lambda v: v.index)
    for vertex in ordered:
        _module_node(modules, vertex.module).setdefault("resources", []).append(vertex.item)
        if vertex.confs:
            node = _conf_node(conf_root, vertex.module)
            for entry in vertex.confs:  # module instances may share one configuration block
                if (id(node), id(entry)) not in listed:
                    listed.add((id(node), id(entry)))
                    node.setdefault("resources", []).append(entry)
    configuration: dict[str, Any] = {"root_module": conf_root}
    providers = _dict(raw.get("configuration")).get("provider_config")
    if providers is not None:
        configuration["provider_config"] = providers
    out = {key: raw[key] for key in _KEPT_KEYS if key in raw}
    out["planned_values"] = {"root_module": root}
    out["resource_changes"] = [c for v in ordered for c in v.changes]
    out["configuration"] = configuration
    return out


def _module_node(modules: dict[str, dict[str, Any]], address: str) -> dict[str, Any]:
    """The pruned planned_values module for `address`, created under its parent on first use."""
    node = modules.get(address)
    if node is None:
        cut = [m.start() for m in _MODULE_PART.finditer(address)]
        parent = _module_node(modules, address[:cut[-1] - 1] if len(cut) > 1 else "")
        node = {"address": address}
        parent.setdefault("child_modules", []).append(node)
        modules[address] = node
    return node


def _conf_node(conf_root: dict[str, Any], module_address: str) -> dict[str, Any]:
    """The pruned configuration module that checkov's lookup of `module_address` reaches."""
    node = conf_root
    for match in _MODULE_PART.finditer(module_address):
        calls = node.setdefault("module_calls", {})
        node = calls.setdefault(match.group(1), {"module": {}})["module"]
    return node


def trim_plan(raw_plan: dict[str, Any], types: set[str]) -> dict[str, Any]:
    """The plan with only managed resources of `types` (data sources and configuration stay whole):
    what one checkov run over the whole plan judges (the tests' reference for the parts).

    Addresses are unchanged, and references between kept resources still
    resolve; prior state and drift go (checkov's plan runner reads neither).
    """
    def keep(item: dict[str, Any]) -> bool:
        return item.get("mode") != "managed" or item.get("type") in types

    def module(mod: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in mod.items() if k not in ("resources", "child_modules")}
        out["resources"] = [r for r in mod.get("resources", []) if keep(r)]
        out["child_modules"] = [module(c) for c in mod.get("child_modules", [])]
        return out

    trimmed = {k: v for k, v in raw_plan.items()
               if k not in ("prior_state", "relevant_attributes", "resource_drift")}
    planned = raw_plan.get("planned_values", {})
    trimmed["planned_values"] = {**planned,
                                 "root_module": module(planned.get("root_module", {}))}
    trimmed["resource_changes"] = [c for c in raw_plan.get("resource_changes", []) if keep(c)]
    return trimmed
