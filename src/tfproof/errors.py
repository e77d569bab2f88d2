"""Errors that end a run with exit status 2 and a one-paragraph reason.

Every input problem (no Terraform, unparsable HCL, a plan that errors, a bad
flag) is one of these, so the CLI can fail closed with a message a user can act
on instead of a traceback or, worse, a silent pass.
"""

from __future__ import annotations


class TfproofError(Exception):
    """Base class: the input could not be processed (exit status 2)."""


class ToolchainError(TfproofError):
    """Terraform or the provider is missing or broken."""


class PlanError(TfproofError):
    """`terraform init`, `plan` or `show` failed on the user's module.

    `output` keeps Terraform's own stderr and `stage` the command (`init`, `plan`), so the
    planner can say why an offline plan cannot work here (`terraform.diagnose`).
    """

    def __init__(self, message: str, output: str = "", stage: str = "") -> None:
        super().__init__(message)
        self.output = output
        self.stage = stage


class InputError(TfproofError):
    """The user's input (path, plan file, flags, waivers) is not usable."""
