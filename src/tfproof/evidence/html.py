"""report.html: the one page an auditor reads, rendered from evidence.json alone.

Self-contained (inline CSS and SVG, a Content-Security-Policy that forbids any
network fetch, no script), so it opens from a mail attachment or an archive
years later. It leads with the verdict and a chart of controls by status, then
the control table, the framework view (each framework with the version its references
were mapped against: CIS AWS Foundations Benchmark v3.0.0, ...), a drill-down
per control (findings, test node ids, live checks), waivers with owner and
expiry, the comparison with an earlier bundle, and the run's manifest. Every
number on it is computed from the same evidence document the bundle ships, and
elements carry `data-*` attributes so a test can read them back from a real
browser's DOM.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tfproof.evidence.html_detail import comparison, drilldown, manifest, unattributed, waivers
from tfproof.evidence.html_style import CSP, CSS, LABELS, badge, chart, esc, table
from tfproof.evidence.model import CONTROL_STATUSES, LAYER_TITLES, LAYERS


def _summary(evidence: dict[str, Any]) -> str:
    summary = evidence["summary"]
    cards = "".join(
        f'<div class="card {s}"><div class="n" data-summary="controls.{s}">'
        f'{summary["controls"][s]}</div>{LABELS[s]}</div>'
        for s in CONTROL_STATUSES
    )
    findings = ", ".join(
        f'<span data-summary="findings.{k}">{v}</span> {k}' for k, v in summary["findings"].items()
    )
    tests = ", ".join(
        f'<span data-summary="tests.{k}">{v}</span> {k}' for k, v in summary["tests"].items()
    ) or "none run"
    live = ", ".join(
        f'<span data-summary="live_checks.{k}">{v}</span> {k}'
        for k, v in summary["live_checks"].items()
    )
    failing = ""
    if summary["failing_controls"] or summary["failing_unattributed"]:
        items = "".join(
            f'<li><a href="#control-{esc(c)}">{esc(c)}</a></li>'
            for c in summary["failing_controls"]
        ) + "".join(
            f"<li><code>{esc(x)}</code> (fits no control)</li>"
            for x in summary["failing_unattributed"]
        )
        failing = f'<div class="failing-list"><strong>Failing</strong><ul>{items}</ul></div>'
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<p><span data-summary="controls_total">{summary["controls_total"]}</span> controls.</p>'
        f'<div class="cards">{cards}</div>{chart(summary["controls"])}'
        f"<p>Findings: {findings}.<br>Tests: {tests}.<br>Live checks: {live}.</p>"
        f"{failing}</section>"
    )


def _layer_chips(control: dict[str, Any]) -> str:
    chips = []
    for layer in LAYERS:
        status = control["layers"][layer]["status"]
        cls = "chip" if status == "passed" else "chip off"
        chips.append(f'<span class="{cls}" title="{esc(LAYER_TITLES[layer])}: {esc(status)}">'
                     f"{layer}</span>")
    return "".join(chips)


def _controls_table(evidence: dict[str, Any]) -> str:
    envs = evidence["run"].get("envs", [])
    rows = []
    for c in evidence["controls"]:
        counts = c["counts"]
        env_cells = "".join(
            f"<td>{badge(c['by_env'].get(env, 'none'))}</td>" for env in envs
        )
        tests = sum(counts["tests"].values())
        rows.append(
            f'<tr data-control="{esc(c["id"])}" data-status="{esc(c["status"])}">'
            f'<td><a href="#control-{esc(c["id"])}"><strong>{esc(c["id"])}</strong></a></td>'
            f"<td>{esc(c['title'])}</td><td>{badge(c['status'])}</td>"
            f"<td>{_layer_chips(c)}</td>{env_cells}"
            f'<td class="num">{counts["findings"].get("failed", 0)}</td>'
            f'<td class="num">{sum(counts["findings"].values())}</td>'
            f'<td class="num">{tests}</td>'
            f'<td class="num">{sum(counts["live_checks"].values())}</td>'
            f"<td>{esc(c['reason'])}</td></tr>"
        )
    env_heads = "".join(f"<th>{esc(env)}</th>" for env in envs)
    return (
        '<section id="controls"><h2>Controls</h2>'
        '<table id="control-table"><thead><tr><th>control</th><th>title</th><th>status</th>'
        f'<th>proved by</th>{env_heads}<th class="num">failed findings</th>'
        '<th class="num">findings</th><th class="num">tests</th><th class="num">live checks</th>'
        f"<th>reason</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _frameworks(evidence: dict[str, Any]) -> str:
    parts = ['<section id="frameworks"><h2>Framework view</h2>']
    for framework in evidence["frameworks"]:
        label = framework["label"]
        refs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for control in evidence["controls"]:
            for ref in control["frameworks"].get(label, []):
                refs[ref].append(control)
        rows = []
        for ref in sorted(refs):
            controls = refs[ref]
            statuses = {c["status"] for c in controls}
            worst = next((s for s in CONTROL_STATUSES if s in statuses), "not_checked")
            links = " ".join(
                f'<a href="#control-{esc(c["id"])}">{esc(c["id"])}</a> {badge(c["status"])}'
                for c in controls
            )
            rows.append([f"<strong>{esc(ref)}</strong>", badge(worst), links])
        parts.append(f'<h3 data-framework-version="{esc(framework["version"])}">'
                     f'{esc(framework["title"])}</h3>')
        if rows:
            parts.append(table(["reference", "status", "tfproof controls"], rows,
                                f' data-framework="{esc(label)}"'))
        else:
            parts.append('<p class="note">The catalog maps no control to this framework.</p>')
    parts.append("</section>")
    return "".join(parts)


def render(evidence: dict[str, Any], file_hashes: dict[str, str]) -> str:
    """The whole report as one HTML string."""
    run = evidence["run"]
    summary = evidence["summary"]
    if summary["failing_controls"]:
        verdict = (f'<span class="verdict failed" id="verdict" data-verdict="failed">'
                   f'{len(summary["failing_controls"])} control(s) failed</span>')
    elif summary["failing_unattributed"]:
        verdict = ('<span class="verdict failed" id="verdict" data-verdict="failed">'
                   "Failures outside the catalog's controls</span>")
    else:
        verdict = ('<span class="verdict passed" id="verdict" data-verdict="passed">'
                   "No control failed</span>")
    git = run.get("git", {})
    notes = "".join(f"<li>{esc(n)}</li>" for n in evidence.get("notes", []))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>tfproof audit {esc(run['id'])}</title><style>{CSS}</style></head><body>"
        f"<header><h1>Compliance evidence: {esc(', '.join(run.get('envs', [])))}</h1>"
        f'<div class="meta">run <code>{esc(run["id"])}</code> · commit '
        f"<code>{esc((git.get('commit') or 'unknown')[:12])}</code>"
        f"{' (dirty)' if git.get('dirty') else ''} · {esc(run['started'])} → "
        f"{esc(run['finished'])} · tfproof {esc(run.get('versions', {}).get('tfproof'))}</div>"
        f"{verdict}<nav><p><a href=\"#summary\">summary</a><a href=\"#controls\">controls</a>"
        "<a href=\"#frameworks\">frameworks</a><a href=\"#drilldown\">details</a>"
        "<a href=\"#waivers\">waivers</a><a href=\"#manifest\">manifest</a></p></nav></header>"
        + _summary(evidence) + comparison(evidence) + _controls_table(evidence)
        + _frameworks(evidence) + drilldown(evidence) + waivers(evidence)
        + unattributed(evidence)
        + (f'<section id="notes"><h2>Notes</h2><ul>{notes}</ul></section>' if notes else "")
        + manifest(evidence, file_hashes) + "</body></html>\n"
    )
