"""The report and the explorer in a real browser: headless Chromium renders them, runs the explorer's
JavaScript without errors, and draws a page that is not blank.

Skipped when Chromium is not installed (`make system-deps` installs Debian's `chromium`). Each
Chromium run takes about a second.
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from signals.config import Config
from signals.report import write_report
from test_report import make_report_data  # pytest puts tests/ on sys.path (no __init__.py there)

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (Debian: apt-get install chromium, "
                                                          "or `make system-deps`)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-extensions",
         "--disable-sync", "--no-first-run", "--virtual-time-budget=5000"]


def chromium(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url], capture_output=True,
                          text=True, timeout=60, check=False)


def dump_dom(tmp_path: Path, page: Path) -> str:
    res = chromium(tmp_path, page.as_uri(), "--dump-dom")
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def body_attrs(dom: str) -> str:
    m = re.search(r"<body([^>]*)>", dom)
    assert m, "no <body> in the dumped DOM"
    return m.group(1)


def console_problems(stderr: str) -> list[str]:
    # Chromium logs every console message of the page as "...:CONSOLE(...)] ..."; ours log nothing.
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    return write_report(make_report_data(), tmp_path_factory.mktemp("report"), Config())


def test_report_renders_with_its_sections(pages, tmp_path):
    dom = dump_dom(tmp_path, pages["html"])
    assert "data-js-errors" not in body_attrs(dom)
    for sid in ("summary", "top-signals", "trends", "feelings", "segments", "keywords", "outliers", "quotes",
                "actions", "method"):
        assert f'id="{sid}"' in dom
    assert dom.count('<svg class="spark"') == 3


def test_explorer_initialises_and_fills_the_overview(pages, tmp_path):
    dom = dump_dom(tmp_path, pages["explorer"])
    attrs = body_attrs(dom)
    assert 'data-ready="1"' in attrs and "data-js-errors" not in attrs
    for eid in ("f-theme", "f-topic", "f-lang", "f-channel", "f-period", "f-search", "overview", "doc-list"):
        assert f'id="{eid}"' in dom
    # The JavaScript built one overview row per topic with documents, plus the total row.
    assert len(re.findall(r'<tr data-topic="-?\d+">', dom)) == 4
    assert "29 of 29 documents match the filters" in dom


def test_explorer_drill_down_and_filters(pages, tmp_path):
    # Drive the page as a user would: filter by language, then click the topic's total count.
    probe = """<script>
    var s = document.getElementById("f-lang"); s.value = "fi"; s.dispatchEvent(new Event("change"));
    var b = document.querySelector('#overview-body tr[data-topic="1"] button.cnt');
    document.body.dataset.clicked = b.textContent; b.click();
    document.body.dataset.listed = document.querySelectorAll("#docs-body tr").length;
    document.body.dataset.title = document.getElementById("docs-title").textContent;
    </script></body>"""
    page = pages["explorer"].parent / "explorer-probe.html"
    page.write_text(pages["explorer"].read_text(encoding="utf-8").replace("</body>", probe), encoding="utf-8")
    attrs = body_attrs(dump_dom(tmp_path, page))
    # topic 1 has 6 Finnish documents (odd numbers 1..11)
    assert 'data-clicked="6"' in attrs and 'data-listed="6"' in attrs
    assert "app login failures" in attrs and "data-js-errors" not in attrs


def test_explorer_theme_filter_keeps_the_themes_topics(pages, tmp_path):
    # Theme 1 = topics 1 (12 documents) and 3 (9): the overview lists those two topics and 21 documents match.
    probe = """<script>
    var s = document.getElementById("f-theme"); s.value = "1"; s.dispatchEvent(new Event("change"));
    document.body.dataset.matched = document.getElementById("match-count").textContent;
    document.body.dataset.rows = Array.prototype.map.call(
      document.querySelectorAll("#overview-body tr[data-topic]"), function (r) { return r.dataset.topic; }).join(",");
    </script></body>"""
    page = pages["explorer"].parent / "explorer-theme.html"
    page.write_text(pages["explorer"].read_text(encoding="utf-8").replace("</body>", probe), encoding="utf-8")
    attrs = body_attrs(dump_dom(tmp_path, page))
    assert 'data-rows="1,3"' in attrs and 'data-matched="21 of 29 documents match the filters"' in attrs
    assert "data-js-errors" not in attrs


def test_explorer_period_filter_offers_the_reports_window(pages, tmp_path):
    from signals.explorer import explorer_payload

    from signals.report import summary_facts

    data = make_report_data()
    payload = explorer_payload(data, Config())
    period = payload["columns"].index("period")
    in_window = sum(r[period] in payload["recent_periods"] for r in payload["rows"])
    assert 0 < in_window < len(payload["rows"]) and in_window == summary_facts(data, Config())["docs_window"]
    probe = """<script>
    var s = document.getElementById("f-period"); s.value = "recent"; s.dispatchEvent(new Event("change"));
    document.body.dataset.matched = document.getElementById("match-count").textContent;
    </script></body>"""
    page = pages["explorer"].parent / "explorer-window.html"
    page.write_text(pages["explorer"].read_text(encoding="utf-8").replace("</body>", probe), encoding="utf-8")
    attrs = body_attrs(dump_dom(tmp_path, page))
    assert f'data-matched="{in_window} of {len(payload["rows"])} documents match the filters"' in attrs
    assert "data-js-errors" not in attrs


def test_no_console_errors(pages, tmp_path):
    for page in (pages["html"], pages["explorer"]):
        res = chromium(tmp_path, page.as_uri(), "--dump-dom", "--enable-logging=stderr", "--v=0")
        assert res.returncode == 0
        assert console_problems(res.stderr) == [], page.name
    # The check can fail: a page with an error is caught both in stderr and by the explorer's hook.
    bad = pages["explorer"].parent / "explorer-broken.html"
    bad.write_text(pages["explorer"].read_text(encoding="utf-8").replace('"use strict";', '"use strict"; nope();', 1),
                   encoding="utf-8")
    res = chromium(tmp_path, bad.as_uri(), "--dump-dom", "--enable-logging=stderr", "--v=0")
    assert any("Uncaught" in line for line in console_problems(res.stderr))
    attrs = body_attrs(res.stdout)
    assert "nope is not defined" in attrs and 'data-ready="1"' not in attrs


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def test_screenshot_is_a_full_page_not_a_blank_one(pages, tmp_path):
    blank = tmp_path / "blank.html"
    blank.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>blank</title></head><body></body></html>',
                     encoding="utf-8")
    shots = {}
    for name, page in (("report", pages["html"]), ("blank", blank)):
        shot = tmp_path / f"{name}.png"
        res = chromium(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1280,1600",
                       "--hide-scrollbars")
        assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
        assert png_size(shot) == (1280, 1600)
        shots[name] = shot.stat().st_size
    assert shots["report"] > 5 * shots["blank"]
