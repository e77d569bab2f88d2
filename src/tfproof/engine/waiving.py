"""Every waiver of one scan: the waivers file, inline waivers, and checkov's skip comments.

Inline waivers are read from the configuration's own files: the root folder
and every local module it calls (the folders `engine.locate` resolves from the
plan's module calls), so they exist only when the scan has a folder (PATH, or
PATH with --plan); a remote module's files are not read. Files are listed and
read the way the planner does (`terraform.tree.tf_files`: regular files, or
links to them; a pipe, device or broken link named `*.tf` stops the scan) and
bounded; only a file that mentions a marker is decoded (strict UTF-8, as
Terraform) and lexed. Every problem in any file ends the scan with exit 2.

A checkov skip comment waives nothing (no owner, no expiry): each skipped check
on each resource becomes a failed finding `tfproof-unmanaged-skip` under the
skipped check's control (the catalog has no control of its own for waiver
hygiene), unless a waiver with an owner and an expiry (file or inline, expired
or not: its expiry is reported on its own) covers that check on every instance
of the resource. So a team that still runs checkov on the HCL keeps its skip
comment and adds a `tfproof:waive` beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tfproof import userfiles
from tfproof.engine.catalog import known_ids
from tfproof.engine.index import PlanIndex
from tfproof.engine.locate import Locator, display
from tfproof.errors import InputError
from tfproof.findings import Finding
from tfproof.plan import Resource
from tfproof.terraform import tree
from tfproof.terraform.tree import tf_files
from tfproof.waivers.inline import MARKERS, Skip, Source, paragraph, read_source
from tfproof.waivers.matcher import Waiver, apply_waivers, load_waivers
from tfproof.waivers.schema import KnownIds

UNMANAGED_SKIP = "tfproof-unmanaged-skip"
_HINT = ("tfproof reads the comments of the configuration's .tf files for inline waivers "
         "(`# tfproof:waive`) and checkov skips; save it as UTF-8 like Terraform requires.")


def waive(
    findings: list[Finding], index: PlanIndex, locator: Locator, waiver_file: Path | None,
    target: str | None, today: dt.date | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Apply every waiver to `findings` in place, add the unmanaged-skip findings; return
    the waiver problems (expired, unmatched) and notes for the report."""
    memo: list[KnownIds] = []

    def known() -> KnownIds:  # the catalog is read only when something names an ID
        if not memo:
            memo.append(known_ids())
        return memo[0]

    waivers: list[Waiver] = list(load_waivers(waiver_file, known())) if waiver_file else []
    source = read_inline(index, locator, known)
    waivers += source.waivers
    problems = apply_waivers(findings, waivers, today, target) if waivers else []
    extra, notes = skip_findings(source.skips, waivers, index, target)
    findings += extra
    return problems, notes


def module_folders(index: PlanIndex, locator: Locator) -> dict[Path, list[str]]:
    """Each local module folder of the configuration -> the address prefixes it is called at
    (`""` for the root, `"module.a."`, `"module.a.module.b."`)."""
    folders: dict[Path, list[str]] = {}
    for path, _module in index.modules():
        folder = locator.module_dir(path)
        if folder is not None:
            folders.setdefault(folder, []).append("".join(f"module.{n}." for n in path))
    return folders


def read_inline(index: PlanIndex, locator: Locator, known: Callable[[], KnownIds]) -> Source:
    """The inline waivers and checkov skips of the configuration (InputError on any problem)."""
    source = Source()
    for folder, prefixes in sorted(module_folders(index, locator).items()):
        for path in tf_files(folder):
            if not path.name.endswith(".tf"):  # .tf.json: JSON has no comments
                continue
            data = userfiles.read_regular(path, "Terraform file", tree.MAX_TF_FILE_BYTES, _HINT)
            if MARKERS.search(data) is None:
                continue
            text = userfiles.decode_text(data, f"The Terraform file {path}", _HINT)
            read_source(text, display(path), prefixes, known(), source)
    if source.problems:
        raise InputError(paragraph(source.problems))
    return source


def skip_findings(
    skips: Sequence[Skip], waivers: Sequence[Waiver], index: PlanIndex, target: str | None,
) -> tuple[list[Finding], list[str]]:
    """One failed finding per resource and control with unmanaged skips; notes for skips of
    checks tfproof does not run."""
    notes: list[str] = []
    groups: dict[tuple[str, str], list[Skip]] = {}
    for skip in skips:
        if skip.control is None:
            notes.append(f"checkov skip of {skip.check or 'no check ID'} at {skip.file}:"
                         f"{skip.line}: tfproof does not run that check (it is not in "
                         "policies/checkov_map.yaml), so the comment changes nothing here.")
            continue
        for address in sorted(skip.addresses):
            instances = index.by_config.get(address, [])
            if instances and not _governed(skip, instances, waivers, target):
                group = groups.setdefault((address, skip.control), [])
                if skip not in group:
                    group.append(skip)
    return [_finding(address, control, group)
            for (address, control), group in sorted(groups.items())], notes


def _governed(skip: Skip, instances: list[Resource], waivers: Sequence[Waiver],
              target: str | None) -> bool:
    """True when waivers with an owner and an expiry cover the skipped check everywhere."""
    live = [w for w in waivers if w.applies_to(target)]
    return all(any(w.matches(Finding(
        control=str(skip.control), check=skip.check, source="checkov", resource=r.address,
        status="failed", severity="low", message="")) for w in live) for r in instances)


def _finding(address: str, control: str, skips: list[Skip]) -> Finding:
    checks = sorted({s.check for s in skips})
    first = skips[0]
    also = sorted({f"{s.file}:{s.line}" for s in skips[1:]} - {f"{first.file}:{first.line}"})
    return Finding(
        control=control, check=UNMANAGED_SKIP, source="tfproof", resource=address,
        status="failed", severity="low", file=first.file, line=first.line,
        message=(f"checkov skip comment turns off {', '.join(checks)} with no owner and no "
                 "expiry; tfproof honours only waivers that have both, so it waives nothing"
                 + (f" (also at {', '.join(also)})" if also else "")),
        remediation=(f'Write `# tfproof:waive {checks[0]} reason="<why>" owner=<team> '
                     "expires=YYYY-MM-DD` above the resource block (one per check), or remove "
                     "the skip; the checkov comment may stay for checkov's own runs once a "
                     "tfproof waiver covers the same check."),
        extra={"skipped_checks": checks, "skip_reasons": sorted({s.reason for s in skips
                                                                 if s.reason})},
    )
