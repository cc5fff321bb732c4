"""The leadership report and the explorer: content, privacy, escaping, files and the CLI.

All tests use a small synthetic run built by hand from the table schemas (``make_report_data``;
tests/test_browser.py renders the same data in Chromium).
"""
from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser

import duckdb
import pandas as pd
import pytest

from signals import cli, schemas
from signals.config import Config
from signals.explorer import explorer_payload, render_explorer
from signals.report import ReportData, load_report_data, render_html, render_markdown, summary_facts, write_report
from signals.warehouse import TABLES, Warehouse, WarehouseError

RUN = date(2026, 11, 23)
WEEKS = [date(2026, 10, 12) + timedelta(days=7 * i) for i in range(6)]  # Mondays; the last is 2026-11-16
EVIL_LABEL = '<script>alert("label")</script> billing'
EVIL_QUOTE = "Sovellus kaatuu <script>alert('quote')</script> joka kerta"
EVIL_DOC = "closing tag </script><script>alert('doc')</script> in a text"
UNQUOTED = "UNQUOTED-TEXT that is in documents but not in signal_quotes"
SECTIONS = ("summary", "top-signals", "themes", "trends", "feelings", "segments", "keywords", "outliers", "quotes",
            "actions", "method")


def _doc(i: int, topic: int, week: int, customer: str, lang: str = "fi", channel: str = "chat", text: str = "") -> dict:
    created = datetime.combine(WEEKS[week], datetime.min.time(), timezone.utc) + timedelta(days=2, hours=i % 10)
    return {"doc_id": f"feedback:{i}", "source": "feedback", "customer_key": customer, "created_at": created,
            "channel": channel, "segment": "consumer", "rating": 2.0, "text": text or f"document number {i}",
            "lang": lang, "sentiment": -0.5, "sentiment_label": "negative", "dominant_emotion": "anger",
            "cue_repeat_contact": i % 3 == 0, "cue_broken_promise": False, "is_repeat_contact": False,
            "topic_id": topic}


def make_documents() -> pd.DataFrame:
    docs = []
    # topic 1: 12 documents in the recent window from 12 customers, Finnish and English, two channels
    for i in range(12):
        docs.append(_doc(i, 1, 2 + i % 4, f"c{i}", "fi" if i % 2 else "en", "chat" if i % 3 else "web_form"))
    docs[0]["text"] = EVIL_DOC
    docs[1]["text"] = UNQUOTED
    docs[2]["text"] = EVIL_QUOTE
    for i in range(12, 18):   # topic 2: six recent documents
        docs.append(_doc(i, 2, 4 + i % 2, f"d{i}", "fi"))
    for i in range(18, 26):   # topic 3: steady, half before the window
        docs.append(_doc(i, 3, i % 6, f"e{i}", "en", "web_form"))
    docs.append(_doc(26, -1, 5, "f1", "fi"))
    docs.append(_doc(27, -1, 4, "f2", "en"))
    docs.append(_doc(28, 3, 5, "g1", "other", "web_form"))  # the only 'other' document: one customer
    return pd.DataFrame(docs)


def _signal(topic: int, label: str, cls: str, priority: float, **kw) -> dict:
    base = {"period_start": WEEKS[-1], "topic_id": topic, "label": label, "signal_class": cls, "priority": priority,
            "docs": 10.0, "customers": 10.0, "growth": 0.2, "share_window": 0.3, "slope_docs": 1.0, "dov_rate": 0.1,
            "burst_in_window": False, "net_sentiment": -40.0, "negative_share": 0.6, "top_emotion": "anger",
            "problem_cue_rate": 0.3, "repeat_contact_rate": 0.2, "langs": "fi,en", "channels": "chat,web_form",
            "rule": "rule text", "explanation": f"{cls} signal '{label}', explained.", "suppressed": False,
            "is_new": False, "first_period": WEEKS[0], "sentiment_change": -5.0,
            "emotion_mix": json.dumps({"anger": 0.5, "sadness": 0.3, "neutral": 0.2}),
            "emotion_shift": json.dumps({"anger": 0.1}), "effort_rate": 0.25, "broken_promise_rate": 0.1,
            "escalation_rate": 0.05, "churn_threat_rate": 0.0, "fi_en_gap": -10.0, "n_channels": 2,
            "rating_impact": -0.3, "rated_docs": 12, "keyword_alerts": None}
    return {**base, **kw}


def make_signals() -> pd.DataFrame:
    return pd.DataFrame([
        _signal(1, "app login failures", "strong", 2.8, docs=12.0, customers=12.0, growth=0.5, net_sentiment=-60.0,
                keyword_alerts="kirjautuminen (new)"),
        _signal(2, EVIL_LABEL, "weak", 2.5, docs=6.0, customers=6.0),
        # Suppressed, and a docs value slipped through: the report must not show it.
        _signal(4, "tiny topic", "latent", 1.4, docs=3.0, customers=None, growth=None, net_sentiment=None,
                explanation="suppressed: fewer than 5 distinct customers", suppressed=True),
        _signal(3, "invoices", "well_known", 0.0, docs=5.0, customers=5.0, growth=0.0),
        _signal(-1, "outlier pool: needs that fit no topic", "noise", 0.0, docs=2.0, customers=2.0),
    ])


def make_themes() -> pd.DataFrame:
    """Theme 1 = topics 1 and 3 (a strong topic inside a steady theme); theme 2 = topics 2 and 4, too few
    customers; theme 5 = one topic alone (not a group, so not listed)."""
    rows = [dict(_signal(1, "apps and invoices", "well_known", 1.0, docs=17.0, customers=17.0, growth=0.05,
                         net_sentiment=-50.0), n_topics=2, topic_ids=[3, 1]),
            dict(_signal(2, "small group", "latent", 2.0, docs=None, customers=None, growth=None, net_sentiment=None,
                         suppressed=True), n_topics=2, topic_ids=[2, 4], topics_left_out=[4]),
            dict(_signal(5, "alone", "latent", 3.0, docs=30.0, customers=30.0), n_topics=1, topic_ids=[5])]
    return pd.DataFrame(rows).rename(columns={"topic_id": "theme_id"})


def make_periods() -> pd.DataFrame:
    rows = []
    for topic, counts in {1: [0, 0, 3, 3, 3, 3], 2: [0, 0, 0, 0, 3, 3], 3: [1, 1, 2, 1, 1, 2],
                          -1: [0, 0, 0, 0, 1, 1], 4: [1, 1, 1, 1, 1, 1]}.items():
        for week, n in zip(WEEKS, counts):
            sup = topic in (3, 4) or 0 < n < 2
            rows.append({"topic_id": topic, "period_start": week, "docs": None if sup else float(n),
                         "customers": None if sup else float(n), "share": None if sup else n / 10,
                         "net_sentiment": None if sup else -50.0, "negative_share": None, "problem_cue_rate": None,
                         "burst": False, "suppressed": sup})
    return pd.DataFrame(rows)


def make_segments() -> pd.DataFrame:
    def seg(topic, dim, value, ns, gap, docs=6.0, sup=False):
        return {"topic_id": topic, "dimension": dim, "value": value, "docs": None if sup else docs,
                "customers": None if sup else docs, "share_of_topic": None if sup else 0.5,
                "share_of_segment": None if sup else 0.2, "growth": None if sup else 0.3,
                "net_sentiment": None if sup else ns, "negative_share": None if sup else 0.7,
                "problem_cue_rate": None if sup else 0.2, "gap": None if sup else gap, "suppressed": sup}
    return pd.DataFrame([seg(1, "lang", "fi", -85.0, -25.0), seg(1, "lang", "en", -35.0, 25.0),
                         seg(1, "lang", "other", None, None, sup=True), seg(1, "channel", "chat", -61.0, -1.0),
                         seg(1, "channel", "web_form", -59.0, 1.0), seg(2, "lang", "fi", -40.0, 0.0)])


def make_keywords() -> pd.DataFrame:
    def kw(topic, word, cls, growth=0.8):
        return {"topic_id": topic, "keyword": word, "lang": "fi", "docs": 6.0, "customers": 6.0, "docs_past": 1.0,
                "share_in_topic": 0.4, "growth": growth, "is_new": False, "signal_class": cls, "net_sentiment": -70.0,
                "suppressed": False}
    return pd.DataFrame([kw(3, "palvelumaksu", "weak"),       # growing word inside a well-known topic: shown
                         kw(1, "crashword", "weak"),          # inside a strong topic: not a hidden complaint
                         kw(3, "steadyword", "well_known"),   # not growing: not shown
                         kw(3, "withtopic", "weak", 0.05)])   # grows no faster than its topic (0 %): not shown


def make_quotes() -> pd.DataFrame:
    docs = make_documents().set_index("doc_id")
    rows = []
    for rank, doc_id in enumerate(["feedback:2", "feedback:3"], 1):
        d = docs.loc[doc_id]
        rows.append({"topic_id": 1, "rank": rank, "doc_id": doc_id, "created_at": d["created_at"], "source": "feedback",
                     "channel": d["channel"], "lang": d["lang"], "sentiment_label": "negative",
                     "dominant_emotion": "anger", "text": d["text"]})
    return pd.DataFrame(rows)


def make_actions() -> pd.DataFrame:
    base = {"topic_id": 1, "label": "app login failures", "owner": "Mobile team", "suppressed": False}
    return pd.DataFrame([
        {**base, "action_date": date(2026, 10, 20), "action": "Login hotfix", "periods_before": 4, "periods_after": 4,
         "docs_per_period_before": 8.0, "docs_per_period_after": 4.0, "customers_before": 30.0,
         "customers_after": 15.0, "net_sentiment_before": -70.0, "net_sentiment_after": -40.0,
         "negative_share_before": 0.8, "negative_share_after": 0.6, "problem_cue_rate_before": 0.2,
         "problem_cue_rate_after": 0.4},
        {**base, "action_date": date(2026, 11, 20), "action": "New FAQ page", "periods_before": 4, "periods_after": 0},
    ])


def make_report_data() -> ReportData:
    themes = {-1: -1, 1: 1, 3: 1, 2: 2, 4: 2}   # as in make_themes
    topics = pd.DataFrame([{"topic_id": t, "label": lbl, "theme_id": themes[t], "keywords": ["a"], "keywords_fi": kf,
                            "keywords_en": ke, "size": 10} for t, lbl, kf, ke in [
                               (-1, "outlier pool", [], []), (1, "app login failures", ["sovellus", "kirjautuminen"],
                                                              ["app", "login"]),
                               (2, EVIL_LABEL, ["lasku"], ["bill"]), (3, "invoices", ["lasku"], ["invoice"]),
                               (4, "tiny topic", [], ["tiny"])]])
    runs = pd.DataFrame([{"run_id": "abc123", "status": "ok"}])
    return ReportData.empty(RUN, runs=runs, documents=make_documents(), topics=topics, signals=make_signals(),
                            theme_signals=make_themes(), signal_periods=make_periods(), signal_segments=make_segments(),
                            keyword_signals=make_keywords(), signal_quotes=make_quotes(),
                            action_followup=make_actions())


@pytest.fixture
def data() -> ReportData:
    return make_report_data()


@pytest.fixture
def rcfg() -> Config:
    return Config()


def section(page: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', page, re.S)
    assert m, f"section #{sid} missing"
    return m.group(1)


class _Attrs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [(tag, k, v or "") for k, v in attrs if k in ("src", "href", "xlink:href", "action")]


# ------------------------------------------------------------------------------------------------- HTML

def test_every_section_is_present_with_its_id(data, rcfg):
    page = render_html(data, rcfg)
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in page
    assert '<meta charset="utf-8">' in page
    assert re.search(r"<title>[^<]*2026-11-23[^<]*</title>", page)
    assert "@media print" in page


def test_report_is_self_contained(data, rcfg):
    parser = _Attrs()
    parser.feed(render_html(data, rcfg))
    assert parser.links, "expected at least the in-page navigation links"
    for tag, attr, value in parser.links:
        assert not re.match(r"\s*(https?:)?//", value, re.I), f"external {attr} on <{tag}>: {value}"
    assert "script" not in parser.tags and "link" not in parser.tags and "iframe" not in parser.tags
    assert ("a", "href", "explorer.html") in parser.links  # relative link to the explorer
    assert "<svg" in section(render_html(data, rcfg), "trends")  # charts are inline SVG


def test_summary_counts_the_recent_window_and_suppresses_small_cells(data, rcfg):
    facts = summary_facts(data, rcfg)
    assert facts["latest_period"] == WEEKS[-1] and facts["window_start"] == WEEKS[2]
    docs = data.documents
    recent = docs[pd.to_datetime(docs["created_at"]).dt.date >= WEEKS[2]]
    assert facts["docs_window"] == len(recent) and facts["customers_window"] == recent["customer_key"].nunique()
    pool = recent[recent["topic_id"] == -1]
    assert len(pool) == 2 and pool["customer_key"].nunique() < 5
    # The pool is a cell like any other: from fewer than k customers, neither its count nor its share shows.
    assert facts["outlier_suppressed"] and facts["outlier_docs"] is None and facts["outlier_share"] is None
    assert "documents from fewer than 5 customers fit no known process" in render_html(data, rcfg)
    assert "Documents from fewer than 5 customers" in section(render_html(data, rcfg), "outliers")
    assert facts["n_classes"]["strong"] == 1 and facts["n_classes"]["weak"] == 1
    langs = {v: d for v, d, _ in facts["languages"]}
    assert langs["other"] is None and langs["fi"] is not None  # one customer wrote in 'other'
    summary = section(render_html(data, rcfg), "summary")
    assert "<b>other</b> <span class=\"sup\">&lt;5 customers</span>" in summary


def test_documents_of_the_unfinished_week_are_counted_apart(data, rcfg):
    later = data.documents.iloc[:2].assign(created_at=pd.Timestamp(WEEKS[-1]) + pd.Timedelta(days=8, hours=12),
                                           doc_id=["feedback:late1", "feedback:late2"])
    both = dataclasses.replace(data, documents=pd.concat([data.documents, later], ignore_index=True))
    facts = summary_facts(both, rcfg)
    assert facts["unfinished_docs"] == 2 and facts["docs_window"] == summary_facts(data, rcfg)["docs_window"]
    assert "2 more documents of the unfinished week count from the run that completes it" in render_markdown(both, rcfg)
    assert summary_facts(data, rcfg)["unfinished_docs"] == 0


def test_top_signals_are_ranked_by_priority_with_explanation_and_sparkline(data, rcfg):
    top = section(render_html(data, rcfg), "top-signals")
    rows = re.findall(r'<tr class="signal" data-topic="(-?\d+)">', top)
    assert rows == ["1", "2", "4"]  # flagged only (not well_known, not the outlier pool), by priority
    first = re.search(r'<tr class="signal" data-topic="1">(.*?)</tr>', top, re.S).group(1)
    assert "strong signal &#x27;app login failures&#x27;, explained." in first
    assert "+50 %/week" in first and "−60" in first and '<svg class="spark"' in first
    assert "kirjautuminen (new)" in first
    assert '<span class="muted">topic 1</span>' in first   # the id to drill down by (SQL, actions.yaml)


def test_suppressed_values_are_shown_as_suppressed_not_numbers(data, rcfg):
    page = render_html(data, rcfg)
    row = re.search(r'<tr class="signal" data-topic="4">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r'<td class="n[^"]*"[^>]*>(.*?)</td>', row)
    assert cells[1:] == ["—", "&lt;5", "—", "—"]  # docs, customers, growth, net sentiment; rank first
    assert "nan" not in page.lower()
    seg = section(page, "segments")
    assert 'title="suppressed: fewer than 5 distinct customers, or hidden so that such a figure cannot be worked out from the totals">&lt;5</td>' in seg
    md = render_markdown(data, rcfg)
    md_row = next(line for line in md.splitlines() if "tiny topic" in line and line.startswith("| 3 "))
    assert "| — | <5 | — | — |" in md_row


def test_text_is_escaped(data, rcfg):
    page = render_html(data, rcfg)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;label&quot;)&lt;/script&gt; billing" in page
    assert "&lt;script&gt;alert(&#x27;quote&#x27;)&lt;/script&gt;" in section(page, "quotes")
    md = render_markdown(data, rcfg)
    assert "<script" not in md and "&lt;script&gt;" in md


def test_quotes_are_only_those_in_signal_quotes(data, rcfg):
    quotes = section(render_html(data, rcfg), "quotes")
    shown = re.findall(r"<blockquote>(.*?)<div", quotes, re.S)
    assert shown == ["Sovellus kaatuu &lt;script&gt;alert(&#x27;quote&#x27;)&lt;/script&gt; joka kerta",
                     "document number 3"]
    page = render_html(data, rcfg)
    assert "UNQUOTED-TEXT" not in page and "closing tag" not in page  # other documents never appear


def test_feelings_segments_keywords_outliers_actions(data, rcfg):
    page = render_html(data, rcfg)
    feel = section(page, "feelings")
    assert '<svg class="mix"' in feel and "anger 50 %" in feel and "25 %" in feel and "−0.30" in feel
    seg = section(page, "segments")
    assert "gapmax" in seg and "Largest gaps" in seg
    assert "language <b>fi</b>" in seg or "language <b>en</b>" in seg
    kw = section(page, "keywords")
    assert "palvelumaksu" in kw and "crashword" not in kw and "steadyword" not in kw and "withtopic" not in kw
    out = section(page, "outliers")
    assert "fit none of the known topics" in out and "<svg" in out
    act = section(page, "actions")
    assert "too early to judge" in act  # periods_after == 0
    hotfix = re.search(r"<tr><td class=\"date\">2026-10-20</td>(.*?)</tr>", act, re.S).group(1)
    assert '<td class="n good">8 → 4 ▼ ✓</td>' in hotfix           # fewer documents: better
    assert '<td class="n good">−70 → −40 ▲ ✓</td>' in hotfix       # higher net sentiment: better
    assert '<td class="n bad">20 % → 40 % ▲ ✗</td>' in hotfix      # more problem cues: worse
    assert 'href="explorer.html"' in section(page, "method")


def test_themes_list_groups_of_topics_largest_first_naming_a_growing_topic_inside(data, rcfg):
    themes = section(render_html(data, rcfg), "themes")
    assert re.findall(r'<tr class="theme" data-theme="(\d+)">', themes) == ["1", "2"]  # theme 5 is one topic
    first = re.search(r'<tr class="theme" data-theme="1">(.*?)</tr>', themes, re.S).group(1)
    # members in the topics' own priority order; the strong topic is named as such inside the steady theme
    assert "app login failures (strong), invoices" in first and "theme 1 · 2 topics" in first
    assert re.findall(r'<td class="n[^"]*"[^>]*>(.*?)</td>', first) == ["17", "17", "+5 %/week", "−50"]
    small = re.search(r'<tr class="theme" data-theme="2">(.*?)</tr>', themes, re.S).group(1)
    assert re.findall(r'<td class="n[^"]*"[^>]*>(.*?)</td>', small) == ["—", "&lt;5", "—", "—"]
    assert "&lt;script&gt;" in small and "<script>" not in small   # member labels are escaped
    assert "tiny topic (not counted: fewer than 5 customers)" in small   # its figures leave the topic out
    md = render_markdown(data, rcfg).split("## Themes")[1].split("## Trends")[0]
    assert ("| well known | apps and invoices (theme 1) | app login failures (strong), invoices | 17 | 17 | +5 %/week "
            "| −50 | well_known signal 'apps and invoices', explained. |") in md
    assert "well_known signal &#x27;apps and invoices&#x27;, explained." in first   # why, as for a topic
    assert "| — | <5 | — | — |" in md and "alone" not in md


def test_markdown_has_the_sections_and_the_top_signal_first(data, rcfg):
    md = render_markdown(data, rcfg)
    for title in ("## Summary", "## Top signals", "## Themes", "## Trends", "## How customers feel", "## Segment gaps",
                  "## New complaints inside old topics", "## Needs that fit no known process",
                  "## In customers' words", "## Did our actions help?", "## Method"):
        assert title in md
    table = md.split("## Top signals")[1].split("## Trends")[0]
    assert table.index("app login failures") < table.index("billing")
    assert "strong signal 'app login failures', explained." in md


def test_markdown_trends_name_a_topic_suppressed_in_every_week_instead_of_a_row_of_dashes(data, rcfg):
    trends = render_markdown(data, rcfg).split("## Trends")[1].split("## How customers feel")[0]
    assert "| app login failures | 3 | 3 | 3 | 3 |" in trends
    assert "| invoices |" not in trends  # topic 3: every week suppressed
    assert ("Not shown: 1 topic with fewer than 5 customers in every week of the window (invoices); its total for "
            "the window is in `signals.csv`.") in trends


def test_the_report_says_what_a_refit_did_to_the_topic_map(data, rcfg):
    assert "No refit in this run" in section(render_html(data, rcfg), "outliers")
    events = pd.DataFrame([
        {"event": "kept", "topic_id": 1, "related_topic_id": None, "similarity": 0.99},
        {"event": "kept", "topic_id": 3, "related_topic_id": None, "similarity": 0.98},
        {"event": "split", "topic_id": 2, "related_topic_id": 3, "similarity": 0.5},
        {"event": "new", "topic_id": 4, "related_topic_id": 1, "similarity": 0.3},
        {"event": "retired", "topic_id": 7, "related_topic_id": None, "similarity": None},
        {"event": "merged", "topic_id": 8, "related_topic_id": 1, "similarity": 0.96}])
    refit = ReportData(**{**data.__dict__, "topic_events": events})
    out = section(render_html(refit, rcfg), "outliers")
    assert "2 topics kept their ids" in out and "new topic 4 “tiny topic”" in out
    assert "topic 2 “&lt;script&gt;" in out and "split off topic 3 “invoices”" in out  # labels escaped
    assert "topic 7 retired" in out and "topic 8 merged into 1 “app login failures”" in out
    md = render_markdown(refit, rcfg).split("## Needs that fit no known process")[1].split("\n## ")[0]
    assert "split off topic 3 “invoices”" in md and "<script>" not in md and "&lt;script&gt;" in md
    first = ReportData(**{**data.__dict__, "topic_events": events.assign(event="new")})
    assert "fitted from scratch in this run (6 topics)" in render_markdown(first, rcfg)


def test_empty_tables_render_without_error(rcfg, tmp_path):
    empty = ReportData.empty(RUN)
    page = render_html(empty, rcfg)
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in page
    assert page.count('class="nodata"') >= 7
    assert "no data" in render_markdown(empty, rcfg).lower()
    paths = write_report(empty, tmp_path, rcfg)
    assert all(p.exists() for p in paths.values())


def test_documents_only_still_render(data, rcfg):
    # An older warehouse: documents and topics, none of the signal tables.
    old = ReportData.empty(RUN, documents=data.documents, topics=data.topics)
    page = render_html(old, rcfg)
    assert "the signals table is empty" in page
    assert summary_facts(old, rcfg)["docs_window"] > 0


# ------------------------------------------------------------------------------------------------ files

def test_write_report_writes_all_files_and_signals_csv_round_trips(data, rcfg, tmp_path):
    out = tmp_path / "reports" / RUN.isoformat()
    paths = write_report(data, out, rcfg)
    assert {p.name for p in paths.values()} == {"report.html", "report.md", "signals.csv", "explorer.html"}
    assert sorted(p.name for p in out.iterdir()) == ["explorer.html", "report.html", "report.md", "signals.csv"]
    back = pd.read_csv(paths["csv"])
    assert list(back.columns) == schemas.SIGNALS.names
    assert back["label"].tolist() == data.signals["label"].tolist()
    pd.testing.assert_series_equal(back["docs"], pd.to_numeric(data.signals["docs"]), check_names=False)
    assert back["period_start"].tolist() == [WEEKS[-1].isoformat()] * len(back)


def test_failed_render_leaves_the_previous_report(data, rcfg, tmp_path, monkeypatch):
    write_report(data, tmp_path, rcfg)
    before = (tmp_path / "report.html").read_text(encoding="utf-8")

    def boom(*a, **k):
        raise RuntimeError("render failed")
    monkeypatch.setattr("signals.explorer.render_explorer", boom)
    with pytest.raises(RuntimeError):
        write_report(ReportData.empty(RUN), tmp_path, rcfg)
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------------------------- explorer

def _embedded(page: str) -> str:
    m = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert m
    return m.group(1)


def test_explorer_offers_the_reports_themes_and_knows_each_topics_theme(data, rcfg):
    payload = explorer_payload(data, rcfg)
    assert payload["themes"] == [{"id": 1, "label": "apps and invoices"}, {"id": 2, "label": "small group"}]
    assert {t["id"]: t["theme"] for t in payload["topics"]} == {-1: -1, 1: 1, 2: 2, 3: 1, 4: 2}


def test_explorer_embeds_only_redacted_document_texts(data, rcfg):
    page = render_explorer(data, rcfg)
    raw = _embedded(page)
    assert "</" not in raw and "<\\/script>" in raw  # a text cannot close the data element
    payload = json.loads(raw)
    cols = payload["columns"]
    texts = [r[cols.index("text")] for r in payload["rows"]]
    assert set(texts) <= set(data.documents["text"]) and EVIL_DOC in texts
    assert len(texts) == len(data.documents)
    strings = set(re.findall(r'"((?:[^"\\]|\\.)*)"', raw))
    assert not {"c1", "d12", "e18"} & strings  # customer keys are never embedded
    assert page.count("</script>") == 3  # error hook, data, app: nothing else closes a script


def test_explorer_keeps_the_most_recent_documents_and_says_so(data):
    cfg = Config.model_validate({"report": {"explorer_max_docs": 5}})
    payload = explorer_payload(data, cfg)
    assert payload["truncated"] and payload["shown_docs"] == 5 and payload["total_docs"] == len(data.documents)
    created = pd.to_datetime(data.documents["created_at"], utc=True)
    newest = set(data.documents.loc[created.sort_values(ascending=False).index[:5], "doc_id"])
    assert {r[0] for r in payload["rows"]} == newest
    assert "Showing the 5 most recent of 29 documents" in render_explorer(data, cfg)


def test_explorer_topics_carry_keywords_and_class(data, rcfg):
    topics = {t["id"]: t for t in explorer_payload(data, rcfg)["topics"]}
    assert topics[1]["kw_fi"] == ["sovellus", "kirjautuminen"] and topics[1]["kw_en"] == ["app", "login"]
    assert topics[1]["class"] == "strong" and topics[-1]["class"] == "noise"


# ----------------------------------------------------------------------------------- warehouse and CLI

def _warehouse(tmp_path, data: ReportData) -> Warehouse:
    wh = Warehouse(tmp_path / "wh")
    tables = {s.name: s.empty() for s in schemas.ALL}  # write_run needs every table
    for name in ("runs", "documents", "topics", "signals", "signal_periods", "signal_segments", "keyword_signals",
                 "signal_quotes", "action_followup"):
        df = getattr(data, name)
        tables[name] = df.assign(**{c: None for c in TABLES[name].names if c not in df.columns})
    wh.write_run(RUN, tables)
    return wh


def test_load_report_data_reads_one_run(tmp_path, data, rcfg):
    wh = _warehouse(tmp_path, data)
    loaded = load_report_data(wh, RUN)
    assert len(loaded.signals) == len(data.signals) and len(loaded.documents) == len(data.documents)
    assert list(loaded.signals.columns) == schemas.SIGNALS.names
    assert loaded.signals["period_start"].iloc[0] == WEEKS[-1]  # DATE columns come back as dates
    assert "app login failures" in section(render_html(loaded, rcfg), "top-signals")
    with pytest.raises(WarehouseError, match=r"no run for date 2026-11-22 in .*; available: 2026-11-23"):
        load_report_data(wh, date(2026, 11, 22))


def test_load_report_data_tolerates_an_older_warehouse(tmp_path, data, rcfg):
    # Only runs and documents, documents without the newer columns: every other table is empty.
    (tmp_path / "old").mkdir()
    con = duckdb.connect(str(tmp_path / "old" / "signals.duckdb"))
    con.execute("CREATE TABLE runs (run_date DATE, run_id VARCHAR, status VARCHAR)")
    con.execute("INSERT INTO runs VALUES (?, 'r1', 'ok')", [RUN])
    con.execute("CREATE TABLE documents (run_date DATE, doc_id VARCHAR, customer_key VARCHAR, "
                "created_at TIMESTAMPTZ, channel VARCHAR, lang VARCHAR, text VARCHAR, topic_id INTEGER)")
    for r in data.documents.to_dict("records"):
        con.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [RUN, r["doc_id"], r["customer_key"], r["created_at"], r["channel"], r["lang"], r["text"],
                     r["topic_id"]])
    con.close()
    loaded = load_report_data(Warehouse(tmp_path / "old"), RUN)
    assert loaded.signals.empty and list(loaded.signal_quotes.columns) == schemas.SIGNAL_QUOTES.names
    assert len(loaded.documents) == len(data.documents) and loaded.documents["sentiment"].isna().all()
    page = render_html(loaded, rcfg)
    assert "no data" in page and summary_facts(loaded, rcfg)["docs_window"] > 0
    render_explorer(loaded, rcfg)


def test_cli_report_writes_and_prints_the_path(tmp_path, data, capsys):
    wh = _warehouse(tmp_path, data)
    out = tmp_path / "out"
    assert cli.main(["report", "--date", RUN.isoformat(), "--warehouse", str(wh.root), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert printed == str(out / "report.html") and (out / "explorer.html").exists()


def test_cli_report_missing_date_is_a_clean_error(tmp_path, data, capsys):
    wh = _warehouse(tmp_path, data)
    rc = cli.main(["report", "--date", "2026-11-22", "--warehouse", str(wh.root), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "signals report: error: no run for date 2026-11-22" in err and "available: 2026-11-23" in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()


def test_cli_report_without_a_warehouse(tmp_path, capsys):
    rc = cli.main(["report", "--date", "2026-11-23", "--warehouse", str(tmp_path / "none")])
    assert rc == 2 and "no warehouse at" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()  # reading a report never creates a warehouse


def test_outlier_trend_is_not_biased_by_suppressed_periods(data, rcfg):
    page = render_html(data, rcfg)
    out = section(page, "outliers")
    assert "The pool&#x27;s share is" not in out  # the fixture's recent pool periods are suppressed
    assert "Grey stubs mark weeks" in out and "suppressed (too few customers)" in out
    sp = data.signal_periods.copy()
    pool = sp["topic_id"] == -1
    sp.loc[pool, "suppressed"] = False
    sp.loc[pool, "share"] = [0.01, 0.01, 0.02, 0.05, 0.06, 0.07]
    data.signal_periods = sp
    out = section(render_html(data, rcfg), "outliers")
    assert "The pool&#x27;s share is rising: 5.0 % per week recently vs 1.0 % before." in out
