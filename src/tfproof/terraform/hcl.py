"""Just enough HCL reading for tfproof's override file: provider blocks, aliases, backends.

Terraform itself parses the configuration; these helpers only find the
`provider "aws"` blocks a root declares (so that the override replaces each
one), the aliases a module expects, and whether a backend is configured.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from tfproof.terraform.tree import tf_files

_PROVIDER_RE = re.compile(r'^\s*provider\s+"aws"\s*\{', re.MULTILINE)


_ALIAS_RE = re.compile(r'^\s*alias\s*=\s*"([^"]+)"', re.MULTILINE)


# inside a `terraform` block: a `backend "<type>"` block, or HCP Terraform's `cloud {}` block
# (Terraform 1.1+), which a `backend "local"` override replaces just the same
_TERRAFORM_RE = re.compile(r"^\s*terraform\s*\{", re.MULTILINE)
_BACKEND_RE = re.compile(r'^\s*(?:backend\s+"([^"]+)"|(cloud)\s*\{)', re.MULTILINE)


_CONFIG_ALIASES_RE = re.compile(r"configuration_aliases\s*=\s*\[([^\]]*)\]")


def block_bodies(text: str, opener: re.Pattern[str]) -> list[str]:
    """The bodies of every block whose header matches `opener` (brace-matched)."""
    bodies = []
    for match in opener.finditer(text):
        depth, index = 1, match.end()
        while index < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
        bodies.append(text[match.end() : index - 1])
    return bodies


def strip_comments(text: str) -> str:
    """HCL text without whole-line `#` and `//` comments (a commented-out block is no block)."""
    return re.sub(r"(?m)^\s*(#|//).*$", "", text)


def provider_blocks(root: Path) -> list[tuple[str | None, str]]:
    """(alias, body) of every `provider "aws"` block the user's root module declares."""
    out: list[tuple[str | None, str]] = []
    for path in tf_files(root):
        if not path.name.endswith(".tf") or path.name.startswith("zz_tfproof"):
            continue
        for body in block_bodies(strip_comments(path.read_text(errors="replace")), _PROVIDER_RE):
            # only top-level attributes of the block: strip nested blocks first
            found = _ALIAS_RE.search(re.sub(r"\{[^{}]*\}", "", body))
            out.append((found.group(1) if found else None, body))
    return out


def configuration_aliases(root: Path) -> list[str]:
    """Aliases a module expects its caller to pass (`configuration_aliases = [aws.replica]`).

    Planned or validated as a root, such a module needs those provider blocks to exist.
    """
    found: list[str] = []
    for path in tf_files(root):
        for group in _CONFIG_ALIASES_RE.findall(path.read_text(errors="replace")):
            found += [m for m in re.findall(r"aws\.([A-Za-z0-9_-]+)", group) if m not in found]
    return found


def terraform_blocks(text: str) -> list[str]:
    """The bodies of one file's `terraform {}` blocks (comments out)."""
    return block_bodies(strip_comments(text), _TERRAFORM_RE)


def backends(text: str) -> list[str]:
    """The state backends one file's `terraform` blocks configure: `backend "s3"`, `cloud {}`."""
    found = []
    for body in terraform_blocks(text):
        found += [f'backend "{kind}"' if kind else "cloud {}"
                  for kind, _cloud in _BACKEND_RE.findall(body)]
    return found


def has_backend(root: Path) -> bool:
    """True when the root configures a backend (replaced by a local one in the scratch copy)."""
    return any(
        backends(p.read_text(errors="replace"))
        for p in tf_files(root)
        if p.name.endswith(".tf")
    )


def provider_block(alias: str | None, settings: Mapping[str, str], extra: str = "") -> str:
    """One `provider "aws"` block with the given HCL attributes."""
    lines = ['provider "aws" {']
    if alias:
        lines.append(f'  alias = "{alias}"')
    lines.extend(f"  {key} = {value}" for key, value in settings.items())
    if extra:
        lines.append(extra)
    lines.append("}")
    return "\n".join(lines) + "\n"


OFFLINE_SETTINGS: dict[str, str] = {
    "access_key": '"tfproof-offline"',
    "secret_key": '"tfproof-offline"',
    "skip_credentials_validation": "true",
    "skip_requesting_account_id": "true",
    "skip_metadata_api_check": "true",
    "skip_region_validation": "true",
    "skip_get_ec2_platforms": "true",
    "max_retries": "1",
}
