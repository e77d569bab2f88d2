"""`terraform.diagnose` on Terraform's captured output: the cause, named, and the ways out.

Pure: captured stderr (fixtures/terraform_errors, see its README) and module text in,
a Diagnosis out; no Terraform runs here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tfproof.terraform.diagnose import Diagnosis, diagnose, errors, required_providers

CAPTURED = Path(__file__).parent / "fixtures" / "terraform_errors"
PLAN_WAY = "tfproof scan --plan plan.json"
CI_WAY = "terraform plan -out tf.plan && terraform show -json tf.plan > plan.json"

QUEUE = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
REMOTE_STATE = '''data "terraform_remote_state" "net" {
  backend = "s3"
  config = {
    bucket = "my-state"
    key    = "network/terraform.tfstate"
  }
}
'''
S3_BACKEND = '''terraform {
  backend "s3" {
    bucket = "my-state"
    key    = "app/terraform.tfstate"
  }
}
'''
TLS_GITHUB = '''terraform {
  required_providers {
    tls = { source = "hashicorp/tls", version = "~> 4.0" }
    github = {
      source  = "integrations/github"
      version = "~> 6.0"
    }
  }
}
'''


def captured(name: str) -> str:
    return (CAPTURED / f"{name}.txt").read_text()


def check(found: Diagnosis | None, cause: str) -> Diagnosis:
    assert found is not None
    assert found.cause == cause
    assert PLAN_WAY in found.message and CI_WAY in found.message
    assert "\n" not in found.message  # one paragraph
    return found


def test_aws_constraint_the_bundled_provider_does_not_meet() -> None:
    found = check(diagnose(captured("aws_5_constraint.init"), {"main.tf": QUEUE}, "init"),
                  "provider")
    assert "hashicorp/aws >= 5.0.0" in found.sentence
    assert "hashicorp/aws 3.39.0" in found.sentence
    assert "TFPROOF_PROVIDER_SOURCE=registry" in found.message


def test_locked_aws_provider() -> None:
    found = check(diagnose(captured("aws_locked.init"), {}, "init"), "provider")
    assert "hashicorp/aws >= 3.0.0" in found.sentence


def test_provider_that_is_not_bundled_any_version() -> None:
    found = check(diagnose(captured("random.init"), {"main.tf": QUEUE}, "init"), "provider")
    assert "hashicorp/random (any version)" in found.sentence


def test_several_providers_with_their_declared_constraints() -> None:
    found = check(diagnose(captured("tls_and_github.init"), {"versions.tf": TLS_GITHUB}, "init"),
                  "provider")
    assert "hashicorp/tls ~> 4.0" in found.sentence
    assert "integrations/github ~> 6.0" in found.sentence


def test_registry_already_allowed_says_so() -> None:
    found = check(diagnose(captured("random.init"), {}, "init", registry=True), "provider")
    assert "is set" in found.ways_out and "registry.terraform.io is reachable" in found.ways_out


@pytest.mark.parametrize(("name", "addresses"), [
    ("caller_identity.plan", ["data.aws_caller_identity.current"]),
    ("azs_and_ami.plan", ["data.aws_availability_zones.available", "data.aws_ami.ubuntu"]),
])
def test_data_source_that_calls_aws(name: str, addresses: list[str]) -> None:
    found = check(diagnose(captured(name), {"main.tf": QUEUE}, "plan"), "data_source")
    for address in addresses:
        assert address in found.sentence
    assert "TFPROOF_PROVIDER_SOURCE" not in found.message  # the registry would not help


def test_data_source_in_a_module_and_a_rejected_token() -> None:
    output = (
        "Error: error reading Availability Zones: AuthFailure: AWS was not able to validate "
        "the provided access credentials\n\n  with module.net.data.aws_availability_zones.all,\n"
        '  on net/main.tf line 1, in data "aws_availability_zones" "all":\n'
    )
    found = check(diagnose(output, {}, "plan"), "data_source")
    assert "module.net.data.aws_availability_zones.all" in found.sentence


def test_remote_state_named_from_the_module_files() -> None:
    sources = {"main.tf": REMOTE_STATE + QUEUE}
    found = check(diagnose(captured("remote_state.plan"), sources, "plan"), "remote_state")
    assert 'data.terraform_remote_state.net (backend "s3")' in found.sentence


def test_backend_at_init() -> None:
    sources = {"backend.tf": S3_BACKEND, "main.tf": REMOTE_STATE}
    found = check(diagnose(captured("s3_backend.init"), sources, "init"), "backend")
    assert 'backend "s3" (backend.tf)' in found.sentence


def test_cloud_block_at_init() -> None:
    cloud = 'terraform {\n  cloud {\n    organization = "acme"\n  }\n}\n'
    found = check(diagnose(captured("cloud.init"), {"main.tf": cloud}, "init"), "backend")
    assert "cloud {} (main.tf)" in found.sentence


def test_folded_text_is_read_like_raw_text() -> None:
    folded = " ".join(captured("caller_identity.plan").split())
    found = check(diagnose(folded, {}, "plan"), "data_source")
    assert "data.aws_caller_identity.current" in found.sentence


@pytest.mark.parametrize("output", [
    "",
    'Error: Unsupported argument\n\n  on main.tf line 3, in resource "aws_sqs_queue" "q":\n'
    '   3:   colour = "red"\n\nAn argument named "colour" is not expected here.\n',
    "Error: Invalid reference\n\n  with data.aws_iam_policy_document.p,\n"
    "A reference to a resource type must be followed by at least one attribute access.\n",
])
def test_other_failures_are_left_as_they_are(output: str) -> None:
    assert diagnose(output, {"main.tf": REMOTE_STATE + S3_BACKEND}, "plan") is None


def test_commented_out_blocks_do_not_count() -> None:
    sources = {"main.tf": "\n".join("# " + line for line in S3_BACKEND.splitlines())}
    assert diagnose(captured("s3_backend.init"), sources, "init") is None
    assert required_providers({"v.tf": "# " + TLS_GITHUB.replace("\n", "\n# ")}) == {}


def test_errors_folds_each_diagnostic() -> None:
    found = errors(captured("azs_and_ami.plan"))
    assert len(found) == 2 and all(e.startswith("Error:") and "\n" not in e for e in found)
