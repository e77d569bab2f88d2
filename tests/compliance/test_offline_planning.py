"""`tfproof scan <module>` on modules that cannot be planned offline: exit 2, cause, ways out.

Each case writes a small module (AWS provider 3.39.0 resources; the failing parts are
a provider constraint, another provider, a data source that calls AWS, a remote state)
and runs the real CLI. The runs are kept off the network whatever the host allows: an
HTTPS proxy on a closed local port (every AWS, STS, S3 or registry call fails at once),
no EC2 metadata service, no AWS credentials or profiles; the subprocess has a timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

TFPROOF = [str(Path(sys.executable).parent / "tfproof")]
RUN_TIMEOUT = 300  # seconds; each failing case answers in a few
PLAN_WAY = "tfproof scan --plan plan.json"
CI_WAY = "terraform plan -out tf.plan && terraform show -json tf.plan > plan.json"

QUEUE = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'
AWS_5 = '''terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
'''
RANDOM = '''resource "random_id" "suffix" {
  byte_length = 4
}
resource "aws_sqs_queue" "r" {
  name = "q-${random_id.suffix.hex}"
}
'''
CALLER = '''data "aws_caller_identity" "current" {}
resource "aws_sqs_queue" "c" {
  name = "q-${data.aws_caller_identity.current.account_id}"
}
'''
REMOTE_STATE = '''terraform {
  backend "s3" {
    bucket = "my-state"
    key    = "app/terraform.tfstate"
    region = "us-east-1"
  }
}
data "terraform_remote_state" "network" {
  backend = "s3"
  config = {
    bucket = "my-state"
    key    = "network/terraform.tfstate"
    region = "us-east-1"
  }
}
resource "aws_sqs_queue" "s" {
  name = "q-${data.terraform_remote_state.network.outputs.vpc_id}"
}
'''

CASES = {
    "aws_5": (AWS_5 + PROVIDER + QUEUE, "hashicorp/aws >= 5.0.0"),
    "random": (RANDOM, "hashicorp/random (any version)"),
    "caller_identity": (PROVIDER + CALLER, "data.aws_caller_identity.current calls AWS"),
    "remote_state": (PROVIDER + REMOTE_STATE, 'data.terraform_remote_state.network (backend "s3")'),
}
CAUSE_WORDS = {
    "aws_5": "only hashicorp/aws 3.39.0 is bundled",
    "random": "only hashicorp/aws 3.39.0 is bundled",
    "caller_identity": "an offline plan has neither AWS credentials nor network",
    "remote_state": "reads another configuration's state from a remote backend",
}


def offline_env() -> dict[str, str]:
    """This process's environment, with every way to reach AWS or a registry closed."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("no_proxy", "tfproof_provider_source",
                                                             "tfproof_terraform")}
    closed = "http://127.0.0.1:9"
    env.update(HTTPS_PROXY=closed, HTTP_PROXY=closed, https_proxy=closed, http_proxy=closed,
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, TFPROOF_QUIET="1")
    return env


def scan(module: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    proc = subprocess.run([*TFPROOF, "scan", "--no-checkov", str(module)], capture_output=True,
                          text=True, env=offline_env(), timeout=RUN_TIMEOUT, check=False)
    return proc, time.monotonic() - started


@pytest.mark.plan
@pytest.mark.parametrize("case", sorted(CASES))
def test_module_that_cannot_be_planned_here(case: str, tmp_path: Path) -> None:
    text, named = CASES[case]
    module = tmp_path / case
    module.mkdir()
    (module / "main.tf").write_text(text)
    proc, seconds = scan(module)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    paragraph, _, terraform_text = proc.stderr.partition("\n\n")
    assert paragraph.startswith("tfproof: error: ") and "cannot be planned here" in paragraph
    assert named in paragraph and CAUSE_WORDS[case] in paragraph
    assert PLAN_WAY in paragraph and CI_WAY in paragraph
    if case in ("aws_5", "random"):
        assert "TFPROOF_PROVIDER_SOURCE=registry" in paragraph
    assert terraform_text.startswith("Terraform's own output of `terraform ")
    assert "Error:" in terraform_text
    assert seconds < 120, f"{case} took {seconds:.0f} s: something waits on the network"


@pytest.mark.plan
def test_module_that_plans_still_scans(tmp_path: Path) -> None:
    module = tmp_path / "control"
    module.mkdir()
    (module / "main.tf").write_text(PROVIDER + QUEUE)
    proc, _ = scan(module)
    assert proc.returncode in (0, 1), proc.stderr
    assert "cannot be planned here" not in proc.stderr
    assert "aws_sqs_queue.q" in proc.stdout


@pytest.mark.plan
@pytest.mark.parametrize("backend", [
    'backend "s3" {\n    bucket = "my-state"\n    key    = "app.tfstate"\n'
    '    region = "us-east-1"\n  }',
    'cloud {\n    organization = "acme"\n    workspaces {\n      name = "app"\n    }\n  }',
], ids=["s3-backend", "hcp-cloud-block"])  # fmt: skip
def test_a_remote_backend_is_replaced_by_a_local_one_in_the_scratch_copy(backend, tmp_path):
    """Where state lives does not change the plan: the copy plans with local state, offline."""
    module = tmp_path / "remote"
    module.mkdir()
    (module / "main.tf").write_text(f"terraform {{\n  {backend}\n}}\n" + PROVIDER + QUEUE)
    proc, _ = scan(module)
    assert proc.returncode in (0, 1), proc.stderr
    assert "aws_sqs_queue.q" in proc.stdout
    assert (module / "main.tf").read_text().startswith("terraform {"), "the user's file changed"


@pytest.mark.plan
def test_a_backend_in_a_root_without_a_provider_block_is_replaced_too(tmp_path):
    """A root that declares its backend and `required_providers` but leaves the provider block
    to its caller (or to defaults) plans offline like one that declares it."""
    module = tmp_path / "no_provider_block"
    module.mkdir()
    (module / "versions.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        '      version = ">= 3.0"\n    }\n  }\n  backend "s3" {\n    bucket = "my-state"\n'
        '    key    = "app.tfstate"\n    region = "us-east-1"\n  }\n}\n')
    (module / "main.tf").write_text(QUEUE)
    proc, _ = scan(module)
    assert proc.returncode in (0, 1), proc.stderr
    assert "aws_sqs_queue.q" in proc.stdout
    assert sorted(p.name for p in module.iterdir()) == ["main.tf", "versions.tf"]
