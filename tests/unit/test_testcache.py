"""The integration layer's replay: only a full, passing, local embedded run with identical
inputs is replayed; anything else runs for real."""

from __future__ import annotations

import pytest

from tfproof_dev import testcache


def test_key_is_stable_and_tracks_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    first = testcache.layer_key("integration")
    assert testcache.layer_key("integration") == first
    monkeypatch.setenv("TFPROOF_SANDBOX_REGION", "eu-west-1")
    assert testcache.layer_key("integration") != first


@pytest.mark.parametrize(
    ("env", "args", "allowed"),
    [
        ({}, [], True),
        ({}, ["-k", "alarms"], False),
        ({"TFPROOF_FRESH": "1"}, [], False),
        ({"CI": "true"}, [], False),
        ({"TFPROOF_SANDBOX": "aws"}, [], False),
    ],
)
def test_replay_only_for_full_local_embedded_runs(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: list[str], allowed: bool
) -> None:
    for name in ("TFPROOF_FRESH", "CI", "TFPROOF_SANDBOX"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert testcache.replay_allowed(args) is allowed


def test_unknown_layer_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert testcache.main(["nope"]) == 2
    assert "usage" in capsys.readouterr().err
