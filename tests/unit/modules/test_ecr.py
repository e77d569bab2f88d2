"""ecr: one gen-ai-<service> repository per service, scanned on push, immutable, KMS-encrypted,
with a lifecycle policy."""

from __future__ import annotations

import json

import pytest
from tftest import TerraformPlanOutput

from .support import EXAMPLE_KEY, assert_tagged, resources

pytestmark = pytest.mark.plan

SERVICES = ("search", "classification", "code")


@pytest.fixture(scope="module")
def plan(example_plan) -> TerraformPlanOutput:
    return example_plan("ecr")


@pytest.fixture(scope="module")
def this(plan: TerraformPlanOutput):
    """The module under test, as tftest keys it: resources by their address inside it."""
    return plan.modules["module.this"]


def test_inventory(plan: TerraformPlanOutput) -> None:
    expected = set()
    for service in SERVICES:
        expected.add(f'module.this.aws_ecr_repository.this["{service}"]')
        expected.add(f'module.this.aws_ecr_lifecycle_policy.this["{service}"]')
    assert set(resources(plan)) == expected


@pytest.mark.control("IMAGE-SCAN-PUSH", "ENC-REST")
@pytest.mark.parametrize("service", SERVICES)
def test_repository_scans_on_push_immutable_and_kms_encrypted(this, service: str) -> None:
    repo = this.resources[f'aws_ecr_repository.this["{service}"]']["values"]
    assert repo["name"] == f"gen-ai-{service}"
    assert repo["image_scanning_configuration"] == [{"scan_on_push": True}]
    assert repo["image_tag_mutability"] == "IMMUTABLE"
    assert repo["encryption_configuration"] == [{"encryption_type": "KMS", "kms_key": EXAMPLE_KEY}]
    assert repo["tags"]["Service"] == service


@pytest.mark.parametrize("service", SERVICES)
def test_lifecycle_policy_expires_untagged_and_caps_the_count(this, service: str) -> None:
    lifecycle = this.resources[f'aws_ecr_lifecycle_policy.this["{service}"]']["values"]
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
def test_repositories_merge_module_tags(plan: TerraformPlanOutput) -> None:
    assert_tagged(plan)
