"""The secret guard: finds literal secrets in HCL, scrubs every encoding, catches leaks."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest

from tfproof.evidence.bundle import BundleWriter, SecretLeak
from tfproof.secrets.redact import REDACTED
from tfproof.secrets.scrub import (
    SecretGuard,
    literal_secrets,
    run_secrets,
    sensitive_variable_names,
)

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


def test_a_sandbox_run_keeps_secret_variables_off_its_record_and_command_line(tmp_path: Path):
    """Variables given to a sandbox run: the secret ones (declared sensitive, named like a
    secret, the envs' generated ones) reach Terraform only through its environment and are
    named, never held, by the run record that outlives the run; the rest stay `-var`s."""
    from tfproof.sandbox.kinds import EmbeddedSandbox
    from tfproof.sandbox.records import RunRecord
    from tfproof.sandbox.runner import SandboxRun
    from tfproof.sandbox.teardown import stand_in_secrets, terraform_env, var_args

    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(HCL + 'variable "master_key" { sensitive = true }\n'
                                  'variable "api_token" {}\nvariable "size" {}\n')
    given = {"master_key": "Declared-Sensitive-1", "api_token": "Named-Like-Secret-2",
             "db_password": "Generated-Kind-3", "size": "small"}
    run = SandboxRun(EmbeddedSandbox(), root, given)
    assert run.secret_variables == {k: v for k, v in given.items() if k != "size"}
    assert run.user_variables == {"size": "small"}
    assert var_args(run.user_variables) == ["-var=size=small"]
    env = terraform_env(EmbeddedSandbox(), run.secret_variables)
    assert env["TF_VAR_master_key"] == "Declared-Sensitive-1"
    assert env["TF_VAR_db_password"] == "Generated-Kind-3"  # the run's value wins
    record = RunRecord(run_id="r", kind="embedded", region="us-east-1", root=str(root),
                       secret_names=sorted(run.secret_variables))
    stand_ins = stand_in_secrets(record)
    assert sorted(stand_ins) == ["api_token", "db_password", "master_key"]
    assert not set(stand_ins.values()) & set(given.values())


@pytest.mark.parametrize("text", [
    'variable "key" { sensitive = true }\nvariable "b" {\n  type = string\n}\n',
    'variable "a" { type = string }\nvariable "key" {\n  sensitive = true\n}\n',
    'variable "key" {\n  type      = string\n  sensitive = true\n}\noutput "o" {\n  value = 1\n}\n',
    'variable "a" {}\nvariable "key" {\n  sensitive   = true # kept out of logs\n}',
])
def test_every_sensitive_variable_is_found_whatever_the_block_layout(text: str,
                                                                      tmp_path: Path):
    """HCL's one-line blocks, blocks closed mid-file or at its very end: the sensitive one
    is always found, and a neighbour's own layout never hides or borrows it."""
    path = tmp_path / "variables.tf"
    path.write_text(text)
    assert sensitive_variable_names([path]) == {"key"}
    path.write_text(text.replace("variable", "output"))  # no variable block at all
    assert sensitive_variable_names([path]) == set()


@pytest.mark.parametrize(("name", "text"), [
    ("terraform.tfvars", 'size = "big"\napi_token = "from-the-file"\n'),
    ("prod.auto.tfvars", '  "api_token"\t= "from-the-file"\n'),
    ("terraform.tfvars.json", '{"api_token": "from-the-file"}'),
    ("x.auto.tfvars.json", '{"size": "big", "api_token": null}'),
])
def test_a_secret_the_roots_own_var_files_also_set_is_refused(name: str, text: str,
                                                               tmp_path: Path):
    """Terraform ranks terraform.tfvars and *.auto.tfvars above TF_VAR_*, the only way a
    sandbox run passes a secret: it would apply the file's value, so the run refuses."""
    from tfproof.errors import InputError
    from tfproof.sandbox.kinds import EmbeddedSandbox
    from tfproof.sandbox.runner import SandboxRun

    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('variable "api_token" {}\nvariable "size" {}\n')
    SandboxRun(EmbeddedSandbox(), root, {"api_token": "given", "size": "s"})  # no file yet
    (root / name).write_text(text)
    with pytest.raises(InputError, match=r"api_token is given to the sandbox run as a secret"):
        SandboxRun(EmbeddedSandbox(), root, {"api_token": "given", "size": "s"})
    SandboxRun(EmbeddedSandbox(), root, {"size": "s"})  # not given: the file's value is meant


def test_every_secret_of_a_minified_json_var_file_is_found():
    """A `.tfvars.json` written on one line: each secret-named key, however deep, not only
    the first of the line."""
    text = json.dumps({"region": "eu-west-1", "db_password": "First-Secret-1",
                       "nested": {"api_token": "Second-Secret-2", "list": [{"secret": "Third-3"}]},
                       "name": "not-secret"}, separators=(",", ":"))
    found = literal_secrets(text)
    assert {"First-Secret-1", "Second-Secret-2", "Third-3"} <= set(found)
    assert "eu-west-1" not in found and "not-secret" not in found


def test_a_heredoc_default_of_a_sensitive_variable_is_a_literal_secret():
    """`default = <<EOT` (a PEM key, say): the whole value and each long line of it; a
    heredoc elsewhere, or the default of a plain variable, is no secret."""
    key_line = "MIIEowIBAAKCAQEA7bq9x0Secret0Line0Of0A0Key0000000000000000000"
    text = (
        'variable "tls_key" {\n  sensitive = true\n  default   = <<-EOT\n'
        f"    -----BEGIN RSA PRIVATE KEY-----\n    {key_line}\n    -----END RSA PRIVATE KEY-----\n"
        '  EOT\n}\n'
        'variable "motd" {\n  default = <<EOT\nWelcome-To-The-Platform-Banner\nEOT\n}\n'
        'variable "size" {\n  default = "small"\n}\n'
    )
    found = literal_secrets(text)
    whole = ("-----BEGIN RSA PRIVATE KEY-----\n" + key_line + "\n-----END RSA PRIVATE KEY-----")
    assert whole in found and key_line in found
    assert not any("Welcome" in value for value in found)
    assert sensitive_variable_names_of(text) == {"tls_key"}


def sensitive_variable_names_of(text: str) -> set[str]:
    from tfproof.secrets.declared import variables

    return {name for name, sensitive, _ in variables(text) if sensitive}
