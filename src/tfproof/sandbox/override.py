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

from tfproof.workspace import Workspace, has_backend, provider_block, tf_files

OVERRIDE_NAME = "zz_tfproof_override.tf"
PROVIDER_NAME = "zz_tfproof_provider.tf"

_PROVIDER_RE = re.compile(r'^\s*provider\s+"aws"\s*\{', re.MULTILINE)
_DEFAULT_TAGS_RE = re.compile(r"\bdefault_tags\s*\{")
_TAGS_ATTR_RE = re.compile(r"^\s*tags\s*=\s*", re.MULTILINE)
_ALIAS_RE = re.compile(r'^\s*alias\s*=\s*"([^"]+)"', re.MULTILINE)
_REGION_RE = re.compile(r'^\s*region\s*=\s*"([a-z0-9-]+)"', re.MULTILINE)


def _block_bodies(text: str, opener: re.Pattern[str]) -> list[str]:
    """Bodies of every block whose header matches `opener` (braces matched)."""
    bodies = []
    for match in opener.finditer(text):
        depth, index = 1, match.end()
        while index < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
        bodies.append(text[match.end() : index - 1])
    return bodies


def _strip_comments(text: str) -> str:
    return re.sub(r"(?m)^\s*(#|//).*$", "", text)


def provider_blocks(root: Path) -> list[tuple[str | None, str]]:
    """(alias, body) of every `provider "aws"` block in the root module."""
    out: list[tuple[str | None, str]] = []
    for path in tf_files(root):
        if path.name.endswith(".tf") and not path.name.startswith("zz_tfproof"):
            for body in _block_bodies(_strip_comments(path.read_text(errors="replace")),
                                      _PROVIDER_RE):
                flat = re.sub(r"\{[^{}]*\}", "", body)
                found = _ALIAS_RE.search(flat)
                out.append((found.group(1) if found else None, body))
    return out


def default_tags_expression(body: str) -> str | None:
    """The `tags = <expr>` expression of a provider block's default_tags, verbatim."""
    blocks = _block_bodies(body, _DEFAULT_TAGS_RE)
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
    workspace.materialise(settings, endpoints)
    blocks = provider_blocks(workspace.source)
    if not blocks:
        text = provider_block(
            None, {"region": json.dumps(region), **settings}, endpoints + tags_block(run_tags, None)
        )
        (workspace.root / PROVIDER_NAME).write_text(text)
        return text
    parts: list[str] = []
    if has_backend(workspace.source):
        parts.append('terraform {\n  backend "local" {}\n}\n')
    for alias, body in blocks:
        extra = endpoints + tags_block(run_tags, default_tags_expression(body))
        parts.append(provider_block(alias, settings, extra))
    text = "\n".join(parts)
    (workspace.root / OVERRIDE_NAME).write_text(text)
    return text
