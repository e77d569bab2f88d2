"""Splitting a plan for checkov: parts cover every resource once, keep every reference, and
change only where the plan changed (what makes a re-scan of a pull request cheap).

These run on plan JSON built here, without checkov; tests/compliance/test_checkov_partition.py
holds the parts against checkov's own graph and verdicts.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfproof.checkov import cache, edges, partition

TYPES = ("aws_s3_bucket", "aws_s3_bucket_policy", "aws_kms_key", "aws_iam_role")


def _resource(module: str, rtype: str, name: str, values: dict[str, Any],
              mode: str = "managed") -> dict[str, Any]:
    prefix = f"{module}." if module else ""
    data = "data." if mode == "data" else ""
    return {"address": f"{prefix}{data}{rtype}.{name}", "mode": mode, "type": rtype,
            "name": name, "values": values}


def _plan(modules: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A plan JSON: module address -> its resources (children nest by address)."""
    nodes: dict[str, dict[str, Any]] = {"": {"resources": []}}

    def node(address: str) -> dict[str, Any]:
        if address not in nodes:
            nodes[address] = {"address": address, "resources": []}
            parent = address.rsplit(".module.", 1)[0] if ".module." in address else ""
            node(parent).setdefault("child_modules", []).append(nodes[address])
        return nodes[address]

    for address in sorted(modules, key=lambda a: a.count("module.")):
        node(address)["resources"] = modules[address]
    changes = [{"address": r["address"], "mode": r["mode"], "type": r["type"],
                "name": r["name"], "change": {"actions": ["create"], "before": None,
                                             "after": r["values"]}}
               for resources in modules.values() for r in resources]
    return {"format_version": "1.2", "terraform_version": "1.9.0", "timestamp": "now",
            "planned_values": {"root_module": nodes[""]}, "resource_changes": changes,
            "configuration": {"provider_config": {"aws": {"name": "aws"}},
                              "root_module": {}}}


def _by_address(parts: list[partition.Part]) -> dict[str, int]:
    return {address: i for i, part in enumerate(parts) for address in part.addresses}


def test_a_reference_in_a_value_joins_the_two_resources() -> None:
    raw = _plan({"": [
        _resource("", "aws_s3_bucket", "logs", {"bucket": "logs"}),
        _resource("", "aws_s3_bucket_policy", "logs", {"bucket": "${aws_s3_bucket.logs.id}"}),
        _resource("", "aws_kms_key", "alone", {"description": "nothing here"}),
    ]})
    owner = _by_address(partition.parts(raw, set(TYPES)))
    assert owner["aws_s3_bucket.logs"] == owner["aws_s3_bucket_policy.logs"]
    assert owner["aws_kms_key.alone"] != owner["aws_s3_bucket.logs"]


def test_checkov_picks_the_same_named_resource_of_the_same_module_instance() -> None:
    modules = {f"module.app[{i}]": [
        _resource(f"module.app[{i}]", "aws_s3_bucket", "this", {"bucket": f"b{i}"}),
        _resource(f"module.app[{i}]", "aws_s3_bucket_policy", "this",
                  {"bucket": "aws_s3_bucket.this.id"}),
    ] for i in range(3)}
    raw = _plan(modules)
    parts = partition.parts(raw, set(TYPES))
    assert len(parts) == 3  # one per instance, not one for all
    for part in parts:
        assert len({a.split(".aws_")[0] for a in part.addresses}) == 1


def test_a_name_missing_from_its_own_instance_joins_the_first_elsewhere() -> None:
    """checkov connects a dangling name to the first vertex tied for it (a count = 0
    resource in one instance of a module): the part must hold that vertex too."""
    modules = {f"module.app[{i}]": [
        _resource(f"module.app[{i}]", "aws_s3_bucket", "this", {"bucket": f"b{i}"}),
    ] for i in range(3)}
    modules["module.other"] = [
        _resource("module.other", "aws_s3_bucket_policy", "p", {"bucket": "aws_s3_bucket.this"}),
    ]
    owner = _by_address(partition.parts(_plan(modules), set(TYPES)))
    assert owner["module.other.aws_s3_bucket_policy.p"] == owner["module.app[0].aws_s3_bucket.this"]
    assert owner["module.app[1].aws_s3_bucket.this"] != owner["module.app[0].aws_s3_bucket.this"]


def test_references_are_found_in_every_form_checkov_reads() -> None:
    names = {("resource", "aws_s3_bucket.b"), ("data", "aws_iam_policy_document.d")}
    for text, expected in [
        ("${aws_s3_bucket.b.arn}", ("resource", "aws_s3_bucket.b")),
        ("concat(aws_s3_bucket.b[0].arn)", ("resource", "aws_s3_bucket.b")),
        ('{"Resource": "x", "Ref": "aws_s3_bucket.b"}', ("resource", "aws_s3_bucket.b")),
        ("a, aws_s3_bucket.b", ("resource", "aws_s3_bucket.b")),
        ("data.aws_iam_policy_document.d.json", ("data", "aws_iam_policy_document.d")),
        ("module.x.aws_s3_bucket.b", ("resource", "aws_s3_bucket.b")),
    ]:
        assert expected in edges.references([text], names), text
    assert not edges.references(["xaws_s3_bucket.b", "aws_s3_bucketb", "b.c"], names)


def test_a_count_attribute_makes_ties_join_every_candidate() -> None:
    """checkov expands a block with a `count` attribute (its foreach handling); the parts
    then stop guessing which tied vertex it connects and join them all."""
    modules = {f"module.app[{i}]": [
        _resource(f"module.app[{i}]", "aws_s3_bucket", "this", {"bucket": f"b{i}", "count": 1}),
    ] for i in range(2)}
    modules["module.other"] = [
        _resource("module.other", "aws_s3_bucket_policy", "p", {"bucket": "aws_s3_bucket.this"}),
    ]
    parts = partition.parts(_plan(modules), set(TYPES))
    assert len(parts) == 1


def test_a_document_holds_its_part_and_nothing_volatile() -> None:
    raw = _plan({"module.a": [_resource("module.a", "aws_s3_bucket", "x", {"bucket": "x"}),
                              _resource("module.a", "aws_iam_role", "r", {"name": "r"})],
                 "": [_resource("", "aws_kms_key", "k", {"description": "k"})]})
    raw["configuration"]["root_module"] = {
        "resources": [{"address": "aws_kms_key.k", "type": "aws_kms_key", "name": "k"}],
        "module_calls": {"a": {"module": {"resources": [
            {"address": "aws_s3_bucket.x", "type": "aws_s3_bucket", "name": "x"},
            {"address": "aws_iam_role.r", "type": "aws_iam_role", "name": "r"}]}}},
    }
    kept = {"aws_s3_bucket", "aws_kms_key"}  # the role's type is read by no check
    part = next(p for p in partition.parts(raw, kept) if "module.a.aws_s3_bucket.x" in p.addresses)
    doc = partition.document(raw, part.vertices)
    assert "timestamp" not in doc and doc["terraform_version"] == "1.9.0"
    assert doc["planned_values"]["root_module"] == {"child_modules": [
        {"address": "module.a", "resources": [raw["planned_values"]["root_module"]
                                              ["child_modules"][0]["resources"][0]]}]}
    assert [c["address"] for c in doc["resource_changes"]] == ["module.a.aws_s3_bucket.x"]
    assert doc["configuration"] == {
        "provider_config": {"aws": {"name": "aws"}},
        "root_module": {"module_calls": {"a": {"module": {"resources": [
            {"address": "aws_s3_bucket.x", "type": "aws_s3_bucket", "name": "x"}]}}}}}


_NAME = st.sampled_from(["a", "b", "this", "main"])
_TYPE = st.sampled_from(TYPES)
_MODULE = st.sampled_from(["", "module.m", "module.m.module.n", 'module.k["x"]', "module.c[0]"])
_RESOURCE = st.tuples(_MODULE, _TYPE, _NAME, st.lists(st.tuples(_TYPE, _NAME), max_size=2),
                      st.booleans())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_RESOURCE, min_size=1, max_size=14), st.data())
def test_parts_cover_the_plan_and_change_only_where_it_changed(specs, data) -> None:
    modules: dict[str, list[dict[str, Any]]] = {}
    seen = set()
    for module, rtype, name, refs, is_data in specs:
        mode = "data" if is_data else "managed"
        if (module, rtype, name, mode) in seen:
            continue
        seen.add((module, rtype, name, mode))
        values = {"ref": " ".join(f"${{{t}.{n}.id}}" for t, n in refs), "tag": "v1"}
        modules.setdefault(module, []).append(_resource(module, rtype, name, values, mode))
    raw = _plan(modules)
    parts = partition.parts(raw, set(TYPES))
    addresses = [a for part in parts for a in part.addresses]
    assert sorted(addresses) == sorted(r["address"] for rs in modules.values() for r in rs)
    owner = _by_address(parts)
    # a reference to a name that exists once is always in the same part as its target
    for resources in modules.values():
        for resource in resources:
            for word in resource["values"]["ref"].split():
                target = word[2:-1].rsplit(".", 1)[0]
                found = [a for a in owner if a.endswith(f".{target}") or a == target]
                found = [a for a in found if ".data." not in a and not a.startswith("data.")]
                if len(found) == 1:
                    assert owner[resource["address"]] == owner[found[0]]

    # one value changed (not a reference): only the part holding it gets a new key
    def keys(plan: dict[str, Any]) -> list[bytes]:
        return [cache.canonical(partition.document(plan, p.vertices))
                for p in partition.parts(plan, set(TYPES))]

    before = keys(raw)
    changed = copy.deepcopy(raw)
    victims, stack = [], [changed["planned_values"]["root_module"]]
    while stack:
        module = stack.pop()
        victims += module.get("resources", [])
        stack += module.get("child_modules", [])
    victim = data.draw(st.sampled_from(victims))
    victim["values"]["tag"] = "v2"
    after = keys(changed)
    assert len(after) == len(before)
    assert sum(b != a for b, a in zip(before, after, strict=True)) == 1


def test_a_small_plan_gets_one_worker_a_big_one_every_core(monkeypatch) -> None:
    """A second checkov (~175 MB) pays back only on big plans; the setting always wins."""
    from tfproof.checkov import runner

    monkeypatch.delenv("TFPROOF_CHECKOV_WORKERS", raising=False)
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    assert [runner.worker_count(n) for n in (0, 2_000, 4_000, 4_001, 10_000, 50_000)] == [
        1, 1, 1, 2, 3, 4]
    assert runner.worker_count() == 4
    monkeypatch.setenv("TFPROOF_CHECKOV_WORKERS", "3")
    assert runner.worker_count(10) == 3


def test_the_parts_cache_drops_least_recently_used_entries_never_this_runs(tmp_path) -> None:
    """Each pull request adds parts; the folder stays bounded, oldest use first."""
    import os

    for number in range(6):
        cache.write(tmp_path, f"k{number}", {"n": number, "pad": "x" * 1000})
        os.utime(tmp_path / f"k{number}.json", (1000 + number, 1000 + number))
    assert cache.read(tmp_path, "k0", lambda doc: doc) is not None  # a hit renews k0
    size = (tmp_path / "k1.json").stat().st_size
    assert cache.prune(tmp_path, since=2000, max_bytes=3 * size) == 3
    assert sorted(p.stem for p in tmp_path.iterdir()) == ["k0", "k4", "k5"]
    assert cache.prune(tmp_path, since=0, max_bytes=0) == 0  # everything is this run's
