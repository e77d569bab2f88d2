"""The provider override that points a scratch copy at the sandbox and tags everything it creates.

Terraform merges an override file's `provider "aws"` block into the user's
attribute by attribute, but a nested block in the override (such as
`default_tags`) *replaces* the user's block of the same type instead of merging
with it. Adding the run tag with a plain `default_tags { tags = {...} }` would
therefore silently drop the env's own Environment/Project default tags. Since
the override lives in the same module, it can reuse the user's own tags
expression: the block written here is `default_tags { tags = merge(<the
user's expression>, { TfproofRun = "<run id>" }) }`, per provider alias.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from tfproof.terraform.hcl import block_bodies, provider_blocks
from tfproof.terraform.workspace import Workspace

_DEFAULT_TAGS_RE = re.compile(r"\bdefault_tags\s*\{")
_TAGS_ATTR_RE = re.compile(r"^\s*tags\s*=\s*", re.MULTILINE)
_REGION_RE = re.compile(r'^\s*region\s*=\s*"([a-z0-9-]+)"', re.MULTILINE)


def default_tags_expression(body: str) -> str | None:
    """The `tags = <expr>` expression of a provider block's default_tags, verbatim."""
    blocks = block_bodies(body, _DEFAULT_TAGS_RE)
    if not blocks:
        return None
    match = _TAGS_ATTR_RE.search(blocks[0])
    if not match:
        return None
    return blocks[0][match.end() :].strip() or None


def provider_regions(root: Path, default: str) -> list[str]:
    """Literal regions named by the root's provider blocks (plus `default`), for leftover scans."""
    regions = [default]
    for _alias, body in provider_blocks(root):
        for region in _REGION_RE.findall(re.sub(r"\{[^{}]*\}", "", body)):
            if region not in regions:
                regions.append(region)
    return regions


def _hcl_map(tags: Mapping[str, str]) -> str:
    return "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in sorted(tags.items())) + " }"


def tags_block(run_tags: Mapping[str, str], user_expr: str | None) -> str:
    """A default_tags block carrying the run tags, merged with the user's own when present."""
    expr = _hcl_map(run_tags) if not user_expr else f"merge({user_expr}, {_hcl_map(run_tags)})"
    return f"  default_tags {{\n    tags = {expr}\n  }}\n"


def write_override(
    workspace: Workspace,
    settings: Mapping[str, str],
    endpoints: str,
    run_tags: Mapping[str, str],
    region: str,
) -> str:
    """Copy the module into the workspace and write the sandbox override; returns its text."""

    def run_tags_for(_alias: str | None, body: str | None) -> str:
        return tags_block(run_tags, default_tags_expression(body) if body else None)

    return workspace.materialise(settings, endpoints, per_block=run_tags_for, region=region)
