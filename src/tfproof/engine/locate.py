"""Where a finding's resource is written: file and line, for reports and code scanning.

Plan JSON has no source positions, so the block is found in the module's own
folder (the root, or a local module reached through `source` paths in the
configuration) by its header `resource "TYPE" "NAME"`. Anything not found
(remote modules, --plan without PATH) has no location rather than a wrong one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tfproof.engine.addresses import split_address
from tfproof.engine.index import PlanIndex
from tfproof.plan import config_address
from tfproof.terraform import tree
from tfproof.terraform.roots import display as display_folder
from tfproof.terraform.tree import tf_files
from tfproof.userfiles import read_regular


class Locator:
    """Maps resource addresses to (file relative to the working dir, line)."""

    def __init__(self, root: Path | None, index: PlanIndex) -> None:
        self.root = root.resolve() if root else None
        self.index = index
        self._memo: dict[str, tuple[str, int] | None] = {}
        self._dirs: dict[tuple[str, ...], Path | None] = {(): self.root}
        self._texts: dict[Path, list[tuple[Path, str]]] = {}

    def module_dir(self, path: tuple[str, ...]) -> Path | None:
        """The local folder of the module instance path (`("a", "b")` = module.a.module.b),
        None for a remote module or without a root folder."""
        if path in self._dirs:
            return self._dirs[path]
        parent = self.module_dir(path[:-1])
        call = dict(self.index.modules()).get(path[:-1], {}).get("module_calls", {}).get(path[-1])
        source = (call or {}).get("source", "")
        found = None
        if parent and isinstance(source, str) and source.startswith(("./", "../")):
            candidate = (parent / source).resolve()
            found = candidate if candidate.is_dir() else None
        self._dirs[path] = found
        return found

    def locate(self, address: str) -> tuple[str, int] | None:
        """(file, line) of the block declaring `address`, or None."""
        if self.root is None:
            return None
        key = config_address(address)
        if key not in self._memo:
            self._memo[key] = self._find(key)
        return self._memo[key]

    def _find(self, key: str) -> tuple[str, int] | None:
        parts = split_address(key)
        path = tuple(parts[i + 1] for i in range(0, len(parts) - 2, 2) if parts[i] == "module")
        rest = parts[2 * len(path):]
        directory = self.module_dir(path)
        if directory is None or not rest:
            return None
        if rest[0] == "var" and len(rest) == 2:
            header = re.compile(rf'^[ \t]*variable\s+"{re.escape(rest[1])}"', re.M)
        elif len(rest) == 2:
            header = re.compile(
                rf'^[ \t]*resource\s+"{re.escape(rest[0])}"\s+"{re.escape(rest[1])}"', re.M
            )
        else:
            return None
        for tf, text in self._sources(directory):
            match = header.search(text)
            if match:
                # `[ \t]*`, not `\s*`: a leading `\s*` would start the match on a blank line
                line = text.count("\n", 0, match.start()) + 1
                return (display(tf), line)
        return None


    def _sources(self, directory: Path) -> list[tuple[Path, str]]:
        """The `.tf` files of a module folder, read once per scan (not once per address), only
        when regular and bounded: a pipe named `x.tf` must not block the scan forever."""
        if directory not in self._texts:
            hint = "Replace it with a regular Terraform file or remove it, then rerun."
            self._texts[directory] = [
                (tf, read_regular(tf, "Terraform file", tree.MAX_TF_FILE_BYTES, hint)
                 .decode("utf-8", errors="replace"))
                for tf in tf_files(directory) if tf.name.endswith(".tf")
            ]
        return self._texts[directory]


def display(path: Path) -> str:
    """Relative to the working directory (the repository, for SARIF and CI annotations) when
    the file is inside it; otherwise absolute, never a climb of `../..`."""
    return display_folder(path.resolve())  # one naming rule for files and root folders


def annotate(findings: list[Any], locator: Locator) -> None:
    """Fill file/line on findings that have none."""
    for finding in findings:
        if finding.file is None:
            found = locator.locate(finding.resource)
            if found:
                finding.file, finding.line = found
