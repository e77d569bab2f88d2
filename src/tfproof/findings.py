"""The findings model shared by the policy engine, checkov, waivers, reports and evidence.

One `Finding` is one check's verdict on one resource address, rolled up into
exactly one control of the catalog (`policies/catalog.yaml`; each control is a
promise of `docs/requirements.md`). Its JSON form is the `tfproof scan --format
json` contract (`tfproof scan --help`, README), so every writer serialises
through here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any, Literal

Status = Literal["failed", "passed", "waived", "advisory"]
STATUSES: tuple[Status, ...] = ("failed", "passed", "waived", "advisory")
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass
class Finding:
    """One check's result on one resource."""

    control: str
    check: str
    source: str  # "tfproof" (custom policy) or "checkov"
    resource: str  # full plan address
    status: Status
    severity: str
    message: str
    file: str | None = None
    line: int | None = None
    remediation: str | None = None
    waiver: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # a failure against a baseline (`--baseline`/`--since`, tfproof.baseline): "new" or "known"
    baseline: str | None = None
    # the root module's folder, in a scan of many roots (`tfproof scan infra/`): two roots can
    # hold the same address, so it is part of the finding's identity (`key`); None for one root
    root: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's finding object (optional keys only when set)."""
        # asdict's recursive deep copy was most of the JSON report's time on a big plan; the
        # only nested values (waiver, extra) are plain JSON, copied here without its machinery
        data = {f.name: _copied(getattr(self, f.name)) for f in _FIELDS}
        for key in ("remediation", "waiver", "baseline", "root"):
            if data[key] is None:
                del data[key]
        if not data["extra"]:
            del data["extra"]
        return data

    @property
    def key(self) -> tuple[str, ...]:
        """Identity of a finding across runs (for compare and de-duplication); the root
        module's folder joins it only in a scan of many roots, so one root's keys are as before."""
        return (self.check, self.resource, self.control) + ((self.root,) if self.root else ())


_FIELDS = fields(Finding)


def _copied(value: Any) -> Any:
    """A copy of a finding's value, so a caller editing the JSON object leaves the finding be."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


@dataclass
class ScanReport:
    """Everything `tfproof scan` found on one target."""

    target: str
    findings: list[Finding]
    tool_version: str = "0.1.0"
    notes: list[str] = field(default_factory=list)
    waivers: list[dict[str, Any]] = field(default_factory=list)  # expired / unmatched waivers
    resources: int | None = None  # managed resources in the plan (0: nothing could be judged)
    # control ID -> its catalog title, for writers that name controls (markdown); not part of
    # the JSON contract, which names controls by ID only
    control_titles: dict[str, str] = field(default_factory=dict)
    # against a baseline: {"against", "new", "known", "fixed": [...]} (tfproof.baseline.compare)
    baseline: dict[str, Any] | None = None
    # a scan of many roots (tfproof.engine.many): one entry per root, {"path", "resources",
    # "summary"} or {"path", "skipped": why}; None (and no JSON key) for a scan of one root
    roots: list[dict[str, Any]] | None = None

    @property
    def summary(self) -> dict[str, int]:
        """Counts by status (every status present, zero when none)."""
        counts = Counter(f.status for f in self.findings)
        return {status: counts.get(status, 0) for status in STATUSES}

    @property
    def failed(self) -> list[Finding]:
        """Unwaived failures, known ones of a baseline included (known is not passed)."""
        return [f for f in self.findings if f.status == "failed"]

    @property
    def new_failed(self) -> list[Finding]:
        """Failures not known from a baseline: any of these makes the exit status 1 (without
        a baseline, every failure is new)."""
        return [f for f in self.failed if f.baseline != "known"]

    def to_json(self) -> dict[str, Any]:
        """The `--format json` document: tool, version, target, summary, findings."""
        return {
            "tool": "tfproof",
            "version": self.tool_version,
            "target": self.target,
            "summary": self.summary,
            "findings": [f.to_json() for f in sorted_findings(self.findings)],
            **({"notes": self.notes} if self.notes else {}),
            **({"waivers": self.waivers} if self.waivers else {}),
            **({"baseline": self.baseline} if self.baseline is not None else {}),
            **({"roots": self.roots} if self.roots is not None else {}),
        }


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Stable report order: failures first, then by control, resource, check."""
    order = {s: i for i, s in enumerate(STATUSES)}
    return sorted(findings, key=lambda f: (order[f.status], f.control, f.resource, f.check))
