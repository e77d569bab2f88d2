"""ecr: one gen-ai-<service> repository per service, scanned on push, immutable, KMS-encrypted,
with a lifecycle policy."""

from __future__ import annotations

import json

import pytest

from tfproof.plan import Plan

from .support import EXAMPLE_KEY, assert_tagged

pytestmark = pytest.mark.plan

SERVICES = ("search", "classification", "code")


@pytest.fixture(scope="module")
def plan(example_plan) -> Plan:
    return example_plan("ecr")


def test_inventory(plan: Plan) -> None:
    expected = set()
    for service in SERVICES:
        expected.add(f'module.this.aws_ecr_repository.this["{service}"]')
        expected.add(f'module.this.aws_ecr_lifecycle_policy.this["{service}"]')
    assert set(plan.resources) == expected


@pytest.mark.control("IMAGE-SCAN-PUSH", "ENC-REST")
@pytest.mark.parametrize("service", SERVICES)
def test_repository_scans_on_push_immutable_and_kms_encrypted(plan: Plan, service: str) -> None:
    repo = plan.resources[f'module.this.aws_ecr_repository.this["{service}"]']
    assert repo["name"] == f"gen-ai-{service}"
    assert repo["image_scanning_configuration"] == [{"scan_on_push": True}]
    assert repo["image_tag_mutability"] == "IMMUTABLE"
    assert repo["encryption_configuration"] == [{"encryption_type": "KMS", "kms_key": EXAMPLE_KEY}]
    assert repo["tags"]["Service"] == service


@pytest.mark.parametrize("service", SERVICES)
def test_lifecycle_policy_expires_untagged_and_caps_the_count(plan: Plan, service: str) -> None:
    lifecycle = plan.resources[f'module.this.aws_ecr_lifecycle_policy.this["{service}"]']
    assert lifecycle["repository"] == f"gen-ai-{service}"
    rules = {r["rulePriority"]: r for r in json.loads(lifecycle["policy"])["rules"]}
    assert rules[1]["selection"] == {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 14,
    }
    assert rules[2]["selection"] == {
        "tagStatus": "any",
        "countType": "imageCountMoreThan",
        "countNumber": 30,
    }
    assert all(rule["action"] == {"type": "expire"} for rule in rules.values())


@pytest.mark.control("TAGS")
def test_repositories_merge_module_tags(plan: Plan) -> None:
    assert_tagged(plan)
