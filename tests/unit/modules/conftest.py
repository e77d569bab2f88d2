"""Fixtures of the module tests: tftest's plan of a module's example root (cached)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import tftest
from tftest import TerraformPlanOutput as TfPlan

from .support import example_dir


@pytest.fixture(scope="session")
def example_plan(tfplan_of: Callable[..., TfPlan]) -> Callable[..., TfPlan]:
    """`example_plan("rds", deletion_protection="false")`: tftest's plan of the example root."""

    def _plan(module: str, **variables: str) -> tftest.TerraformPlanOutput:
        return tfplan_of(example_dir(module), **variables)

    return _plan
