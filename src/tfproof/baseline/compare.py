"""A report against a baseline: which failures are new, which are known, which were fixed.

Only a new failure makes the exit status 1 (`ScanReport.new_failed`). A known
failure keeps its status "failed" and is counted as failed in the summary: the
baseline is a record of debt, not a waiver, so every report still shows it,
marked "known". A baseline entry with no failure of the same key in this scan is
"fixed", with what the finding is now: passed, waived, advisory or absent (its
resource or check is gone), so the file can be shrunk with `--write-baseline`;
an entry of a root module the scan left out is neither (a note says so).
"""

from __future__ import annotations

from typing import Any

from tfproof.baseline.document import CORE, Baseline, Key, finding_key, row
from tfproof.findings import ScanReport
from tfproof.secrets.scrub import scrub

_NOW = ("waived", "advisory", "passed")  # what a fixed entry is now, when several findings say


def apply(report: ScanReport, baseline: Baseline) -> None:
    """Mark each failure of `report` new or known and record the summary on the report."""
    known = frozenset(_scrubbed(key) for key in baseline.keys)
    for finding in report.failed:
        finding.baseline = "known" if finding_key(finding) in known else "new"
    failing = {finding_key(f) for f in report.failed}
    now: dict[Key, str] = {}
    for finding in report.findings:
        key = finding_key(finding)
        if finding.status != "failed" and _NOW.index(finding.status) < _rank(now.get(key)):
            now[key] = finding.status
    # a root of a many-root scan left out (--skip-unplannable), or not part of this run at
    # all (--changed scans only the roots a change touched), fixed nothing: not "absent"
    scanned = {str(e["path"]) for e in report.roots or [] if "skipped" not in e}

    def unscanned(key: Key) -> str | None:
        root = row(key).get("root")
        return str(root) if root is not None and report.roots is not None \
            and str(root) not in scanned else None

    left = sorted({r for key in known - failing if (r := unscanned(key)) is not None})
    open_ = [key for key in known - failing if unscanned(key) is None]
    if left:
        report.notes.append(
            f"{len(known - failing) - len(open_)} baseline failure(s) of root modules not "
            f"scanned here ({', '.join(left)}) are neither known nor fixed.")
    fixed = [_entry(key, now.get(key, "absent")) for key in open_]
    fixed.sort(key=lambda entry: [str(value) for value in entry.values()])
    new = sum(f.baseline == "new" for f in report.failed)
    report.baseline = {"against": baseline.against, "new": new,
                       "known": len(report.failed) - new, "fixed": fixed}


def _entry(key: Key, now: str) -> dict[str, Any]:
    """A fixed entry as reports show it: control, check, resource (and the rest), now."""
    fields = row(key)
    order = [*CORE, *sorted(set(fields) - set(CORE))]
    return {**{name: fields[name] for name in order if name in fields}, "now": now}


def _rank(status: str | None) -> int:
    return _NOW.index(status) if status in _NOW else len(_NOW)


def _scrubbed(key: Key) -> Key:
    """A baseline's key as a finding's is compared (a value that held a secret when the
    baseline was made is the redaction marker in both)."""
    return tuple(scrub(v) if isinstance(v, str) else v for v in key)

