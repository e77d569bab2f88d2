"""moto's gaps: what the embedded apply leaves out or works around, each with its reason.

The plan layer (unit and compliance tests) still covers everything listed
here; the real-account nightly run applies all of it. Two mechanisms:

- a root variable the env exposes for the purpose (`toggle`, set to false);
- for a resource type moto cannot serve at all and the env has no toggle for,
  a Terraform override file written into the *scratch copy* of every module
  that declares it (`count = 0`, and `null` for the module outputs that read
  it). Terraform merges override files natively, the user's files are never
  touched, and a change to the module that the override no longer fits fails
  the apply loudly instead of silently applying less.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tfproof.terraform.tree import tf_files
from tfproof.terraform.workspace import Workspace

MOTO_VERSION_TRIED = "5.2.5"


@dataclass(frozen=True)
class Gap:
    """One thing the embedded sandbox cannot apply faithfully."""

    name: str
    what: str
    reason: str
    controls: tuple[str, ...]
    toggle: str | None = None
    resource_types: tuple[str, ...] = ()

    def skip_reason(self) -> str:
        """The sentence that goes into the test report."""
        return (
            f"left out of the embedded apply: {self.what}; {self.reason} "
            "(the plan layer covers it; the real-account run applies it)"
        )


# Nothing of the envs is left out today: what moto 5.2.5 lacked for the platform (X-Ray
# sampling rules, budget reads, ElastiCache parameter groups / member clusters / deletion,
# S3 replication, alarm evaluation and actions) is served by tfproof.sandbox.moto_ext. A
# future gap goes here, with its reason and controls, until an extension serves it.
GAPS: tuple[Gap, ...] = ()


_RESOURCE_RE = re.compile(r'^\s*resource\s+"([a-z0-9_]+)"\s+"([A-Za-z0-9_-]+)"\s*\{', re.MULTILINE)
_ATTR_RE = re.compile(r"^  ([a-z_0-9]+)\s*=\s*(.+)$", re.MULTILINE)
_OUTPUT_RE = re.compile(r'^\s*output\s+"([A-Za-z0-9_-]+)"\s*\{', re.MULTILINE)


def _bodies(text: str, opener: re.Pattern[str]) -> list[tuple[re.Match[str], str]]:
    out = []
    for match in opener.finditer(text):
        depth, index = 1, match.end()
        while index < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
        out.append((match, text[match.end() : index - 1]))
    return out


def module_override(directory: Path, resource_types: tuple[str, ...]) -> str:
    """HCL that drops every resource of `resource_types` from one module (or "" if none)."""
    dropped: dict[str, str] = {}
    outputs: list[str] = []
    for path in tf_files(directory):
        if not path.name.endswith(".tf") or path.name.startswith("zz_tfproof"):
            continue
        text = path.read_text(errors="replace")
        for match, body in _bodies(text, _RESOURCE_RE):
            if match.group(1) in resource_types:
                dropped[f"{match.group(1)}.{match.group(2)}"] = body
        for match, body in _bodies(text, _OUTPUT_RE):
            outputs.append(f"{match.group(1)}\0{body}")
    if not dropped:
        return ""
    parts = [
        "# Written by tfproof into the sandbox scratch copy only: moto cannot serve these.\n"
    ]
    for address, body in dropped.items():
        rtype, name = address.split(".")
        # a dropped resource may not refer to another dropped one without an index
        nulled = sorted(
            {
                m.group(1)
                for m in _ATTR_RE.finditer(body)
                if any(other in m.group(2) for other in dropped if other != address)
            }
        )
        lines = ["  count = 0", *(f"  {attr} = null" for attr in nulled)]
        parts.append(f'resource "{rtype}" "{name}" {{\n' + "\n".join(lines) + "\n}\n")
    for entry in outputs:
        name, body = entry.split("\0", 1)
        if any(address in body for address in dropped):
            parts.append(f'output "{name}" {{\n  value = null\n}}\n')
    return "\n".join(parts)


def apply_gaps(
    workspace: Workspace, declared_variables: set[str]
) -> tuple[dict[str, str], list[Gap]]:
    """Write the module overrides into the scratch copy; return the -var toggles and gaps used.

    A gap counts as used when its toggle is a root variable of the env, or when
    some module of the scratch copy declares one of its resource types.
    """
    toggles: dict[str, str] = {}
    used: list[Gap] = []
    for gap in GAPS:
        if gap.toggle:
            if gap.toggle in declared_variables:
                toggles[gap.toggle] = "false"
                used.append(gap)
            continue
        touched = False
        for module in workspace.module_dirs:
            copy = workspace.directory / module.relative_to(workspace.base)
            text = module_override(copy, gap.resource_types)
            if text:
                (copy / f"zz_tfproof_gap_{gap.name}_override.tf").write_text(text)
                touched = True
        if touched:
            used.append(gap)
    return toggles, used


_VARIABLE_RE = re.compile(r'^\s*variable\s+"([A-Za-z0-9_-]+)"', re.MULTILINE)


def root_variables(root: Path) -> set[str]:
    """Names of the variables a root module declares."""
    names: set[str] = set()
    for path in tf_files(root):
        if path.name.endswith(".tf"):
            names.update(_VARIABLE_RE.findall(path.read_text(errors="replace")))
    return names
