"""What an audit run read, as its record shows it: input files, sensitive names, the command.

The input files are hashed into the manifest and searched for literal secrets;
the plans' sensitive variable names widen what counts as a secret; the command
line is recorded with every `--var` value masked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tfproof.evidence.layers import AuditRequest
from tfproof.terraform.workspace import Workspace


def sensitive_names(raw_plans: list[dict[str, Any]]) -> set[str]:
    names = set()
    for raw in raw_plans:
        variables = raw.get("configuration", {}).get("root_module", {}).get("variables", {})
        names.update(n for n, v in variables.items() if v.get("sensitive"))
    return names


def redacted_command(argv: list[str]) -> list[str]:
    """The command line as recorded: `--var NAME=VALUE` keeps only the name."""
    out, hide_next = [], False
    for arg in argv:
        if hide_next:
            out.append(arg.split("=", 1)[0] + "=***")
            hide_next = False
        elif arg == "--var":
            out.append(arg)
            hide_next = True
        elif arg.startswith("--var="):
            out.append("--var=" + arg[len("--var="):].split("=", 1)[0] + "=***")
        else:
            out.append(arg)
    return out


def input_files(request: AuditRequest, scratch: Path) -> list[Path]:
    files: list[Path] = []
    for target in request.targets:
        files.extend(Workspace(target.path, directory=scratch / "ws").files())
    policies = request.root / "policies"
    if policies.is_dir():
        files.extend(
            p for p in policies.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    if request.waivers is not None:
        files.append(request.waivers)
    files.extend(request.var_files)
    return files
