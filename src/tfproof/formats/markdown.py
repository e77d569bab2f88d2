"""`--format markdown`: what a pull-request comment or `$GITHUB_STEP_SUMMARY` shows.

A reviewer reads it on the pull request, so it leads with what blocks the merge:
the failed controls (catalog ID and title), each failure with file:line, the
resource address and the fix; then advisories, the waivers that expire within 30
days (someone has to renew or fix them before the gate starts failing), the notes
(what was not judged, expired or unmatched waivers) and the counts.

Every value quoted from the user's code goes through `mdtext`, so a hostile
resource key can neither break a table nor inject HTML or links. GitHub refuses a
comment over 65,536 characters, so the text is fitted under `MAX_CHARS`: when it
would not fit, rows go in order of importance (advisories, then expiring
waivers, notes, failures last) and a line says how many were left out and where
the full report is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from tfproof.findings import SEVERITIES, Finding, ScanReport
from tfproof.formats.mdtext import EMPTY, code, size, text

GITHUB_LIMIT = 65_536
# room under GitHub's limit for what a workflow adds around the report (a marker, a title)
MAX_CHARS = 60_000
EXPIRY_WINDOW = dt.timedelta(days=30)
# what goes first when it does not fit
_DROP_ORDER = ("fixed", "advisory", "waiver", "note", "failed")
_KIND_WORDS = {"failed": "failed findings", "advisory": "advisories",
               "fixed": "fixed baseline entries",
               "waiver": "expiring waivers", "note": "notes"}
_URL = re.compile(r"https://[^\s<>()\[\]`|]+")


@dataclass
class _Block:
    """A heading and table header that stay, and rows that may be left out to fit."""

    kind: str
    head: list[str]
    rows: list[str] = field(default_factory=list)
    shown: int = -1  # rows kept (-1: all); 0 with `gone`: the whole block is left out
    gone: bool = False

    def render(self) -> list[str]:
        if self.gone:
            return []
        kept = self.rows if self.shown < 0 else self.rows[: self.shown]
        hidden = len(self.rows) - len(kept)
        more = [f"\n_{hidden} more {_KIND_WORDS[self.kind]} not shown here._"] if hidden else []
        return [*self.head, *kept, *more, ""]

    def left_out(self) -> int:
        """Rows not shown."""
        if self.gone:
            return len(self.rows)
        return 0 if self.shown < 0 else len(self.rows) - self.shown


def _where(finding: Finding) -> str:
    if not finding.file:
        return EMPTY
    return code(f"{finding.file}:{finding.line}" if finding.line else finding.file)


def _severity_rank(finding: Finding) -> int:
    return SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else 99


def _table(headers: list[str], align: str = "---") -> list[str]:
    return ["| " + " | ".join(headers) + " |", "|" + "|".join(align for _ in headers) + "|"]


def _failed_blocks(report: ScanReport) -> list[_Block]:
    order = {cid: i for i, cid in enumerate(report.control_titles)}
    by_control: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.failed:
        by_control[finding.control].append(finding)
    blocks = []
    against = report.baseline is not None  # then each failure says whether it is new
    rooted = any(f.root for f in report.failed)  # many roots: the same address in two roots
    for control in sorted(by_control, key=lambda c: (order.get(c, len(order)), c)):
        findings = sorted(by_control[control], key=lambda f: (
            f.baseline == "known", _severity_rank(f), f.resource, f.check))
        title = report.control_titles.get(control)
        heading = f"#### {text(control, 80)}" + (f": {text(title, 200)}" if title else "")
        new = sum(f.baseline != "known" for f in findings)
        counted = f"{len(findings)} failed, {new} new" if against else f"{len(findings)} failed"
        blocks.append(_Block("failed", [
            f"{heading} ({counted})", "",
            *_table(["Resource", *(["Root"] if rooted else []), "Where", "Check", "Severity",
                     "Finding", "Fix",
                     *(["Baseline"] if against else [])]),
        ], [
            f"| {code(f.resource)} |{f' {code(f.root)} |' if rooted else ''} {_where(f)} "
            f"| {code(f.check, 80)} | {text(f.severity, 20)} "
            f"| {text(f.message)} | {text(f.remediation)} |"
            + (f" {'known' if f.baseline == 'known' else 'new'} |" if against else "")
            for f in findings
        ]))
    return blocks


def _fixed_block(report: ScanReport) -> list[_Block]:
    """The baseline's entries that no longer fail (`--write-baseline` drops them)."""
    fixed = (report.baseline or {}).get("fixed") or []
    if not fixed:
        return []
    return [_Block("fixed", [
        f"### Fixed since the baseline ({len(fixed)})", "",
        *_table(["Control", "Check", "Resource", "Now"]),
    ], [
        f"| {code(e.get('control'), 80)} | {code(e.get('check'), 80)} "
        f"| {code(' '.join(str(e[k]) for k in ('root', 'resource') if e.get(k)))} "
        f"| {text(e.get('now'), 20)} |" for e in fixed
    ])]


def _advisory_block(report: ScanReport) -> list[_Block]:
    advisories = sorted((f for f in report.findings if f.status == "advisory"),
                        key=lambda f: (f.control, f.resource, f.check))
    if not advisories:
        return []
    return [_Block("advisory", [
        f"### Advisories ({len(advisories)})", "",
        "Stricter than the design document asks: reported, never a failure.", "",
        *_table(["Control", "Resource", "Where", "Check", "Advisory"]),
    ], [
        f"| {text(f.control, 80)} | {code(f.resource)} | {_where(f)} | {code(f.check, 80)} "
        f"| {text(f.message)} |" for f in advisories
    ])]


def expiring_waivers(report: ScanReport, today: dt.date) -> list[tuple[dt.date, dict, int]]:
    """(expiry, waiver, findings it waives) for waivers in force that end within 30 days."""
    counts: dict[tuple[tuple[str, str], ...], int] = defaultdict(int)
    waivers: dict[tuple[tuple[str, str], ...], dict] = {}
    for finding in report.findings:
        if finding.status != "waived" or not isinstance(finding.waiver, dict):
            continue
        key = tuple(sorted((str(k), str(v)) for k, v in finding.waiver.items()))
        counts[key] += 1
        waivers[key] = finding.waiver
    out = []
    for key, waiver in waivers.items():
        try:
            expires = dt.date.fromisoformat(str(waiver.get("expires")))
        except ValueError:  # no expiry (or none readable): not "expiring", and never guessed
            continue
        if today <= expires <= today + EXPIRY_WINDOW:
            out.append((expires, waiver, counts[key]))
    return sorted(out, key=lambda item: (item[0], str(item[1].get("owner"))))


def _waiver_block(report: ScanReport, today: dt.date) -> list[_Block]:
    expiring = expiring_waivers(report, today)
    if not expiring:
        return []
    rows = []
    for expires, waiver, count in expiring:
        days = (expires - today).days
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        waives = waiver.get("check") or waiver.get("control")
        rows.append(f"| {text(expires.isoformat())} ({when}) | {text(waiver.get('owner'))} "
                    f"| {code(waives, 80)} | {code(waiver.get('resource'))} "
                    f"| {text(waiver.get('reason'))} | {count} |")
    return [_Block("waiver", [
        f"### Waivers expiring within 30 days ({len(expiring)})", "",
        "After its expiry a waiver stops waiving and these findings fail: renew or fix.", "",
        *_table(["Expires", "Owner", "Waives", "Resource", "Reason", "Findings"]),
    ], rows)]


def _note_block(report: ScanReport) -> list[_Block]:
    if not report.notes:
        return []
    return [_Block("note", ["### Notes", ""], [f"- {text(note, 600)}" for note in report.notes])]


def _verdict(report: ScanReport) -> str:
    failed = report.failed
    # roots that could not be planned (many roots, --skip-unplannable) were never judged
    skipped = [r for r in report.roots or [] if "skipped" in r]
    incomplete = (f" (incomplete: {len(skipped)} of {len(report.roots or [])} root modules "
                  "not scanned)") if skipped else ""
    if report.baseline is not None and failed:  # only new failures fail the gate
        new, known = report.new_failed, len(failed) - len(report.new_failed)
        against = code(report.baseline.get("against"), 200, in_table=False)
        still = f"{known} known from the baseline {against}, still failed"
        if not new:
            return f"## tfproof: no new failure ({still}){incomplete}"
        controls = len({f.control for f in new})
        return (f"## tfproof: {len(new)} new failed finding{'s' if len(new) != 1 else ''} "
                f"in {controls} control{'s' if controls != 1 else ''} ({still}){incomplete}")
    if failed:
        controls = len({f.control for f in failed})
        return (f"## tfproof: {len(failed)} failed finding{'s' if len(failed) != 1 else ''} "
                f"in {controls} control{'s' if controls != 1 else ''}{incomplete}")
    if report.resources == 0:  # an empty plan is not a checked one: never "passed"
        return f"## tfproof: nothing judged (the plan holds no managed resource){incomplete}"
    return f"## tfproof: no unwaived failure{incomplete}"


def _summary(report: ScanReport) -> list[str]:
    counts = report.summary
    resources = EMPTY if report.resources is None else str(report.resources)
    return [
        "### Summary", "",
        *_table(["Failed", "Waived", "Passed", "Advisory", "Resources"], "--:"),
        f"| {counts['failed']} | {counts['waived']} | {counts['passed']} "
        f"| {counts['advisory']} | {resources} |", "",
        f"Scanned {code(report.target, in_table=False)} with tfproof "
        f"{text(report.tool_version, 40)}.",
    ]


def _notice(left_out: dict[str, int], full_report: str | None) -> list[str]:
    if not any(left_out.values()):
        return []
    what = ", ".join(f"{n} {_KIND_WORDS[kind]}" for kind, n in left_out.items() if n)
    # the command line is not known here (a folder, --plan, many roots): name the switch
    where = "run the same `tfproof scan` with `--format table` or `--format json`"
    if full_report:
        where = (f"see <{full_report}>" if _URL.fullmatch(full_report) and len(full_report) < 500
                 else f"see {text(full_report)}") + f", or {where}"
    return [f"> **Shortened to stay under GitHub's {GITHUB_LIMIT:,}-character comment limit:** "
            f"{what} are not shown. For the full report, {where}.", ""]


def render_markdown(
    report: ScanReport, *, today: dt.date | None = None, max_chars: int = MAX_CHARS,
    full_report: str | None = None,
) -> str:
    """The report as GitHub-flavoured Markdown of at most `max_chars` (UTF-16) characters.

    `today` decides which waivers expire within 30 days (tests pass a fixed date);
    `full_report` (a URL or a path) is named in the line that says what was left out.
    """
    today = today or dt.date.today()
    failed = _failed_blocks(report)
    blocks = [*failed, *_fixed_block(report), *_advisory_block(report),
              *_waiver_block(report, today), *_note_block(report)]
    failed_heading = [f"### Failed controls ({len(failed)})", ""] if failed else []

    def assemble() -> str:
        left_out: dict[str, int] = defaultdict(int)
        for block in blocks:
            left_out[block.kind] += block.left_out()
        shown_order = ("failed", "fixed", "advisory", "waiver", "note")
        lines = [_verdict(report), "",  # then what was left out, before anything else
                 *_notice({k: left_out[k] for k in shown_order}, full_report),
                 *failed_heading]
        for block in blocks:
            lines += block.render()
        return "\n".join([*lines, *_summary(report)]) + "\n"

    out = assemble()
    while size(out) > max_chars and _drop(blocks, size(out) - max_chars):
        out = assemble()
    return out


def _drop(blocks: list[_Block], over: int) -> bool:
    """Leave out rows worth at least `over` characters, least important first; False if none."""
    dropped = 0
    for kind in _DROP_ORDER:
        for block in reversed([b for b in blocks if b.kind == kind and not b.gone]):
            if block.shown < 0:
                block.shown = len(block.rows)
            while block.shown and dropped <= over:
                block.shown -= 1
                dropped += size(block.rows[block.shown]) + 1
            if block.shown == 0 and dropped <= over:
                block.gone = True
                dropped += sum(size(line) + 1 for line in block.head)
            if dropped > over:
                return True
    return dropped > 0
