"""Fixtures of the compliance layer: fixture roots, engine runs, the seed plan."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed_plan(plan_of):
    """The seed's own Terraform, planned offline (see fixtures/seed/README.md)."""
    return plan_of(FIXTURES / "seed", db_password="fixture-only-seed")
