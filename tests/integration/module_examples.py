"""The module examples that pytest-terraform applies, and how each scratch copy is made fit.

Every `infra/modules/<name>/examples/basic` is listed in `EXAMPLES`. pytest-terraform
applies a folder as it finds it, so everything the sandbox needs goes into a scratch
copy of the example (never into the repository): tfproof's provider override (the
sandbox's endpoints, credentials and the session's run tag, `write_override`), moto's
gaps (`tfproof.sandbox.gaps`, by resource type), stand-ins for the upstream objects the
example names by literal id (a VPC, subnets...), teardown settings (`force_destroy`,
no deletion protection) and the example's non-secret variables. Secrets reach
Terraform as `TF_VAR_*`, never through a file.

An example that cannot be applied on its own says why in `not_served`; the skip
names the literal ids behind that reason and fails once the example no longer
carries them, so a stale reason cannot hide an example that could now be applied.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfproof.sandbox.gaps import GAPS, MOTO_VERSION_TRIED, Gap, module_override
from tfproof.sandbox.interface import Sandbox
from tfproof.sandbox.override import write_override
from tfproof.terraform.tree import tf_files
from tfproof.terraform.workspace import Workspace

MODULES = Path(__file__).resolve().parents[2] / "infra" / "modules"

# Stand-ins for upstream objects the examples name by literal id; tfproof's names only.
_VPC = 'resource "aws_vpc" "upstream" {\n  cidr_block = "10.99.0.0/16"\n}\n'
_SUBNETS = """resource "aws_subnet" "upstream" {
  count             = 2
  vpc_id            = aws_vpc.upstream.id
  cidr_block        = cidrsubnet("10.99.0.0/16", 8, count.index)
  availability_zone = ["us-east-1a", "us-east-1b"][count.index]
}
"""
_GROUP = """resource "aws_security_group" "upstream" {
  name   = "tfproof-upstream"
  vpc_id = aws_vpc.upstream.id
}
"""
_KEY = 'resource "aws_kms_key" "upstream" {\n  deletion_window_in_days = 7\n}\n'
_ROUTES = """resource "aws_route_table" "upstream" {
  count  = 2
  vpc_id = aws_vpc.upstream.id
}
"""

SECRET_ROTATION = Gap(
    name="secret-rotation",
    what="the rotation schedule of the database password secret",
    reason=f"RotateSecret invokes the rotation Lambda at once, which moto {MOTO_VERSION_TRIED} "
    "runs only in Docker, and the example names a function that exists in no account",
    controls=("SECRETS",),
    resource_types=("aws_secretsmanager_secret_rotation",),
)


@dataclass(frozen=True)
class Example:
    """One module example and what its scratch copy needs to be applied to the sandbox."""

    module: str
    upstream: str = ""  # HCL of stand-ins, in a file of the scratch copy
    module_args: dict[str, str] = field(default_factory=dict)  # HCL overriding `module "this"`
    tfvars: dict[str, Any] = field(default_factory=dict)  # the example's non-secret variables
    gaps: tuple[Gap, ...] = ()  # gaps of this example only (GAPS apply to every example)
    not_served: str = ""  # why it is not applied on its own ("" when it is)
    literals: tuple[str, ...] = ()  # the literal upstream ids behind `not_served`

    @property
    def fixture(self) -> str:
        """The pytest fixture name (and the folder name under `--tf-mod-dir`)."""
        return self.module.replace("-", "_")

    @property
    def source(self) -> Path:
        return MODULES / self.module / "examples" / "basic"

    def skip_reason(self) -> str:
        """Why the example is not applied on its own, checked against its files."""
        text = "".join(p.read_text() for p in tf_files(self.source))
        gone = [literal for literal in self.literals if literal not in text]
        assert not gone, (
            f"{self.module}'s example no longer names {', '.join(gone)}: the reason it is not "
            "applied may be gone; give it stand-ins in tests/integration/module_examples.py"
        )
        return (f"{self.module} example not applied on its own: {self.not_served}; the module is "
                f"applied and live-checked in the full env (module.platform.module."
                f"{self.fixture}) and its plan in tests/unit")  # fmt: skip


_NOT_STANDALONE = "it wires literal ids of upstream objects that exist in no account ({})"

EXAMPLES: dict[str, Example] = {e.module: e for e in (
    Example("alb", not_served=_NOT_STANDALONE.format(
        "vpc-0123456789abcdef0, two subnets, a security group and the access-log bucket "
        "gen-ai-example-access-logs; the certificate is requested for api.example.com"),
        literals=("vpc-0123456789abcdef0", "gen-ai-example-access-logs")),
    Example("autoscaling", not_served=_NOT_STANDALONE.format(
        "the ECS cluster gen-ai-cluster and its services gen-ai-search and gen-ai-code, which "
        "only the ecs example would make"), literals=("gen-ai-cluster",)),
    Example("budget"),
    Example("cloudtrail", not_served=_NOT_STANDALONE.format(
        "the access-log bucket gen-ai-example-access-logs, which S3 logging needs to exist"),
        literals=("gen-ai-example-access-logs",)),
    Example("ecr"),
    Example("ecs", not_served=_NOT_STANDALONE.format(
        "two subnets, a security group, target groups, IAM roles and repositories"),
        literals=("subnet-0123456789abcdef0", "targetgroup/gen-ai-search")),
    Example("endpoints", upstream=_VPC + _ROUTES, module_args={
        "vpc_id": "aws_vpc.upstream.id", "route_table_ids": "aws_route_table.upstream[*].id"}),
    Example("iam"),
    Example("kms", module_args={"deletion_window_in_days": "7"}),
    Example("monitoring"),
    Example("network"),
    Example("rds", upstream=_VPC + _SUBNETS + _GROUP, module_args={
        "private_subnet_ids": "aws_subnet.upstream[*].id",
        "security_group_ids": "[aws_security_group.upstream.id]",
        "final_snapshot_identifier": '"gen-ai-db-final-{run_id}"',
    }, tfvars={"deletion_protection": False}),
    Example("redis", upstream=_VPC + _SUBNETS + _GROUP + _KEY, module_args={
        "private_subnet_ids": "aws_subnet.upstream[*].id",
        "security_group_ids": "[aws_security_group.upstream.id]",
        "kms_key_arn": "aws_kms_key.upstream.arn",
    }),
    Example("secrets", module_args={
        "recovery_window_in_days": "0", "kms_deletion_window_in_days": "7"},
        gaps=(SECRET_ROTATION,)),
    Example("security-groups", upstream=_VPC, module_args={"vpc_id": "aws_vpc.upstream.id"}),
    Example("storage", module_args={"force_destroy": "true"}),
    Example("xray"),
)}

_RESOURCE_RE = re.compile(r'^\s*resource\s+"([a-z0-9_]+)"', re.MULTILINE)


def example_gaps(example: Example, sandbox: Sandbox) -> list[Gap]:
    """The gaps that leave something of this example out (moto's only on the embedded kind)."""
    declared = declared_types(example)
    gaps = [*GAPS, *example.gaps] if sandbox.kind == "embedded" else list(example.gaps)
    return [g for g in gaps if declared & set(g.resource_types)]


def declared_types(example: Example) -> set[str]:
    """Resource types the example's modules declare."""
    types: set[str] = set()
    for module in Workspace(example.source).module_dirs:
        for path in tf_files(module):
            types.update(_RESOURCE_RE.findall(path.read_text(errors="replace")))
    return types


def emptied_by(example: Example, gaps: list[Gap]) -> list[Gap]:
    """The gaps when they leave nothing of the example to apply, else []."""
    left_out = {t for g in gaps for t in g.resource_types}
    return gaps if gaps and declared_types(example) <= left_out else []


def build(example: Example, sandbox: Sandbox, scratch: Path, run_id: str,
          gaps: list[Gap]) -> Path:  # fmt: skip
    """The example's scratch copy under `scratch/copies`, ready for pytest-terraform; its root."""
    workspace = Workspace(example.source, directory=scratch / "copies" / example.module)
    write_override(workspace, sandbox.provider_settings(), sandbox.provider_endpoints(),
                   {"TfproofRun": run_id}, sandbox.region)  # fmt: skip
    types = tuple(t for g in gaps for t in g.resource_types)
    for module in workspace.module_dirs:
        copy = workspace.directory / module.relative_to(workspace.base)
        text = module_override(copy, types) if types else ""
        if text:
            (copy / "zz_tfproof_gap_override.tf").write_text(text)
    root = workspace.root
    if example.upstream:
        (root / "zz_tfproof_upstream.tf").write_text(
            "# Written by tfproof into the scratch copy: stand-ins for upstream objects.\n"
            + example.upstream)
    if example.module_args:
        args = "".join(f"  {k} = {v.format(run_id=run_id)}\n"
                       for k, v in example.module_args.items())  # fmt: skip
        (root / "zz_tfproof_sandbox_override.tf").write_text(f'module "this" {{\n{args}}}\n')
    if example.tfvars:
        (root / "zz_tfproof_sandbox.auto.tfvars.json").write_text(json.dumps(example.tfvars))
    return root
