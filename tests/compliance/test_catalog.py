"""The catalog as data: every check maps to exactly one existing control, no mapping is dangling."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfproof.engine.catalog import checkov_resource_types, load_catalog, load_checkov_map
from tfproof.engine.policy import load_policies, policies_dir

CONTROL_IDS = {
    "ENC-REST", "ENC-TRANSIT", "KEY-ROTATION", "TAGS", "TRAIL", "LOG-RETENTION", "NET-MIN",
    "NET-PRIVATE", "BACKUP", "ALARMS", "SECRETS", "IAM-LEAST", "IMAGE-SCAN-PUSH", "AUDIT-LOGS",
    "DR", "COST", "OBSERVABILITY",
}


def test_catalog_has_exactly_the_fixed_controls():
    controls = load_catalog()
    assert {c.id for c in controls} == CONTROL_IDS
    for control in controls:
        assert control.title and control.seed and control.holds_when
        assert set(control.references) == {"cis", "nist", "soc2"}
        assert control.references["nist"], control.id


def test_every_policy_has_metadata_and_one_known_control():
    ids = {c.id for c in load_catalog()}
    policies = load_policies()
    assert len(policies) >= 20
    for policy in policies:
        assert policy.control in ids, policy.id
        assert "resource" in policy.terraform or "provider" in policy.terraform or (
            "variable" in policy.terraform), policy.id
        assert policy.severity in ("critical", "high", "medium", "low", "info")
    files = {p.stem for p in (policies_dir() / "checks").glob("*.py") if p.stem != "__init__"}
    yamls = {p.stem for p in (policies_dir() / "checks").glob("*.yaml")}
    assert files == yamls, "every policy file needs its metadata beside it, and vice versa"


def test_every_checkov_mapping_names_a_control():
    ids = {c.id for c in load_catalog()}
    for check, mapping in load_checkov_map().items():
        assert mapping.control in ids, check


@pytest.mark.checkov
def test_every_checkov_mapping_names_an_existing_check():
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    known = {c.id for checks in resource_registry.checks.values() for c in checks}
    graph = get_graph_checks_registry("terraform")
    graph.load_checks()
    known |= {c.id for c in graph.checks}
    missing = sorted(set(load_checkov_map()) - known)
    assert not missing, f"checkov_map.yaml names checks checkov does not have: {missing}"
    types = set()
    for checks in resource_registry.checks.values():
        types |= {t for c in checks if c.id in load_checkov_map() for t in c.supported_resources}
    for check in graph.checks:
        if check.id in load_checkov_map():
            types |= set(getattr(check, "resource_types", []) or [])
    aws = {t for t in types if t.startswith(("aws_", "data.aws_"))}
    assert set(checkov_resource_types()) == aws


def test_the_readme_lists_exactly_the_catalog_controls():
    """The README's Controls section is what users read: it must name every control, no other."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Controls", 1)[1].split("\n## ", 1)[0]
    names = section.split("references):", 1)[1].split("\n\n", 1)[0]
    listed = {name.strip(" .\n") for name in names.split(",")}
    assert listed == CONTROL_IDS
