"""tfproof's own accepted risks (policies/waivers.yaml) never waive another repository's."""

from __future__ import annotations

from pathlib import Path

from tfproof.engine.scan import default_waivers

ROOT = Path(__file__).resolve().parents[2]
OWN = ROOT / "policies" / "waivers.yaml"


def test_the_checkout_own_targets_get_its_waivers():
    assert default_waivers(ROOT / "infra" / "envs" / "sandbox") == OWN
    assert default_waivers(None) == OWN  # a plan object: the caller's own scan


def test_a_target_outside_the_checkout_gets_none(tmp_path):
    assert default_waivers(tmp_path) is None
    assert default_waivers(tmp_path / "plan.json") is None


def test_a_policies_folder_the_user_chose_applies_everywhere(tmp_path, monkeypatch):
    monkeypatch.setenv("TFPROOF_POLICIES_DIR", str(ROOT / "policies"))
    assert default_waivers(tmp_path) == OWN
