"""report.html: the one page an auditor reads, rendered from evidence.json alone.

Self-contained (inline CSS and SVG, a Content-Security-Policy that forbids any
network fetch, no script), so it opens from a mail attachment or an archive
years later. It leads with the verdict and a chart of controls by status, then
the control table, the framework view (CIS, NIST 800-53, SOC 2), a drill-down
per control (findings, test node ids, live checks), waivers with owner and
expiry, the comparison with an earlier bundle, and the run's manifest. Every
number on it is computed from the same evidence document the bundle ships, and
elements carry `data-*` attributes so a test can read them back from a real
browser's DOM.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from tfproof.evidence.html_style import CSP, CSS
from tfproof.evidence.model import CONTROL_STATUSES, LAYER_TITLES, LAYERS

FRAMEWORKS = ("CIS", "NIST 800-53", "SOC 2")
_COLORS = {"failed": "#c62828", "waived": "#b26a00", "passed": "#2e7d32", "not_checked": "#757575"}
_ORDER = {"failed": 0, "error": 0, "xpassed": 0, "waived": 1, "advisory": 2, "skipped": 3,
          "xfailed": 3, "passed": 4}
_LABELS = {"failed": "failed", "waived": "waived", "passed": "passed", "not_checked": "not checked"}


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _badge(status: str) -> str:
    return f'<span class="badge {_e(status)}">{_e(_LABELS.get(status, status))}</span>'


def _table(headers: list[str], rows: list[list[str]], attrs: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(counts: dict[str, int]) -> str:
    """A horizontal bar per status, sized by count (inline SVG)."""
    total = max(1, sum(counts.values()))
    width, bar_h, gap, label_w = 520, 24, 8, 110
    parts = []
    for i, status in enumerate(CONTROL_STATUSES):
        n = counts.get(status, 0)
        y = i * (bar_h + gap)
        w = round((width - label_w - 60) * n / total)
        parts.append(
            f'<text x="0" y="{y + 16}">{_LABELS[status]}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" '
            f'fill="{_COLORS[status]}" data-chart-status="{status}" data-count="{n}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 16}">{n}</text>'
        )
    height = len(CONTROL_STATUSES) * (bar_h + gap)
    return (
        f'<svg id="status-chart" role="img" aria-label="controls by status" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
    )


def _summary(evidence: dict[str, Any]) -> str:
    summary = evidence["summary"]
    cards = "".join(
        f'<div class="card {s}"><div class="n" data-summary="controls.{s}">'
        f'{summary["controls"][s]}</div>{_LABELS[s]}</div>'
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
            f'<li><a href="#control-{_e(c)}">{_e(c)}</a></li>' for c in summary["failing_controls"]
        ) + "".join(
            f"<li><code>{_e(x)}</code> (fits no control)</li>"
            for x in summary["failing_unattributed"]
        )
        failing = f'<div class="failing-list"><strong>Failing</strong><ul>{items}</ul></div>'
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<p><span data-summary="controls_total">{summary["controls_total"]}</span> controls.</p>'
        f'<div class="cards">{cards}</div>{_chart(summary["controls"])}'
        f"<p>Findings: {findings}.<br>Tests: {tests}.<br>Live checks: {live}.</p>"
        f"{failing}</section>"
    )


def _layer_chips(control: dict[str, Any]) -> str:
    chips = []
    for layer in LAYERS:
        status = control["layers"][layer]["status"]
        cls = "chip" if status == "passed" else "chip off"
        chips.append(f'<span class="{cls}" title="{_e(LAYER_TITLES[layer])}: {_e(status)}">'
                     f"{layer}</span>")
    return "".join(chips)


def _controls_table(evidence: dict[str, Any]) -> str:
    envs = evidence["run"].get("envs", [])
    rows = []
    for c in evidence["controls"]:
        counts = c["counts"]
        env_cells = "".join(
            f"<td>{_badge(c['by_env'].get(env, 'none'))}</td>" for env in envs
        )
        tests = sum(counts["tests"].values())
        rows.append(
            f'<tr data-control="{_e(c["id"])}" data-status="{_e(c["status"])}">'
            f'<td><a href="#control-{_e(c["id"])}"><strong>{_e(c["id"])}</strong></a></td>'
            f"<td>{_e(c['title'])}</td><td>{_badge(c['status'])}</td>"
            f"<td>{_layer_chips(c)}</td>{env_cells}"
            f'<td class="num">{counts["findings"].get("failed", 0)}</td>'
            f'<td class="num">{sum(counts["findings"].values())}</td>'
            f'<td class="num">{tests}</td>'
            f'<td class="num">{sum(counts["live_checks"].values())}</td>'
            f"<td>{_e(c['reason'])}</td></tr>"
        )
    env_heads = "".join(f"<th>{_e(env)}</th>" for env in envs)
    return (
        '<section id="controls"><h2>Controls</h2>'
        '<table id="control-table"><thead><tr><th>control</th><th>title</th><th>status</th>'
        f'<th>proved by</th>{env_heads}<th class="num">failed findings</th>'
        '<th class="num">findings</th><th class="num">tests</th><th class="num">live checks</th>'
        f"<th>reason</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _frameworks(evidence: dict[str, Any]) -> str:
    parts = ['<section id="frameworks"><h2>Framework view</h2>']
    for framework in FRAMEWORKS:
        refs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for control in evidence["controls"]:
            for ref in control["frameworks"].get(framework, []):
                refs[ref].append(control)
        rows = []
        for ref in sorted(refs):
            controls = refs[ref]
            statuses = {c["status"] for c in controls}
            worst = next((s for s in CONTROL_STATUSES if s in statuses), "not_checked")
            links = " ".join(
                f'<a href="#control-{_e(c["id"])}">{_e(c["id"])}</a> {_badge(c["status"])}'
                for c in controls
            )
            rows.append([f"<strong>{_e(ref)}</strong>", _badge(worst), links])
        parts.append(f"<h3>{_e(framework)}</h3>")
        if rows:
            parts.append(_table(["reference", "status", "tfproof controls"], rows,
                                f' data-framework="{_e(framework)}"'))
        else:
            parts.append('<p class="note">The catalog maps no control to this framework.</p>')
    parts.append("</section>")
    return "".join(parts)


def _finding_rows(findings: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for f in findings:
        where = f"{f.get('file') or ''}{':' + str(f['line']) if f.get('line') else ''}"
        waiver = f.get("waiver") or {}
        waiver_text = (
            f"{_e(waiver.get('reason', ''))} (owner {_e(waiver.get('owner', '?'))}, "
            f"expires {_e(waiver.get('expires', '?'))})" if waiver else ""
        )
        rows.append([
            f'<span id="finding-{_e(f["id"])}">{_e(f["id"])}</span>', _e(f["env"]),
            _badge(f["status"]), f"<code>{_e(f['check'])}</code>", _e(f["source"]),
            f"<code>{_e(f['resource'])}</code>", _e(f.get("severity", "")), _e(f["message"]),
            f"<code>{_e(where)}</code>", waiver_text,
        ])
    return rows


def _drilldown(evidence: dict[str, Any]) -> str:
    parts = ['<section id="drilldown"><h2>Controls in detail</h2>']
    for c in evidence["controls"]:
        refs = "; ".join(
            f"{fw}: {', '.join(c['frameworks'].get(fw, [])) or '-'}" for fw in FRAMEWORKS
        )
        layer_rows = [
            [_e(LAYER_TITLES[layer]), _badge(v["status"]), str(v["passed"]), str(v["failed"]),
             str(v["waived"]), str(v["skipped"])]
            for layer, v in c["layers"].items()
        ]
        body = [
            f"<p><strong>Requirement (design doc):</strong> {_e(c['requirement']) or '-'}<br>"
            f"<strong>Holds when:</strong> {_e(c['holds_when']) or '-'}<br>"
            f"<strong>Frameworks:</strong> {_e(refs)}<br>"
            f"<strong>Verdict:</strong> {_badge(c['status'])} {_e(c['reason'])}</p>",
            _table(["layer", "status", "passed", "failed", "waived", "skipped"], layer_rows),
        ]
        checks = c.get("checks", []) + c.get("advisory_checks", [])
        if checks:
            body.append(
                "<p><strong>Checks behind it:</strong> "
                + ", ".join(f"<code>{_e(x)}</code>" for x in c.get("checks", []))
                + ("; advisory (stricter than the seed): "
                   + ", ".join(f"<code>{_e(x)}</code>" for x in c["advisory_checks"])
                   if c.get("advisory_checks") else "") + "</p>")
        if c["findings"]:
            headers = ["id", "env", "status", "check", "source", "resource", "severity",
                       "message", "where", "waiver"]
            ordered = sorted(c["findings"], key=lambda f: _ORDER.get(f["status"], 9))
            shown = [f for f in ordered if f["status"] != "passed"]
            passed = [f for f in ordered if f["status"] == "passed"]
            body.append(f"<h3>Findings ({len(c['findings'])}: {len(passed)} passed)</h3>")
            if shown:
                body.append(_table(headers, _finding_rows(shown)))
            if passed:
                body.append(f"<details><summary>{len(passed)} passed findings</summary>"
                            + _table(headers, _finding_rows(passed)) + "</details>")
        if c["tests"]:
            ordered_tests = sorted(c["tests"], key=lambda t: _ORDER.get(t["outcome"], 9))
            body.append(f"<h3>Tests ({len(c['tests'])})</h3>")
            body.append(_table(["test node id", "layer", "outcome", "attributed by", "message"], [
                [f"<code>{_e(t['nodeid'])}</code>", _e(t["layer"]), _badge(t["outcome"]),
                 _e(t.get("attribution", "")), _e(t.get("message", ""))]
                for t in ordered_tests]))
        if c["live_checks"]:
            ordered_live = sorted(c["live_checks"], key=lambda x: _ORDER.get(x["status"], 9))
            body.append(f"<h3>Live checks ({len(c['live_checks'])})</h3>")
            body.append(_table(["check", "status", "resource", "detail"], [
                [_e(x["name"]), _badge(x["status"]), f"<code>{_e(x['resource'])}</code>",
                 _e(x["detail"])] for x in ordered_live]))
        if not (c["findings"] or c["tests"] or c["live_checks"]):
            body.append('<p class="note">No evidence: nothing could check this control.</p>')
        open_attr = " open" if c["status"] == "failed" else ""
        parts.append(
            f'<details id="control-{_e(c["id"])}" data-control="{_e(c["id"])}"{open_attr}>'
            f"<summary>{_e(c['id'])}: {_e(c['title'])} {_badge(c['status'])}</summary>"
            f"{''.join(body)}</details>"
        )
    parts.append("</section>")
    return "".join(parts)


def _waivers(evidence: dict[str, Any]) -> str:
    waivers = evidence.get("waivers", [])
    if not waivers:
        return '<section id="waivers"><h2>Waivers</h2><p class="note">No waivers.</p></section>'
    rows = [
        [_e(w.get("control") or w.get("check") or ""),
         f"<code>{_e(w.get('resource', '*'))}</code>",
         f"<code>{_e(w.get('target') or 'every target')}</code>",
         _e(w.get("reason", "")), _e(w.get("owner", "")), _e(w.get("expires", "")),
         _badge(w.get("status", "active")), str(w.get("matched", 0))]
        for w in waivers
    ]
    return ('<section id="waivers"><h2>Waivers</h2>'
            + _table(["control / check", "resource", "target", "reason", "owner", "expires",
                      "status", "findings matched"], rows, ' id="waiver-table"') + "</section>")


def _comparison(evidence: dict[str, Any]) -> str:
    delta = evidence.get("comparison")
    if not delta:
        return ""
    rows = []
    for key in ("regressed", "recovered", "lost_coverage", "changed"):
        for entry in delta["controls"][key]:
            rows.append([_e(key.replace("_", " ")), f'<a href="#control-{_e(entry["id"])}">'
                         f'{_e(entry["id"])}</a>', _badge(entry["before"]), _badge(entry["after"])])
    waivers = [[_e(kind), _e(w.get("control") or w.get("check")), _e(w.get("resource", "*")),
                _e(w.get("owner", "")), _e(w.get("expires", ""))]
               for kind in ("new", "expired", "removed") for w in delta["waivers"][kind]]
    prev = delta["previous"]
    return (
        '<section id="comparison"><h2>Since the previous bundle</h2>'
        f"<p>Compared with <code>{_e(prev['run_id'])}</code> (commit "
        f"<code>{_e(prev['commit'])}</code>). New failing findings: "
        f"{len(delta['findings']['new_failures'])}; fixed: {len(delta['findings']['fixed'])}.</p>"
        + (_table(["change", "control", "before", "after"], rows) if rows
           else '<p class="note">No control changed status.</p>')
        + (_table(["waiver", "control / check", "resource", "owner", "expires"], waivers)
           if waivers else "")
        + "</section>"
    )


def _unattributed(evidence: dict[str, Any]) -> str:
    un = evidence["unattributed"]
    if not any(un.values()):
        return ""
    rows = [[_e("test"), f"<code>{_e(t['nodeid'])}</code>", _badge(t["outcome"])]
            for t in un["tests"]]
    rows += [[_e("finding"), f"<code>{_e(f['key'])}</code>", _badge(f["status"])]
             for f in un["findings"]]
    rows += [[_e("live check"), _e(c["name"]), _badge(c["status"])] for c in un["live_checks"]]
    return ('<section id="unattributed"><h2>Evidence that fits no control</h2>'
            '<p class="note">Tests without a <code>@pytest.mark.control(...)</code> marker, and '
            "findings or live checks naming no catalog control. Failures here still fail the "
            "audit.</p>" + _table(["kind", "what", "status"], rows) + "</section>")


def _manifest(evidence: dict[str, Any], file_hashes: dict[str, str]) -> str:
    run = evidence["run"]
    git = run.get("git", {})
    meta = [
        ["run id", f"<code>{_e(run['id'])}</code>"],
        ["git commit", f"<code>{_e(git.get('commit') or 'not a git checkout')}</code>"
         + (" <strong>(dirty tree)</strong>" if git.get("dirty") else "")],
        ["started", _e(run["started"])], ["finished", _e(run["finished"])],
        ["environments", _e(", ".join(run.get("envs", [])))],
        ["layers run", _e(", ".join(run.get("layers_run", [])))],
        ["sandbox", _e(f"{run.get('sandbox', {}).get('kind') or '-'} (account "
                       f"{run.get('sandbox', {}).get('account_id') or '-'})")],
        ["command", f"<code>{_e(' '.join(run.get('command', [])))}</code>"],
    ] + [[_e(k), _e(v)] for k, v in run.get("versions", {}).items()]
    files = [[f"<code>{_e(k)}</code>", f"<code>{_e(v)}</code>"] for k, v in file_hashes.items()]
    inputs = run.get("inputs", {})
    return (
        '<section id="manifest"><h2>Manifest</h2>' + _table(["", ""], meta)
        + "<h3>Files of this bundle</h3><p class=\"note\">report.html and manifest.json are "
        "hashed in manifest.json and SHA256SUMS; check the whole bundle with "
        "<code>tfproof verify DIR</code> or <code>sha256sum -c SHA256SUMS</code>.</p>"
        + _table(["file", "sha256"], files)
        + f"<details><summary>Checked inputs ({len(inputs)} files)</summary>"
        + _table(["file", "sha256"], [[f"<code>{_e(k)}</code>", f"<code>{_e(v)}</code>"]
                                      for k, v in inputs.items()])
        + "</details></section>"
    )


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
    notes = "".join(f"<li>{_e(n)}</li>" for n in evidence.get("notes", []))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>tfproof audit {_e(run['id'])}</title><style>{CSS}</style></head><body>"
        f"<header><h1>Compliance evidence: {_e(', '.join(run.get('envs', [])))}</h1>"
        f'<div class="meta">run <code>{_e(run["id"])}</code> · commit '
        f"<code>{_e((git.get('commit') or 'unknown')[:12])}</code>"
        f"{' (dirty)' if git.get('dirty') else ''} · {_e(run['started'])} → "
        f"{_e(run['finished'])} · tfproof {_e(run.get('versions', {}).get('tfproof'))}</div>"
        f"{verdict}<nav><p><a href=\"#summary\">summary</a><a href=\"#controls\">controls</a>"
        "<a href=\"#frameworks\">frameworks</a><a href=\"#drilldown\">details</a>"
        "<a href=\"#waivers\">waivers</a><a href=\"#manifest\">manifest</a></p></nav></header>"
        + _summary(evidence) + _comparison(evidence) + _controls_table(evidence)
        + _frameworks(evidence) + _drilldown(evidence) + _waivers(evidence)
        + _unattributed(evidence)
        + (f'<section id="notes"><h2>Notes</h2><ul>{notes}</ul></section>' if notes else "")
        + _manifest(evidence, file_hashes) + "</body></html>\n"
    )
