"""Layouts Terraform accepts that hid a sensitive variable from tfproof's readers.

`sensitive_variable_names` decides which `--var`s of a sandbox run are secrets (kept
off the run record and the command line) and `literal_secrets` which defaults the
scrubber must know. Each layout below was checked with Terraform 1.x (`terraform plan`
then `show -json`: the variable is `sensitive`): an unquoted block label, a heredoc
whose text starts a line with a top-level keyword ("data", "import", "module"...),
`sensitive = "true"` or `!false`, a comment naming another variable, a `.tf.json`
file. A reader that misses one sends the secret to `ps` and the run record.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfproof.secrets.scrub import (
    literal_secrets,
    module_files,
    secret_variable_names,
    sensitive_variable_names,
)

HIDDEN = {
    "unquoted label": "variable key {\n  sensitive = true\n}\n",
    "heredoc line starting like a block": (
        'variable "key" {\n  description = <<EOT\ndata from the vault, see\n'
        'module "x" {\nEOT\n  sensitive = true\n}\n'),
    "a quoted bool": 'variable "key" {\n  sensitive = "true"\n}\n',
    "a constant expression": 'variable "key" {\n  type = string\n  sensitive = !false\n}\n',
    "one-line, quoted": 'variable "key" { sensitive = "true" }\n',
    "a commented-out block inside": (
        'variable "key" {\n  # was: variable "old" {\n  sensitive = true\n}\n'),
    "CRLF and tabs": 'variable\t"key"\t{\r\n\tsensitive\t=\ttrue\r\n}\r\n',
}


@pytest.mark.parametrize("text", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_sensitive_variable_is_found_in_every_layout_terraform_accepts(
        text: str, tmp_path: Path) -> None:
    path = tmp_path / "variables.tf"
    path.write_bytes(('variable "plain" {}\n' + text + 'output "o" {\n  value = 1\n}\n')
                     .encode())
    assert sensitive_variable_names([path]) == {"key"}


def test_an_unquoted_sensitive_variable_keeps_its_default_known() -> None:
    assert literal_secrets('variable key {\n  sensitive = true\n  default = "Unq-Def-77"\n}\n') \
        == ["Unq-Def-77"]


def test_sensitive_false_stays_a_plain_variable(tmp_path: Path) -> None:
    path = tmp_path / "variables.tf"
    path.write_text('variable "a" {\n  sensitive = false\n}\nvariable "b" {\n'
                    '  sensitive = "false"\n}\n')
    assert sensitive_variable_names([path]) == set()


def test_a_tf_json_file_declares_sensitive_variables_and_defaults(tmp_path: Path) -> None:
    """Terraform reads `*.tf.json` as configuration: object and list forms of a block, a
    string "true"; its sensitive defaults are literal secrets."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('variable "size" {}\n')
    (root / "vars.tf.json").write_text(json.dumps({"variable": {
        "signing": {"sensitive": True, "default": "Json-Default-31"},
        "listed": [{"sensitive": "true"}],
        "size_json": {"default": "small"},
    }}))
    assert "vars.tf.json" in [p.name for p in module_files(root)]
    given = {"signing": "s-1", "listed": "s-2", "size": "s", "size_json": "m"}
    assert secret_variable_names(root, given) == {"signing", "listed"}
    assert literal_secrets((root / "vars.tf.json").read_text()) == ["Json-Default-31"]


WORDS = st.sampled_from(["data", "module", "import", "check", "output", "resource", "moved",
                         "locals", "terraform", "provider", "removed", "plain"])


@settings(max_examples=60, deadline=None)
@given(quoted=st.booleans(), crlf=st.booleans(), word=WORDS, before=st.booleans(),
       value=st.sampled_from(["true", '"true"', "!false", "(true)"]))
def test_property_sensitive_is_found_whatever_a_heredoc_description_says(
        quoted: bool, crlf: bool, word: str, before: bool, value: str) -> None:
    """A variable with a heredoc description, the sensitive argument before or after it."""
    label = '"key"' if quoted else "key"
    heredoc = f'  description = <<-EOT\n{word} "a" "b" {{\n  EOT\n'
    sensitive = f"  sensitive = {value}\n"
    body = sensitive + heredoc if before else heredoc + sensitive
    text = f'variable "x" {{}}\nvariable {label} {{\n{body}}}\noutput "y" {{\n  value = 1\n}}\n'
    if crlf:
        text = text.replace("\n", "\r\n")
    names = _names(text)
    assert names == {"key"}, text


def _names(text: str) -> set[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.tf"
        path.write_bytes(text.encode())
        return sensitive_variable_names([path])
