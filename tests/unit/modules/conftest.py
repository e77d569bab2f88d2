"""Fixtures of the module tests: the cached plan of a module's example root."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import tftest
from tftest import TerraformPlanOutput as TfPlan

from tfproof.plan import Plan

from .support import example_dir


@pytest.fixture(scope="session")
def example_plan(plan_of: Callable[..., Plan]) -> Callable[..., Plan]:
    """`example_plan("rds", deletion_protection="false")`: plan infra/modules/rds/examples/basic."""

    def _plan(module: str, **variables: str) -> Plan:
        return plan_of(example_dir(module), **variables)

    return _plan


@pytest.fixture(scope="session")
def example_tfplan(tfplan_of: Callable[..., TfPlan]) -> Callable[..., TfPlan]:
    """`example_tfplan("rds", deletion_protection="false")`: tftest's plan of the example root."""

    def _plan(module: str, **variables: str) -> tftest.TerraformPlanOutput:
        return tfplan_of(example_dir(module), **variables)

    return _plan
