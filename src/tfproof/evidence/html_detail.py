"""report.html's detail sections: per-control drill-down, waivers, comparison, manifest.

Split from `html` (the page and its summary views) by concern; both draw with
the small elements of `html_style`.
"""

from __future__ import annotations

from typing import Any

from tfproof.evidence.html_style import ORDER, badge, esc, table
from tfproof.evidence.model import LAYER_TITLES


def _finding_rows(findings: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for f in findings:
        where = f"{f.get('file') or ''}{':' + str(f['line']) if f.get('line') else ''}"
        waiver = f.get("waiver") or {}
        waiver_text = (
            f"{esc(waiver.get('reason', ''))} (owner {esc(waiver.get('owner', '?'))}, "
            f"expires {esc(waiver.get('expires', '?'))})" if waiver else ""
        )
        rows.append([
            f'<span id="finding-{esc(f["id"])}">{esc(f["id"])}</span>', esc(f["env"]),
            badge(f["status"]), f"<code>{esc(f['check'])}</code>", esc(f["source"]),
            f"<code>{esc(f['resource'])}</code>", esc(f.get("severity", "")), esc(f["message"]),
            f"<code>{esc(where)}</code>", waiver_text,
        ])
    return rows


def drilldown(evidence: dict[str, Any]) -> str:
    parts = ['<section id="drilldown"><h2>Controls in detail</h2>']
    for c in evidence["controls"]:
        refs = "; ".join(  # each framework by its title, which names the version
            f"{fw['title']}: {', '.join(c['frameworks'].get(fw['label'], [])) or '-'}"
            for fw in evidence["frameworks"]
        )
        layer_rows = [
            [esc(LAYER_TITLES[layer]), badge(v["status"]), str(v["passed"]), str(v["failed"]),
             str(v["waived"]), str(v["skipped"])]
            for layer, v in c["layers"].items()
        ]
        body = [
            f"<p><strong>Requirement (design doc):</strong> {esc(c['requirement']) or '-'}<br>"
            f"<strong>Holds when:</strong> {esc(c['holds_when']) or '-'}<br>"
            f"<strong>Frameworks:</strong> {esc(refs)}<br>"
            f"<strong>Verdict:</strong> {badge(c['status'])} {esc(c['reason'])}</p>",
            table(["layer", "status", "passed", "failed", "waived", "skipped"], layer_rows),
        ]
        checks = c.get("checks", []) + c.get("advisory_checks", [])
        if checks:
            body.append(
                "<p><strong>Checks behind it:</strong> "
                + ", ".join(f"<code>{esc(x)}</code>" for x in c.get("checks", []))
                + ("; advisory (stricter than the seed): "
                   + ", ".join(f"<code>{esc(x)}</code>" for x in c["advisory_checks"])
                   if c.get("advisory_checks") else "") + "</p>")
        if c["findings"]:
            headers = ["id", "env", "status", "check", "source", "resource", "severity",
                       "message", "where", "waiver"]
            ordered = sorted(c["findings"], key=lambda f: ORDER.get(f["status"], 9))
            shown = [f for f in ordered if f["status"] != "passed"]
            passed = [f for f in ordered if f["status"] == "passed"]
            body.append(f"<h3>Findings ({len(c['findings'])}: {len(passed)} passed)</h3>")
            if shown:
                body.append(table(headers, _finding_rows(shown)))
            if passed:
                body.append(f"<details><summary>{len(passed)} passed findings</summary>"
                            + table(headers, _finding_rows(passed)) + "</details>")
        if c["tests"]:
            ordered_tests = sorted(c["tests"], key=lambda t: ORDER.get(t["outcome"], 9))
            body.append(f"<h3>Tests ({len(c['tests'])})</h3>")
            body.append(table(["test node id", "layer", "outcome", "attributed by", "message"], [
                [f"<code>{esc(t['nodeid'])}</code>", esc(t["layer"]), badge(t["outcome"]),
                 esc(t.get("attribution", "")), esc(t.get("message", ""))]
                for t in ordered_tests]))
        if c["live_checks"]:
            ordered_live = sorted(c["live_checks"], key=lambda x: ORDER.get(x["status"], 9))
            body.append(f"<h3>Live checks ({len(c['live_checks'])})</h3>")
            body.append(table(["check", "status", "resource", "detail"], [
                [esc(x["name"]), badge(x["status"]), f"<code>{esc(x['resource'])}</code>",
                 esc(x["detail"])] for x in ordered_live]))
        if not (c["findings"] or c["tests"] or c["live_checks"]):
            body.append('<p class="note">No evidence: nothing could check this control.</p>')
        open_attr = " open" if c["status"] == "failed" else ""
        parts.append(
            f'<details id="control-{esc(c["id"])}" data-control="{esc(c["id"])}"{open_attr}>'
            f"<summary>{esc(c['id'])}: {esc(c['title'])} {badge(c['status'])}</summary>"
            f"{''.join(body)}</details>"
        )
    parts.append("</section>")
    return "".join(parts)


def waivers(evidence: dict[str, Any]) -> str:
    waivers = evidence.get("waivers", [])
    if not waivers:
        return '<section id="waivers"><h2>Waivers</h2><p class="note">No waivers.</p></section>'
    rows = [
        [esc(w.get("control") or w.get("check") or ""),
         f"<code>{esc(w.get('resource', '*'))}</code>",
         f"<code>{esc(w.get('target') or 'every target')}</code>",
         esc(w.get("reason", "")), esc(w.get("owner", "")), esc(w.get("expires", "")),
         badge(w.get("status", "active")), str(w.get("matched", 0))]
        for w in waivers
    ]
    return ('<section id="waivers"><h2>Waivers</h2>'
            + table(["control / check", "resource", "target", "reason", "owner", "expires",
                      "status", "findings matched"], rows, ' id="waiver-table"') + "</section>")


def comparison(evidence: dict[str, Any]) -> str:
    delta = evidence.get("comparison")
    if not delta:
        return ""
    rows = []
    for key in ("regressed", "recovered", "lost_coverage", "changed"):
        for entry in delta["controls"][key]:
            rows.append([esc(key.replace("_", " ")), f'<a href="#control-{esc(entry["id"])}">'
                         f'{esc(entry["id"])}</a>', badge(entry["before"]), badge(entry["after"])])
    waivers = [[esc(kind), esc(w.get("control") or w.get("check")), esc(w.get("resource", "*")),
                esc(w.get("owner", "")), esc(w.get("expires", ""))]
               for kind in ("new", "expired", "removed") for w in delta["waivers"][kind]]
    prev = delta["previous"]
    return (
        '<section id="comparison"><h2>Since the previous bundle</h2>'
        f"<p>Compared with <code>{esc(prev['run_id'])}</code> (commit "
        f"<code>{esc(prev['commit'])}</code>). New failing findings: "
        f"{len(delta['findings']['new_failures'])}; fixed: {len(delta['findings']['fixed'])}.</p>"
        + (table(["change", "control", "before", "after"], rows) if rows
           else '<p class="note">No control changed status.</p>')
        + (table(["waiver", "control / check", "resource", "owner", "expires"], waivers)
           if waivers else "")
        + "</section>"
    )


def unattributed(evidence: dict[str, Any]) -> str:
    un = evidence["unattributed"]
    if not any(un.values()):
        return ""
    rows = [[esc("test"), f"<code>{esc(t['nodeid'])}</code>", badge(t["outcome"])]
            for t in un["tests"]]
    rows += [[esc("finding"), f"<code>{esc(f['key'])}</code>", badge(f["status"])]
             for f in un["findings"]]
    rows += [[esc("live check"), esc(c["name"]), badge(c["status"])] for c in un["live_checks"]]
    return ('<section id="unattributed"><h2>Evidence that fits no control</h2>'
            '<p class="note">Tests without a <code>@pytest.mark.control(...)</code> marker, and '
            "findings or live checks naming no catalog control. Failures here still fail the "
            "audit.</p>" + table(["kind", "what", "status"], rows) + "</section>")


def manifest(evidence: dict[str, Any], file_hashes: dict[str, str]) -> str:
    run = evidence["run"]
    git = run.get("git", {})
    meta = [
        ["run id", f"<code>{esc(run['id'])}</code>"],
        ["git commit", f"<code>{esc(git.get('commit') or 'not a git checkout')}</code>"
         + (" <strong>(dirty tree)</strong>" if git.get("dirty") else "")],
        ["started", esc(run["started"])], ["finished", esc(run["finished"])],
        ["environments", esc(", ".join(run.get("envs", [])))],
        ["layers run", esc(", ".join(run.get("layers_run", [])))],
        ["sandbox", esc(f"{run.get('sandbox', {}).get('kind') or '-'} (account "
                       f"{run.get('sandbox', {}).get('account_id') or '-'})")],
        ["command", f"<code>{esc(' '.join(run.get('command', [])))}</code>"],
    ] + [[esc(k), esc(v)] for k, v in run.get("versions", {}).items()]
    files = [[f"<code>{esc(k)}</code>", f"<code>{esc(v)}</code>"] for k, v in file_hashes.items()]
    inputs = run.get("inputs", {})
    return (
        '<section id="manifest"><h2>Manifest</h2>' + table(["", ""], meta)
        + "<h3>Files of this bundle</h3><p class=\"note\">report.html and manifest.json are "
        "hashed in manifest.json and SHA256SUMS; check the whole bundle with "
        "<code>tfproof verify DIR</code> or <code>sha256sum -c SHA256SUMS</code>.</p>"
        + table(["file", "sha256"], files)
        + f"<details><summary>Checked inputs ({len(inputs)} files)</summary>"
        + table(["file", "sha256"], [[f"<code>{esc(k)}</code>", f"<code>{esc(v)}</code>"]
                                      for k, v in inputs.items()])
        + "</details></section>"
    )
