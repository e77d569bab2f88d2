"""The catalog as data: every check maps to exactly one existing control, no mapping is dangling.

Each control is a promise of docs/requirements.md (its section, headed by the
control's ID, quotes the design's words); policy files are named after their IDs;
and nothing in the repository points at documents outside it.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tfproof.engine.catalog import checkov_resource_types, load_catalog, load_checkov_map
from tfproof.engine.policy import load_policies, policies_dir

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "docs" / "requirements.md"

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


def test_every_check_rolls_up_into_exactly_one_control():
    """Each custom policy and each mapped checkov check sits under one control, once."""
    placed = Counter(check for control in load_catalog()
                     for check in (*control.checks, *control.advisory_checks))
    for policy in load_policies():
        assert isinstance(policy.control, str), f"{policy.id}: `control` names one control"
    wanted = [p.id for p in load_policies()] + list(load_checkov_map())
    assert {c: placed[c] for c in wanted if placed[c] != 1} == {}
    assert set(placed) == set(wanted)


def test_policy_id_file_name_and_metadata_agree():
    """A policy's files are named after its ID: TFP_ALARM_ALB_ERROR_RATE is
    alarm_alb_error_rate.py + alarm_alb_error_rate.yaml (the ID lowercased, without TFP_)."""
    checks = policies_dir() / "checks"
    ids = set()
    for py in sorted(p for p in checks.glob("*.py") if not p.name.startswith("_")):
        meta = yaml.safe_load(py.with_suffix(".yaml").read_text())
        policy_id = meta["id"]
        ids.add(policy_id)
        assert re.fullmatch(r"TFP_[A-Z0-9]+(_[A-Z0-9]+)*", policy_id), policy_id
        assert py.stem == policy_id.removeprefix("TFP_").lower(), (
            f"{py.name} holds {policy_id}: name its files "
            f"{policy_id.removeprefix('TFP_').lower()}.py/.yaml (git mv), keep the ID")
        named = set(re.findall(r"\bTFP_[A-Z0-9_]*[A-Z0-9]", py.read_text()))
        assert named <= {policy_id}, f"{py.name} names another policy's ID: {named}"
    assert ids == {p.id for p in load_policies()}
    assert all(p.name == p.id.removeprefix("TFP_").lower() for p in load_policies())


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


# -- the requirements the catalog cites, and nothing outside the repository ------------------


def _sections(markdown: str) -> dict[str, str]:
    """`### ID` heading -> the text up to the next heading."""
    parts = re.split(r"^(#{2,3}) (.+)$", markdown, flags=re.M)
    return {parts[i + 1].strip(): parts[i + 2] for i in range(1, len(parts) - 2, 3)
            if parts[i] == "###"}


def test_every_control_has_its_section_in_the_requirements():
    """docs/requirements.md has one section per control: it quotes the control's seed words
    and names exactly the custom policies behind it; the catalog's `source` points there."""
    sections = _sections(REQUIREMENTS.read_text())
    raw = {c["id"]: c for c in yaml.safe_load((policies_dir() / "catalog.yaml").read_text())[
        "controls"]}
    assert set(sections) == set(raw) == CONTROL_IDS
    policies = {p.id: p.control for p in load_policies()}
    for control in load_catalog():
        section = sections[control.id]
        assert raw[control.id].get("source") == f"docs/requirements.md#{control.id.lower()}"
        for words in control.seed:
            assert words in section, f"section {control.id} does not quote {words!r}"
        named = set(re.findall(r"`(TFP_[A-Z0-9_]+)`", section))
        assert named == {p for p, c in policies.items() if c == control.id}, control.id


def _repository_files() -> list[Path]:
    """Tracked and untracked, not ignored, files (outside .git, .venv, caches, reports)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout
        return [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        skip = {".git", ".venv", ".cache", ".nox", "reports", "build"}
        return [p for p in ROOT.rglob("*") if not skip & set(p.relative_to(ROOT).parts)
                and not any(part.startswith(".") for part in p.relative_to(ROOT).parts[:-1])]


def _inside(path: Path) -> bool:
    return path == ROOT or ROOT in path.parents


# the documents the project once cited from beside the checkout (built from parts, so that
# this file does not name them itself)
_OUTSIDE = re.compile("|".join([re.escape("../" + "shared"), re.escape("/shared/" + "seed"),
                                re.escape("SPEC" + ".md"), "000_" + "1a3934259f052f85"]))
_MD_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)\s]*)?\)")
_TF_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"', re.M)


def test_no_file_points_outside_the_repository():
    """No file cites a document beside the checkout; links and module sources stay inside."""
    problems = []
    beside = f"{ROOT.parent}/" if ROOT.parent != ROOT.parent.parent else None
    for path in _repository_files():
        name = path.relative_to(ROOT).as_posix()
        if path.is_symlink() and not _inside(path.resolve()):
            problems.append(f"{name} links to {path.resolve()}")
        if not path.is_file():
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        for match in _OUTSIDE.finditer(text):
            problems.append(f"{name}: {match.group(0)}")
        if beside:
            # a folder that really sits beside the checkout (a clone in /tmp must not flag
            # every /tmp path a recorded benchmark mentions)
            problems += [f"{name}: {beside}{m}" for m in set(re.findall(
                re.escape(beside) + r"([\w.-]+)", text))
                if m != ROOT.name and (ROOT.parent / m).exists()]
        targets = _MD_LINK.findall(text) if name.endswith(".md") else []
        targets += _TF_SOURCE.findall(text) if name.endswith(".tf") else []
        for target in targets:
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            resolved = (path.parent / target).resolve()
            if not _inside(resolved) or not resolved.exists():
                problems.append(f"{name}: {target} is not a path of the repository")
    assert not problems, "\n".join(problems)
