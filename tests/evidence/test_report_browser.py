"""report.html in real headless Chromium: it renders offline and shows evidence.json's numbers.

Chromium comes from Debian's `chromium` package (scripts/ensure-chromium.sh
installs it). In CI a missing browser is a failure, never a silent skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.plan, pytest.mark.checkov]

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--mute-audio",
]


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    reason = ("headless Chromium is not installed; run scripts/ensure-chromium.sh "
              "(Debian package `chromium`)")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}: CI must render the report", pytrace=False)
    pytest.skip(reason)


def _run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180, check=False,
    )


class _Collector(HTMLParser):
    """Reads back the data-* attributes the report puts on its numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.summary: dict[str, str] = {}
        self.rows: dict[str, str] = {}
        self.chart: dict[str, str] = {}
        self.details: list[str] = []
        self.frameworks: list[str] = []
        self.verdict = ""
        self._summary_key: str | None = None
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "data-summary" in a:
            self._summary_key = a["data-summary"]
        if tag == "tr" and "data-control" in a:
            self.rows[a["data-control"]] = a["data-status"]
        if "data-chart-status" in a:
            self.chart[a["data-chart-status"]] = a["data-count"]
        if tag == "details" and "data-control" in a:
            self.details.append(a["data-control"])
        if "data-framework" in a:
            self.frameworks.append(a["data-framework"])
        if "data-verdict" in a:
            self.verdict = a["data-verdict"]
        for key in ("src", "href"):
            if re.match(r"^(https?:)?//", a.get(key, "")):
                self.external.append(f"<{tag} {key}={a[key]}>")
        if tag in ("script", "iframe", "object", "embed", "link"):
            self.external.append(f"<{tag}>")

    def handle_data(self, data: str) -> None:
        if self._summary_key is not None:
            self.summary[self._summary_key] = data.strip()
            self._summary_key = None


@pytest.fixture(scope="module")
def rendered(audited, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    bundle = audited["bundle"]
    assert bundle is not None, audited["proc"].stderr
    profile = tmp_path_factory.mktemp("chromium-profile")
    url = (bundle / "report.html").resolve().as_uri()
    dom = _run(chromium, profile, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = profile / "report.png"
    screenshot = _run(chromium, profile, f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert screenshot.returncode == 0, screenshot.stderr[-2000:]
    collector = _Collector()
    collector.feed(dom.stdout)
    return {"dom": dom.stdout, "collector": collector, "shot": shot,
            "evidence": json.loads((bundle / "evidence.json").read_text()),
            "html": (bundle / "report.html").read_text()}


def test_it_renders(rendered):
    assert rendered["dom"].lstrip().lower().startswith("<html") or "<body" in rendered["dom"]
    data = rendered["shot"].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank 1280x2000 page compresses to a few KB


def test_numbers_match_evidence_json(rendered):
    c, evidence = rendered["collector"], rendered["evidence"]
    summary = evidence["summary"]
    for status, count in summary["controls"].items():
        assert c.summary[f"controls.{status}"] == str(count), status
        assert c.chart[status] == str(count), status
    assert c.summary["controls_total"] == str(summary["controls_total"])
    for status, count in summary["findings"].items():
        assert c.summary[f"findings.{status}"] == str(count), status
    for outcome, count in summary["tests"].items():
        assert c.summary[f"tests.{outcome}"] == str(count), outcome
    for status, count in summary["live_checks"].items():
        assert c.summary[f"live_checks.{status}"] == str(count), status
    assert c.rows == {ctl["id"]: ctl["status"] for ctl in evidence["controls"]}
    assert c.details == [ctl["id"] for ctl in evidence["controls"]]
    failing = summary["failing_controls"] or summary["failing_unattributed"]
    assert c.verdict == ("failed" if failing else "passed")


def test_framework_view_waivers_and_manifest_sections(rendered):
    c, dom = rendered["collector"], rendered["dom"]
    assert c.frameworks == ["CIS", "NIST 800-53", "SOC 2"]
    for section in ("summary", "controls", "frameworks", "drilldown", "waivers", "manifest"):
        assert f'id="{section}"' in dom, section
    run = rendered["evidence"]["run"]
    assert run["git"]["commit"] is None or run["git"]["commit"] in dom
    assert run["versions"]["checkov"] in dom


def test_self_contained_no_network(rendered):
    assert rendered["collector"].external == []
    assert "Content-Security-Policy" in rendered["html"]
    assert "default-src 'none'" in rendered["html"]
    assert not re.search(r"url\(\s*['\"]?https?:", rendered["html"])
