"""The report's stylesheet, inline so report.html needs no network, CDN or second file."""

from __future__ import annotations

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
