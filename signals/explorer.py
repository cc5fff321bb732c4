"""The analyst topic explorer: one self-contained HTML file (no libraries, no network).

The page embeds the run's most recent redacted documents (at most ``report.explorer_max_docs``)
as JSON in ``<script type="application/json" id="data">`` and a little vanilla JavaScript:

- filters by theme (a group of related topics, as in the report), topic, language, channel, period (week or
  month, or the report's recent window) and a free-text search;
- a topic overview table (label, Finnish and English keywords, signal class, documents per
  language and per channel) whose counts follow the filters;
- every count is a button that lists the documents behind it (doc id, date, channel, language,
  sentiment, emotion, cue flags and the redacted text).

Only ``documents.text`` (redacted at ingest) is embedded; no customer keys, lemmas or metadata.
Unlike the leadership report, counts here are not k-suppressed: the page is for analysts who may
read the redacted texts anyway. For browser tests the page sets ``body[data-ready="1"]`` once
initialised and collects JavaScript errors in ``body[data-js-errors]``.
"""
from __future__ import annotations

import html
import json

import pandas as pd

from signals.config import Config
from signals.metrics import OUTLIER, period_start
from signals.report import CUE_COLUMNS, ReportData, _as_list, _float, _labels, _missing, _text, summary_facts

DOC_FIELDS = ("doc_id", "created", "period", "topic_id", "source", "channel", "lang", "segment", "sentiment",
              "sentiment_label", "emotion", "cues", "text")


def explorer_payload(data: ReportData, cfg: Config) -> dict:
    """The JSON the page embeds (pure): topics, and the most recent documents as rows of DOC_FIELDS."""
    docs = data.documents
    total = int(len(docs))
    if total:
        created = pd.to_datetime(docs["created_at"], utc=True, errors="coerce")
        docs = docs.assign(_created=created).sort_values("_created", ascending=False, kind="stable",
                                                         na_position="last").head(cfg.report.explorer_max_docs)
        local = docs["_created"].dt.tz_convert(cfg.ingest.timezone)
        created_txt = local.dt.strftime("%Y-%m-%d %H:%M").astype("object").where(local.notna(), None)
        periods = period_start(docs["_created"], period=cfg.signals.period, timezone=cfg.ingest.timezone)
    rows = []
    for i, r in enumerate(docs.to_dict("records") if total else []):
        cues = [c[len("cue_"):] for c in CUE_COLUMNS if c in r and not _missing(r[c]) and bool(r[c])]
        sentiment = _float(r.get("sentiment"))
        period = periods.iloc[i]
        rows.append([
            _text(r.get("doc_id")), created_txt.iloc[i], None if _missing(period) else str(period),
            None if _missing(r.get("topic_id")) else int(r["topic_id"]), _text(r.get("source")) or None,
            _text(r.get("channel")) or None, _text(r.get("lang")) or None, _text(r.get("segment")) or None,
            None if sentiment is None else round(sentiment, 2), _text(r.get("sentiment_label")) or None,
            _text(r.get("dominant_emotion")) or None, cues, _text(r.get("text")),
        ])
    labels = _labels(data)
    classes = {int(t): _text(c) for t, c in zip(data.signals["topic_id"], data.signals["signal_class"])
               if not _missing(t)}
    kw = {int(r["topic_id"]): (_as_list(r.get("keywords_fi")), _as_list(r.get("keywords_en")))
          for r in data.topics.to_dict("records") if not _missing(r.get("topic_id"))}
    theme_of = {int(t): int(h) for t, h in zip(data.topics["topic_id"], data.topics["theme_id"])
                if not _missing(t) and not _missing(h)}
    ids = sorted(set(labels) | {r[3] for r in rows if r[3] is not None})
    topics = [{"id": t, "label": labels.get(t, f"topic {t}"), "class": classes.get(t, "noise" if t == OUTLIER else ""),
               "theme": theme_of.get(t), "kw_fi": [str(x) for x in kw.get(t, ([], []))[0][:8]],
               "kw_en": [str(x) for x in kw.get(t, ([], []))[1][:8]]} for t in ids]
    # The report's themes (two or more topics), so that a theme's count there can be drilled into here.
    members = pd.Series(theme_of).value_counts()
    themes = [{"id": int(r["theme_id"]), "label": _text(r.get("label"))} for r in data.theme_signals.to_dict("records")
              if not _missing(r.get("theme_id")) and members.get(int(r["theme_id"]), 0) >= 2]
    # The report's recent window, so that its counts can be reproduced here in one step.
    facts = summary_facts(data, cfg)
    start, latest = facts["window_start"], facts["latest_period"]
    recent = sorted({r[2] for r in rows if r[2] is not None and start is not None
                     and start.isoformat() <= r[2][:10] <= latest.isoformat()})
    return {"run_date": data.run_date.isoformat(), "period": cfg.signals.period, "recent_periods": recent,
            "window": cfg.signals.window, "total_docs": total,
            "shown_docs": len(rows), "truncated": len(rows) < total, "topics": topics,
            "themes": sorted(themes, key=lambda t: t["id"]),
            "columns": list(DOC_FIELDS), "rows": rows}


def embed_json(payload: dict) -> str:
    """JSON safe inside a <script> element: no text can close the element or open a comment."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


# Installed before anything else so that even a failure while parsing the main script is recorded.
ERROR_HOOK = """window.onerror = function (msg, src, line, col) {
  var b = document.body, t = String(msg) + " (line " + line + ":" + col + ")";
  b.dataset.jsErrors = b.dataset.jsErrors ? b.dataset.jsErrors + " | " + t : t;
};"""

SCRIPT = r"""(function () {
"use strict";
var DATA = JSON.parse(document.getElementById("data").textContent);
var PAGE = 200;
var docs = DATA.rows.map(function (r) {
  var d = {};
  DATA.columns.forEach(function (c, i) { d[c] = r[i]; });
  d.q = ((d.text || "") + " " + (d.doc_id || "")).toLowerCase();
  return d;
});
var topicById = {};
DATA.topics.forEach(function (t) { topicById[t.id] = t; });
function uniq(key) {
  var s = {};
  docs.forEach(function (d) { if (d[key] !== null && d[key] !== undefined) s[d[key]] = true; });
  return Object.keys(s).sort();
}
var langs = uniq("lang"), channels = uniq("channel"), periods = uniq("period").reverse();
var $ = function (id) { return document.getElementById(id); };
function el(tag, attrs, text) {
  var e = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function fill(select, values) {
  values.forEach(function (v) { select.appendChild(el("option", {value: v[0]}, v[1])); });
}
fill($("f-theme"), DATA.themes.map(function (t) { return [String(t.id), t.label + " (theme " + t.id + ")"]; }));
fill($("f-topic"), DATA.topics.map(function (t) { return [String(t.id), t.label]; }));
fill($("f-lang"), langs.map(function (v) { return [v, v]; }));
fill($("f-channel"), channels.map(function (v) { return [v, v]; }));
fill($("f-period"), [["recent", "last " + DATA.window + " (the report's window)"]].concat(
  periods.map(function (v) { return [v, v]; })));
var recent = {};
DATA.recent_periods.forEach(function (p) { recent[p] = true; });

function filters() {
  return {theme: $("f-theme").value, topic: $("f-topic").value, lang: $("f-lang").value,
          channel: $("f-channel").value,
          period: $("f-period").value, q: $("f-search").value.trim().toLowerCase()};
}
function matches(d, f, drill) {
  if (f.theme !== "" && String((topicById[d.topic_id] || {}).theme) !== f.theme) return false;
  if (f.topic !== "" && String(d.topic_id) !== f.topic) return false;
  if (f.lang !== "" && d.lang !== f.lang) return false;
  if (f.channel !== "" && d.channel !== f.channel) return false;
  if (f.period === "recent" ? !recent[d.period] : f.period !== "" && d.period !== f.period) return false;
  if (f.q !== "" && d.q.indexOf(f.q) < 0) return false;
  if (drill) {
    if (drill.topic !== null && d.topic_id !== drill.topic) return false;
    if (drill.lang !== null && d.lang !== drill.lang) return false;
    if (drill.channel !== null && d.channel !== drill.channel) return false;
  }
  return true;
}

var drill = null, shown = PAGE;
function countCell(n, target, first) {
  var td = el("td", {"class": first ? "n grp" : "n"});
  if (n === 0) { td.appendChild(el("span", {"class": "zero"}, "0")); return td; }
  var b = el("button", {"class": "cnt", type: "button", title: "show these documents"}, n);
  b.addEventListener("click", function () { drill = target; shown = PAGE; renderDocs(); $("docs").scrollIntoView(); });
  td.appendChild(b);
  return td;
}
function renderOverview() {
  var f = filters(), counts = {}, total = {all: 0, lang: {}, channel: {}};
  docs.forEach(function (d) {
    if (!matches(d, f, null)) return;
    var c = counts[d.topic_id] || (counts[d.topic_id] = {all: 0, lang: {}, channel: {}});
    [c, total].forEach(function (x) {
      x.all += 1;
      x.lang[d.lang] = (x.lang[d.lang] || 0) + 1;
      x.channel[d.channel] = (x.channel[d.channel] || 0) + 1;
    });
  });
  var head = $("overview-head"), body = $("overview-body");
  head.textContent = ""; body.textContent = "";
  var hr = el("tr");
  ["Topic", "Keywords (fi)", "Keywords (en)", "Class", "Docs"].forEach(function (h, i) {
    hr.appendChild(el("th", i === 4 ? {"class": "n"} : {}, h));
  });
  langs.forEach(function (l, i) { hr.appendChild(el("th", {"class": i === 0 ? "n grp" : "n"}, l)); });
  channels.forEach(function (c, i) { hr.appendChild(el("th", {"class": i === 0 ? "n grp" : "n"}, c)); });
  head.appendChild(hr);
  var rows = DATA.topics.filter(function (t) { return counts[t.id]; });
  rows.sort(function (a, b) { return counts[b.id].all - counts[a.id].all || a.id - b.id; });
  rows.forEach(function (t) {
    var c = counts[t.id], tr = el("tr", {"data-topic": t.id});
    tr.appendChild(el("td", {"class": "label"}, t.label));
    tr.appendChild(el("td", {"class": "kw"}, t.kw_fi.join(", ")));
    tr.appendChild(el("td", {"class": "kw"}, t.kw_en.join(", ")));
    var cls = el("td");
    if (t["class"]) cls.appendChild(el("span", {"class": "badge c-" + t["class"]}, t["class"].replace("_", " ")));
    tr.appendChild(cls);
    tr.appendChild(countCell(c.all, {topic: t.id, lang: null, channel: null}));
    langs.forEach(function (l, i) {
      tr.appendChild(countCell(c.lang[l] || 0, {topic: t.id, lang: l, channel: null}, i === 0));
    });
    channels.forEach(function (ch, i) {
      tr.appendChild(countCell(c.channel[ch] || 0, {topic: t.id, lang: null, channel: ch}, i === 0));
    });
    body.appendChild(tr);
  });
  var tr = el("tr", {"class": "total"});
  tr.appendChild(el("td", {colspan: "4"}, "All topics"));
  tr.appendChild(countCell(total.all, {topic: null, lang: null, channel: null}));
  langs.forEach(function (l, i) {
    tr.appendChild(countCell(total.lang[l] || 0, {topic: null, lang: l, channel: null}, i === 0));
  });
  channels.forEach(function (ch, i) {
    tr.appendChild(countCell(total.channel[ch] || 0, {topic: null, lang: null, channel: ch}, i === 0));
  });
  body.appendChild(tr);
  $("match-count").textContent = total.all + " of " + docs.length + " documents match the filters";
}
function renderDocs() {
  var box = $("docs-body"), title = $("docs-title"), more = $("docs-more");
  box.textContent = "";
  if (!drill) { title.textContent = "Click a count to list the documents behind it."; more.hidden = true; return; }
  var f = filters(), list = docs.filter(function (d) { return matches(d, f, drill); });
  var parts = [];
  if (drill.topic !== null) parts.push("topic: " + (topicById[drill.topic] || {label: drill.topic}).label);
  if (drill.lang !== null) parts.push("language: " + drill.lang);
  if (drill.channel !== null) parts.push("channel: " + drill.channel);
  title.textContent = (parts.join(" · ") || "all topics") + " — " + list.length + " documents";
  list.slice(0, shown).forEach(function (d) {
    var tr = el("tr", {"data-doc": d.doc_id});
    [d.doc_id, d.created, d.channel, d.lang, d.sentiment === null ? "" : d.sentiment.toFixed(2) + " " +
     (d.sentiment_label || ""), d.emotion, (d.cues || []).join(", ")].forEach(function (v, i) {
      tr.appendChild(el("td", i === 4 ? {"class": "n"} : {}, v === null || v === undefined ? "" : v));
    });
    tr.appendChild(el("td", {"class": "text"}, d.text));
    box.appendChild(tr);
  });
  more.hidden = list.length <= shown;
  more.textContent = "Show " + Math.min(PAGE, list.length - shown) + " more (" + (list.length - shown) + " not shown)";
}
function update() { renderOverview(); renderDocs(); }
["f-theme", "f-topic", "f-lang", "f-channel", "f-period"].forEach(function (id) {
  $(id).addEventListener("change", update);
});
$("f-search").addEventListener("input", update);
$("f-reset").addEventListener("click", function () {
  ["f-theme", "f-topic", "f-lang", "f-channel", "f-period", "f-search"].forEach(function (id) { $(id).value = ""; });
  drill = null; update();
});
$("docs-more").addEventListener("click", function () { shown += PAGE; renderDocs(); });
update();
document.body.dataset.ready = "1";
})();"""

CSS = """
*{box-sizing:border-box}
body{margin:0;font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#111827}
header{background:#0f172a;color:#f8fafc;padding:16px 24px}
header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#cbd5e1}
header a{color:#93c5fd}
.filters{position:sticky;top:0;z-index:2;background:#f8fafc;border-bottom:1px solid #e5e7eb;padding:10px 24px;
  display:flex;flex-wrap:wrap;gap:10px;align-items:center}
.filters label{font-size:12px;color:#6b7280}
.filters select,.filters input{font:inherit;padding:3px 6px;margin-left:4px;max-width:280px}
main{padding:8px 24px 40px}
h2{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{font-size:11px;color:#6b7280;text-transform:uppercase;letter-spacing:.03em;background:#fff}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.kw{color:#4b5563;font-size:12px;max-width:220px}
td.label{font-weight:600}
td.text{max-width:640px}
tr.total td{font-weight:600;border-top:2px solid #d1d5db}
button.cnt{font:inherit;border:0;background:none;color:#1d4ed8;cursor:pointer;padding:0;text-decoration:underline}
.zero{color:#d1d5db}
.badge{display:inline-block;padding:0 7px;border-radius:9px;color:#fff;font-size:11px;background:#6b7280;
  white-space:nowrap}
.grp{border-left:1px solid #d1d5db}
.c-weak{background:#b45309}.c-strong{background:#b91c1c}.c-latent{background:#4b5563}.c-fading{background:#047857}
.c-noise{background:#9ca3af}
.note{color:#92400e;background:#fffbeb;border:1px solid #fde68a;padding:6px 10px;border-radius:6px;margin:10px 0}
.muted{color:#6b7280}
#docs-more{margin:8px 0;font:inherit}
#docs{scroll-margin-top:64px}
"""


def render_explorer(data: ReportData, cfg: Config) -> str:
    """The explorer page for `data` (pure)."""
    payload = explorer_payload(data, cfg)
    unit = "week" if cfg.signals.period == "W" else "month"
    note = (f'<p class="note">Showing the {payload["shown_docs"]:,} most recent of {payload["total_docs"]:,} '
            f"documents (report.explorer_max_docs = {cfg.report.explorer_max_docs:,}).</p>"
            if payload["truncated"] else "")
    if not payload["rows"]:
        note += '<p class="note">No documents for this run.</p>'
    run = html.escape(data.run_date.isoformat())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Silent Signals topic explorer {run}</title>
<style>{CSS}</style>
</head>
<body>
<script>{ERROR_HOOK}</script>
<header><h1>Topic explorer</h1><p>Run {run} · redacted customer texts for analysts; counts here are not
suppressed · <a href="report.html">back to the report</a></p></header>
<div class="filters" id="filters">
<label>Theme<select id="f-theme"><option value="">all</option></select></label>
<label>Topic<select id="f-topic"><option value="">all</option></select></label>
<label>Language<select id="f-lang"><option value="">all</option></select></label>
<label>Channel<select id="f-channel"><option value="">all</option></select></label>
<label>{unit.capitalize()}<select id="f-period"><option value="">all</option></select></label>
<label>Search<input id="f-search" type="search" placeholder="words or doc id"></label>
<button id="f-reset" type="button">Reset</button>
<span class="muted" id="match-count"></span>
</div>
<main>
{note}
<h2>Topics</h2>
<table id="overview"><thead id="overview-head"></thead><tbody id="overview-body"></tbody></table>
<h2 id="docs">Documents</h2>
<p id="docs-title" class="muted"></p>
<table id="doc-list"><thead><tr><th>Doc</th><th>Date</th><th>Channel</th><th>Lang</th><th class="n">Sentiment</th>
<th>Emotion</th><th>Cues</th><th>Text</th></tr></thead><tbody id="docs-body"></tbody></table>
<button id="docs-more" type="button" hidden></button>
</main>
<script type="application/json" id="data">{embed_json(payload)}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""
