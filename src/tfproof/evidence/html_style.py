"""The report's look: its inline stylesheet (no network, CDN or second file) and small elements.

Badges, tables and the status chart are drawn the same way by every section
(`html`, `html_detail`).
"""

from __future__ import annotations

from html import escape
from typing import Any

from tfproof.evidence.model import CONTROL_STATUSES

FRAMEWORKS = ("CIS", "NIST 800-53", "SOC 2")

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

CSS = """
:root { --fail:#c62828; --waive:#b26a00; --pass:#2e7d32; --none:#757575; --ink:#1d1d1f;
        --line:#d9dce1; --soft:#f5f6f8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0; padding: 0 2rem 4rem; max-width: 1400px; }
header { border-bottom: 1px solid var(--line); padding: 1.2rem 0 .8rem; margin-bottom: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .3rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line);
     padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
nav a { margin-right: 1rem; }
.meta { color: #555; }
.verdict { display: inline-block; padding: .3rem .8rem; border-radius: 4px; color: #fff;
           font-weight: 600; margin-top: .5rem; }
.verdict.failed { background: var(--fail); } .verdict.passed { background: var(--pass); }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left;
         vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
              font-size: 12px; word-break: break-all; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 3px; color: #fff;
         font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.failed, .badge.error, .badge.xpassed { background: var(--fail); }
.badge.waived { background: var(--waive); }
.badge.passed, .badge.satisfied { background: var(--pass); }
.badge.not_checked, .badge.skipped, .badge.none, .badge.advisory, .badge.xfailed,
.badge.expired, .badge.unused { background: var(--none); }
.badge.active { background: var(--pass); }
.chip { display: inline-block; border: 1px solid var(--line); border-radius: 10px;
        padding: 0 .5rem; font-size: 12px; margin-right: .2rem; background: var(--soft); }
.chip.off { color: #aaa; background: #fff; text-decoration: line-through; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: .5rem 0 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; min-width: 9rem; }
.card .n { font-size: 1.6rem; font-weight: 700; }
.card.failed .n { color: var(--fail); } .card.waived .n { color: var(--waive); }
.card.passed .n { color: var(--pass); } .card.not_checked .n { color: var(--none); }
details { border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0;
          padding: .3rem .7rem; }
details[open] { background: #fcfcfd; }
summary { cursor: pointer; font-weight: 600; }
.failing-list { border-left: 4px solid var(--fail); padding: .4rem 1rem; background: #fdecea; }
.note { color: #555; font-style: italic; }
svg text { font: 12px system-ui, sans-serif; }
@media print { details { break-inside: avoid; } nav { display: none; } }
"""


COLORS = {"failed": "#c62828", "waived": "#b26a00", "passed": "#2e7d32", "not_checked": "#757575"}


ORDER = {"failed": 0, "error": 0, "xpassed": 0, "waived": 1, "advisory": 2, "skipped": 3,
          "xfailed": 3, "passed": 4}


LABELS = {"failed": "failed", "waived": "waived", "passed": "passed", "not_checked": "not checked"}


def esc(value: Any) -> str:
    return escape("" if value is None else str(value))


def badge(status: str) -> str:
    return f'<span class="badge {esc(status)}">{esc(LABELS.get(status, status))}</span>'


def table(headers: list[str], rows: list[list[str]], attrs: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def chart(counts: dict[str, int]) -> str:
    """A horizontal bar per status, sized by count (inline SVG)."""
    total = max(1, sum(counts.values()))
    width, bar_h, gap, label_w = 520, 24, 8, 110
    parts = []
    for i, status in enumerate(CONTROL_STATUSES):
        n = counts.get(status, 0)
        y = i * (bar_h + gap)
        w = round((width - label_w - 60) * n / total)
        parts.append(
            f'<text x="0" y="{y + 16}">{LABELS[status]}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" '
            f'fill="{COLORS[status]}" data-chart-status="{status}" data-count="{n}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 16}">{n}</text>'
        )
    height = len(CONTROL_STATUSES) * (bar_h + gap)
    return (
        f'<svg id="status-chart" role="img" aria-label="controls by status" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
    )
