"""The secret guard: finds literal secrets in HCL, scrubs every encoding, catches leaks."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest

from tfproof.evidence.bundle import BundleWriter, SecretLeak
from tfproof.secrets.redact import REDACTED
from tfproof.secrets.scrub import SecretGuard, literal_secrets, run_secrets

from .conftest import PLANTED, PLANTED_LITERAL

HCL = '''
variable "db_password" {
  type      = string
  sensitive = true
  default   = "Default-Sensitive-991"
}
variable "region" {
  default = "us-east-1"
}
resource "aws_db_instance" "x" {
  password = "Literal-In-Hcl-552"
  username = "admin"
  master_password = var.db_password
  auth_token = "${var.token}"
}
'''


def test_literal_secrets_in_hcl():
    found = literal_secrets(HCL)
    assert "Literal-In-Hcl-552" in found
    assert "Default-Sensitive-991" in found
    assert "us-east-1" not in found and "admin" not in found
    assert not any("var." in value for value in found)


def test_run_secrets_reads_the_planted_fixture_and_environment(monkeypatch):
    monkeypatch.setenv("TF_VAR_api_token", "Env-Token-Value-8")
    monkeypatch.setenv("TF_VAR_region", "eu-west-1")
    values = run_secrets({"db_password": "Var-Pw-1234"}, [PLANTED / "main.tf"], ["api_token"])
    assert PLANTED_LITERAL in values
    assert "Env-Token-Value-8" in values and "Var-Pw-1234" in values
    assert "eu-west-1" not in values


@pytest.mark.parametrize("secret", ['p@ss"word<&>1', "plain-secret-value", "with\\backslash"])
def test_scrub_covers_json_html_and_csv_spellings(secret: str):
    guard = SecretGuard([secret, "abc"])
    assert guard.too_short == ["abc"]
    texts = [secret, json.dumps({"m": secret}), escape(secret), '"' + secret.replace('"', '""')]
    for text in texts:
        scrubbed = guard.scrub(text)
        assert secret not in scrubbed
        assert json.dumps(secret)[1:-1] not in scrubbed
    assert guard.scrub_obj({"k": [f"x {secret} y"]}) == {"k": [f"x {REDACTED} y"]}


def test_a_leak_deletes_the_bundle(scratch_dir: Path):
    guard = SecretGuard(["Leaky-Secret-777"])
    writer = BundleWriter(scratch_dir, "20250101T000000Z-abc1234", guard)
    writer.write_text("ok.txt", "Leaky-Secret-777 is scrubbed here")
    assert REDACTED in (writer.directory / "ok.txt").read_text()
    # a writer that bypasses the guard (a bug) is caught before the seal
    (writer.path("raw/bypass.json")).write_text(json.dumps({"x": "Leaky-Secret-777"}))
    with pytest.raises(SecretLeak, match=r"raw/bypass\.json"):
        writer.finish(None)  # type: ignore[arg-type]
    assert not writer.directory.exists() and not writer.final.exists()
