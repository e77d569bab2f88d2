"""tftest on the bundled toolchain: the test suite's plans are made by `tftest.TerraformTest`.

`tftest_plan` is a planner `Producer`: on a plan-cache miss it drives tftest's
TerraformTest (its `setup` with the override file passed as `extra_files`, its
`execute_command` for plan and show) in tfproof's scratch copy of the root, with
the bundled binary and the offline CLI config through tftest's own `binary` and
`env` parameters. tfproof's content-keyed, integrity-checked cache keeps the
result, so the suite has one plan cache and a warm run makes no `terraform plan`;
tests read the plans as tftest's `TerraformPlanOutput`.

Where tftest falls short, this subclass takes its extension points (listed with
the behaviour chosen in docs/testing-libraries.md):
- `plan(output=True)` writes the binary plan, which holds sensitive values in
  clear, to a temp-file name in the system temp folder and never removes it: the
  plan is written inside the scratch copy instead and goes with it;
- `execute_command` raises only on exit codes 1 and 11: any other non-zero exit
  (a signal, the shim's exit 2) raises too;
- `tf_vars` put values on the command line, where `ps` shows them: variables go
  through the environment (`TF_VAR_*`), as tfproof's own planner passes them;
- its pickle cache is keyed by the folder path and loads pickles: not used.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import tftest

from tfproof import plan_reader, progress
from tfproof.errors import PlanError, ToolchainError
from tfproof.terraform.planner import PlanRequest, var_files
from tfproof.terraform.toolchain import terraform_command, terraform_env
from tfproof.terraform.workspace import Workspace, summarise_error

PLAN_FILE = "tfproof.tfplan"


def terraform_binary() -> str:
    """One executable for tftest's `binary`: what `terraform_command` runs, as one file (the
    bundled shim's console script stands for `python -m tfproof.terraform.shim`)."""
    command = terraform_command()  # TFPROOF_TERRAFORM checked there
    if len(command) == 1:
        return command[0]
    shim = Path(sys.executable).with_name("tfproof-terraform")
    if not shim.is_file():
        raise ToolchainError(
            f"{shim} is missing: install tfproof into this environment (`make venv`), or set "
            "TFPROOF_TERRAFORM to a terraform binary."
        )
    return str(shim)


class BundledTerraformTest(tftest.TerraformTest):
    """tftest's TerraformTest on a tfproof scratch copy, with the bundled toolchain."""

    def __init__(self, workspace: Workspace, variables_env: dict[str, str]) -> None:
        env = dict(variables_env)
        tmp = workspace.private_tmp()
        if tmp is not None:  # what Terraform leaves in TMPDIR goes with the scratch copy
            env["TMPDIR"] = str(tmp)
        super().__init__(tfdir=str(workspace.root), binary=terraform_binary(),
                         env=terraform_env(env))
        self.workspace = workspace

    def execute_command(self, cmd: str, *cmd_args: str) -> Any:
        """tftest's runner, failing on every non-zero exit (tftest checks only 1 and 11)."""
        try:
            out = super().execute_command(cmd, *cmd_args)
        except tftest.TerraformTestError as exc:
            raise PlanError(f"`terraform {cmd}` failed for {self.workspace.source}: "
                            f"{summarise_error(str(exc.args[-1] or exc.args[0]))}") from None
        if out.retcode != 0:
            raise PlanError(f"`terraform {cmd}` exited {out.retcode} for "
                            f"{self.workspace.source}: {summarise_error(out.err or out.out)}")
        return out

    def plan_document(self, tf_var_files: list[Path]) -> dict[str, Any]:
        """`terraform plan` then `show -json`, the binary plan kept inside the scratch copy."""
        args = tftest.parse_args(input=False, color=False, lock=False,
                                 tf_var_file=[str(p) for p in tf_var_files])
        self.execute_command("plan", *args, f"-out={PLAN_FILE}")
        shown = self.execute_command("show", "-no-color", "-json", PLAN_FILE)
        return plan_reader.parse(shown.out, f"`terraform show -json` of {self.workspace.source}")


def tftest_plan(workspace: Workspace, request: PlanRequest, env: dict[str, str]) -> dict[str, Any]:
    """A planner `Producer`: tftest's setup (init, override as `extra_files`), plan, show."""
    display = request.display()
    workspace.copy_tree()
    name, text = workspace.override(request.settings, request.provider_extra)
    holder = workspace.directory / ".tfproof-override"  # linked into the root by tftest
    holder.mkdir(exist_ok=True)
    (holder / name).write_text(text)
    test = BundledTerraformTest(workspace, env)
    progress.say(f"terraform init (tftest): {display}")
    test.setup(extra_files=[str(holder / name)], cleanup_on_exit=False)
    progress.say(f"terraform plan (tftest): {display}")
    return test.plan_document(var_files(request))


# -- reading tftest's plan objects ------------------------------------------------------------
# tftest keys resources per module (`plan.modules["module.this"].resources["aws_x.y"]`) and
# keeps a resource's planned `values` and its `resource_changes` apart; these few readers give
# the whole-plan views the tests need. References (configuration expressions) are the one thing
# tftest does not model: `refs` reads them through tfproof's own plan index.


def resources(plan: tftest.TerraformPlanOutput) -> dict[str, dict[str, Any]]:
    """Every planned managed resource of every module, by full address (tftest's tree walked)."""
    out: dict[str, dict[str, Any]] = {}
    stack = [plan.root_module]
    while stack:
        module = stack.pop()
        stack.extend(module.child_modules.values())
        out.update((r["address"], r) for r in module.resources.values()
                   if r.get("mode") == "managed")
    return out


def values(plan: tftest.TerraformPlanOutput, address: str) -> dict[str, Any]:
    """A resource's planned values (what is known at plan time)."""
    # Terraform leaves `values` out when every value is known only after apply
    return resources(plan)[address].get("values") or {}  # type: ignore[no-any-return]


def of_type(plan: tftest.TerraformPlanOutput, resource_type: str) -> list[dict[str, Any]]:
    """Planned resources of one type (each with `address` and `values`), by address."""
    found = [r for r in resources(plan).values() if r["type"] == resource_type]
    return sorted(found, key=lambda r: r["address"])


def unknown(plan: tftest.TerraformPlanOutput, address: str) -> dict[str, Any]:
    """What of a resource is known only after apply (`after_unknown` of its change)."""
    return plan.resource_changes[address]["change"].get("after_unknown") or {}  # type: ignore[no-any-return]


def refs(plan: tftest.TerraformPlanOutput, address: str, attribute: str) -> list[str]:
    """What one configuration argument of a resource references (`var.x`, `aws_y.z.arn`)."""
    return _engine_plan(plan).resources[address].references(attribute)


def _engine_plan(plan: tftest.TerraformPlanOutput) -> Any:
    from tfproof.plan import Plan

    held = _ENGINE_PLANS.get(id(plan))
    if held is None or held[0] is not plan:
        held = _ENGINE_PLANS[id(plan)] = (plan, Plan(dict(plan), checked=True))
    return held[1]


def config(plan: tftest.TerraformPlanOutput, config_address: str) -> dict[str, Any]:
    """The configuration block of a resource or data source (`module.m.data.x.y`, no keys)."""
    _engine_plan(plan)
    return _ENGINE_PLANS[id(plan)][1].configs[config_address]  # type: ignore[no-any-return]


def module_address(address: str) -> str:
    """The module part of a resource address (`module.a["k"].module.b`), "" at the root."""
    from tfproof.engine.addresses import split_address

    parts = split_address(address)
    return ".".join(parts[: len(parts) - 2])


_ENGINE_PLANS: dict[int, tuple[tftest.TerraformPlanOutput, Any]] = {}
