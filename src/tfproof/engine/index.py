"""One index over a plan and its configuration references, built once per scan.

Relations that decide compliance often live in another resource (a bucket
policy, a public access block, a security group rule, a parameter group), and
they are tied to their target by configuration references, not by names. This
index resolves every reference of every resource once: through module
variables and outputs (references inside a module are module-relative), and
down to instances when `count` / `for_each` expand them. Policies then ask
"who points at this bucket through `bucket`?" in O(1).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

from tfproof.engine.addresses import (
    DATA_RE,
    MODULE_RE,
    REF_RE,
    SKIP_PREFIXES,
    instance_key,
    module_prefix,
    split_address,
    walk_refs,
)
from tfproof.engine.plan_parts import data_sources, provider_default_tags
from tfproof.plan import Plan, Resource, config_address

_Target = tuple[str, str | None]


class PlanIndex:
    """Resolved references and reverse references over one plan (read-only)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.resources = plan.resources
        self._calls: dict[tuple[str, ...], dict[str, Any]] = {}
        self._index_modules(plan.raw.get("configuration", {}).get("root_module", {}), ())
        self.by_config: dict[str, list[Resource]] = defaultdict(list)
        self.by_type: dict[str, list[Resource]] = defaultdict(list)
        for resource in self.resources.values():
            self.by_config[config_address(resource.address)].append(resource)
            self.by_type[resource.type].append(resource)
        self.data_by_config: dict[str, list[Resource]] = defaultdict(list)
        for data in data_sources(self.plan.raw):
            self.data_by_config[config_address(data.address)].append(data)
        self._resolve_memo: dict[tuple[tuple[str, ...], str], tuple[_Target, ...]] = {}
        self._refs_memo: dict[tuple[str, str], list[Resource]] = {}
        self._literal_memo: dict[tuple[str, str], dict[str, list[Resource]]] = {}
        self._policy_memo: dict[tuple[str, str], Any] = {}
        self._walk_memo: dict[str, dict[str, list[tuple[str, list[str]]]]] = {}
        self._path_memo: dict[str, tuple[str, ...]] = {}
        self._prefix_memo: dict[str, str] = {}
        self._reverse_memo: dict[str, dict[str, list[tuple[str, Resource]]]] = {}

    # -- configuration -------------------------------------------------------------------------

    def _index_modules(self, module: dict[str, Any], path: tuple[str, ...]) -> None:
        self._calls[path] = module
        for name, call in module.get("module_calls", {}).items():
            self._index_modules(call.get("module", {}), (*path, name))

    def default_tags(self, resource: Resource) -> dict[str, Any] | None:
        """The provider default_tags that apply to `resource` ({} none, None = not constant)."""
        return provider_default_tags(self.plan.raw, resource)

    def modules(self) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
        """Every module of the configuration with its call path (root first)."""
        return list(self._calls.items())

    def module_path(self, address: str) -> tuple[str, ...]:
        """Module call names of an address (instance keys dropped)."""
        config = config_address(address)
        found = self._path_memo.get(config)
        if found is None:
            parts = split_address(config)
            found = tuple(parts[i + 1] for i in range(0, len(parts) - 2, 2)
                          if parts[i] == "module")
            self._path_memo[config] = found
        return found

    def _prefix(self, address: str) -> str:
        found = self._prefix_memo.get(address)
        if found is None:
            found = self._prefix_memo[address] = module_prefix(address)
        return found

    def _resolve(self, path: tuple[str, ...], ref: str) -> tuple[_Target, ...]:
        """Configuration addresses (with a literal instance key, if any) a reference reaches."""
        memo_key = (path, ref)
        if memo_key in self._resolve_memo:
            return self._resolve_memo[memo_key]
        self._resolve_memo[memo_key] = ()  # cycle guard
        out: list[tuple[str, str | None]] = []
        prefix = "".join(f"module.{p}." for p in path)
        if ref.startswith("module."):
            match = MODULE_RE.match(ref)
            if match and match.group(3):
                call_module = self._calls.get((*path, match.group(1)), {})
                output = call_module.get("outputs", {}).get(match.group(3), {})
                for inner in output.get("expression", {}).get("references", []):
                    out.extend(self._resolve((*path, match.group(1)), inner))
        elif ref.startswith("var."):
            if path:
                name = ref.split(".")[1].split("[")[0]
                parent = self._calls.get(path[:-1], {})
                call = parent.get("module_calls", {}).get(path[-1], {})
                for inner in call.get("expressions", {}).get(name, {}).get("references", []):
                    out.extend(self._resolve(path[:-1], inner))
        elif ref.startswith("data."):
            match = DATA_RE.match(ref)
            if match:
                key = match.group(3)[1:-1] if match.group(3) else None
                out.append((f"{prefix}data.{match.group(1)}.{match.group(2)}", key))
        elif not ref.startswith(SKIP_PREFIXES):
            match = REF_RE.match(ref)
            if match:
                key = match.group(3)[1:-1] if match.group(3) else None
                out.append((f"{prefix}{match.group(1)}.{match.group(2)}", key))
        result = tuple(dict.fromkeys(out))
        self._resolve_memo[memo_key] = result
        return result

    def _refs_by_top(self, resource: Resource) -> dict[str, list[tuple[str, list[str]]]]:
        """(attribute path, references) grouped by top-level argument, walked once per resource."""
        cached = self._walk_memo.get(resource.address)
        if cached is None:
            cached = {}
            for attr_path, refs in walk_refs(resource.expressions, ""):
                cached.setdefault(attr_path.split(".")[0], []).append((attr_path, refs))
            self._walk_memo[resource.address] = cached
        return cached

    def _targets(
        self, resource: Resource, attribute: str, data: bool
    ) -> Iterator[Resource]:
        path = self.module_path(resource.address)
        for attr_path, refs in self._refs_by_top(resource).get(attribute.split(".")[0], []):
            if attr_path != attribute and not attr_path.startswith(attribute + "."):
                continue
            for ref, key_override in self._expand_each(resource, refs):
                for target_config, key in self._resolve(path, ref):
                    is_data = ".data." in f".{target_config}"
                    if is_data == data:
                        yield from self._instances(resource, target_config,
                                                   key_override or key, data=data)

    def references(self, resource: Resource, attribute: str) -> list[Resource]:
        """Resource instances that one attribute of `resource` refers to (through modules too).

        `attribute` is a top-level argument or a dotted path into blocks
        (`ingress.security_groups`); a top-level name also covers its blocks.
        """
        memo_key = (resource.address, attribute)
        if memo_key not in self._refs_memo:
            found = {t.address: t for t in self._targets(resource, attribute, data=False)}
            self._refs_memo[memo_key] = list(found.values())
        return self._refs_memo[memo_key]

    @staticmethod
    def _expand_each(resource: Resource, refs: list[str]) -> list[tuple[str, str | None]]:
        """`each.value` stands for the for_each collection's element with this instance's key."""
        out: list[tuple[str, str | None]] = []
        for ref in refs:
            if ref.startswith("each.value"):
                key = instance_key(resource.address)
                source = resource.config.get("for_each_expression", {}).get("references", [])
                out.extend((inner, key) for inner in source)
            else:
                out.append((ref, None))
        return out

    def data_references(self, resource: Resource, attribute: str) -> list[Resource]:
        """Data sources (e.g. aws_iam_policy_document) that one attribute of `resource` reads."""
        found = {t.address: t for t in self._targets(resource, attribute, data=True)}
        return list(found.values())

    def _instances(
        self, source: Resource, config_addr: str, key: str | None, data: bool = False
    ) -> list[Resource]:
        """Instances of a configuration address, narrowed to the one `source` means."""
        candidates = (self.data_by_config if data else self.by_config).get(config_addr, [])
        if len(candidates) <= 1:
            return candidates
        if key is not None:
            narrowed = [c for c in candidates if instance_key(c.address) == key]
            if narrowed:
                return narrowed
        same_module = self._prefix(source.address)
        if same_module:
            narrowed = [c for c in candidates if self._prefix(c.address) == same_module]
            if narrowed and len(narrowed) < len(candidates):
                candidates = narrowed
                if len(candidates) == 1:
                    return candidates
        own_key = instance_key(source.address)
        if own_key is not None:
            narrowed = [c for c in candidates if instance_key(c.address) == own_key]
            if narrowed:
                return narrowed
        return candidates

    def _reverse_of(self, resource_type: str) -> dict[str, list[tuple[str, Resource]]]:
        """target address -> [(top-level attribute, referrer)] for referrers of one type.

        Built on first use, once per type: a scan only ever asks who points at
        a target from a handful of types (bucket settings, rules, policies), so
        the references of every other resource are never resolved.
        """
        found = self._reverse_memo.get(resource_type)
        if found is None:
            found = defaultdict(list)
            for resource in self.by_type.get(resource_type, ()):
                for top in self._refs_by_top(resource):
                    for target in self.references(resource, top):
                        found[target.address].append((top, resource))
            self._reverse_memo[resource_type] = found
        return found

    def referrers(
        self, target: Resource, types: tuple[str, ...] | str, attribute: str | None = None
    ) -> list[Resource]:
        """Resources of `types` whose `attribute` (any, if None) refers to `target`.

        Referrers come in plan order, then those that name the target by a
        literal id, name or arn.
        """
        wanted = (types,) if isinstance(types, str) else types
        hits: dict[str, Resource] = {}
        for resource_type in dict.fromkeys(wanted):
            for attr, resource in self._reverse_of(resource_type).get(target.address, ()):
                if attribute is None or attr == attribute:
                    hits[resource.address] = resource
        out = hits
        if len(wanted) > 1 and len(hits) > 1:
            order = self._position
            out = {a: hits[a] for a in sorted(hits, key=order.__getitem__)}
        for resource in self._value_matches(target, wanted, attribute):
            out.setdefault(resource.address, resource)
        return list(out.values())

    @cached_property
    def _position(self) -> dict[str, int]:
        """Plan order of every managed resource (referrers keep it across types)."""
        return {address: i for i, address in enumerate(self.resources)}

    def _value_matches(
        self, target: Resource, types: tuple[str, ...], attribute: str | None
    ) -> list[Resource]:
        """Referrers whose attribute holds the target's id, name or arn as a known literal."""
        if attribute is None:
            return []
        out = []
        for key in ("id", "bucket", "arn", "name"):
            value = target.values.get(key)
            if isinstance(value, str) and value:
                for wanted in types:
                    out.extend(self._literal_index(wanted, attribute).get(value, []))
        return out

    def _literal_index(self, resource_type: str, attribute: str) -> dict[str, list[Resource]]:
        """value -> resources of a type whose attribute is that literal (built once per pair)."""
        key = (resource_type, attribute)
        found = self._literal_memo.get(key)
        if found is None:
            found = defaultdict(list)
            for resource in self.by_type.get(resource_type, []):
                if resource.references(attribute):
                    continue
                value = resource.values.get(attribute)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and item:
                        found[item].append(resource)
            self._literal_memo[key] = found
        return found

    def memo(self, namespace: str, key: str, compute: Callable[[], Any]) -> Any:
        """Per-plan memo for policies (e.g. one result per configuration block, not instance)."""
        slot = (namespace, key)
        if slot not in self._policy_memo:
            self._policy_memo[slot] = compute()
        return self._policy_memo[slot]

    def of_type(self, *types: str) -> list[Resource]:
        """Every instance of the given resource types."""
        return [r for t in types for r in self.by_type.get(t, [])]
