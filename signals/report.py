"""The leadership report of one run date, rebuilt from the warehouse without recomputing anything.

`load_report_data` reads the run's tables (read-only); the renderers below are pure functions of
that data and the config; `write_report` writes, into ``<report.dir>/<run_date>/``:

- ``report.html``: one self-contained page (inline CSS and SVG charts, no external resources)
  that a manager can read in five minutes. Sections, each with a stable id:
  ``#summary`` (volumes, languages, channels, outlier pool, weak/strong counts),
  ``#top-signals`` (flagged topics by priority, with the plain explanation and a sparkline),
  ``#themes`` (groups of related topics taken together, with their flagged topics),
  ``#trends`` (documents per period of the top topics), ``#feelings`` (net sentiment, emotion mix,
  problem cues, rating impact), ``#segments`` (gaps between languages, channels and customer
  segments), ``#keywords`` (new complaints inside old topics), ``#outliers`` (needs that fit no
  known process), ``#quotes`` (redacted evidence), ``#actions`` (topics before vs after an action)
  and ``#method`` (how classes, priority and suppression work; link to the explorer).
- ``report.md``: the same content as Markdown text and tables (no charts).
- ``signals.csv``: the ``signals`` table as stored.
- ``explorer.html``: the analyst topic explorer (``signals/explorer.py``).

Privacy: every number comes from tables that the metrics stage already suppressed (fewer than k
distinct customers); a row flagged ``suppressed`` is shown as "<k" / "—" even if a number slipped
through. Quotes are only those in ``signal_quotes``. All text is HTML-escaped.
"""
from __future__ import annotations

import html
import json
import math
import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from signals import schemas
from signals.config import Config, resolve
from signals.metrics import CLASSES, OUTLIER, alerting_keywords, distinct_customers, period_start, window_start
from signals.warehouse import Warehouse, WarehouseError

# The tables the report reads, in ReportData field order.
REPORT_TABLES = ("runs", "documents", "topics", "topic_trends", "signals", "theme_signals", "signal_periods",
                 "signal_segments", "keyword_signals", "signal_quotes", "action_followup", "topic_events")
SCHEMAS = {s.name: s for s in schemas.ALL}

# documents is by far the largest table; the report and the explorer need only these columns
# (never customer_key beyond counting, never lemmas or metadata).
CUE_COLUMNS = ("cue_repeat_contact", "cue_broken_promise", "cue_escalation", "cue_churn_threat", "cue_unresolved",
               "cue_waiting_time", "cue_praise", "cue_channel_switch")
DOCUMENT_COLUMNS = ("run_date", "doc_id", "source", "customer_key", "created_at", "channel", "segment", "rating",
                    "text", "lang", "sentiment", "sentiment_label", "dominant_emotion", *CUE_COLUMNS,
                    "is_repeat_contact", "topic_id")

CLASS_INFO = {  # badge colour, one-line meaning (mirrors the rules in signals/metrics.py)
    "weak": ("#b45309", "small and growing: an early warning"),
    "strong": ("#b91c1c", "large and growing"),
    "latent": ("#4b5563", "small and not growing (under +10 % per period, not yet fading)"),
    "well_known": ("#6b7280", "large and not growing: a known, steady topic"),
    "fading": ("#047857", "shrinking or gone"),
    "noise": ("#9ca3af", "outlier pool or too few documents"),
}
FLAGGED = ("weak", "strong", "latent", "fading")
EMOTION_COLORS = {
    "anger": "#dc2626", "disgust": "#92400e", "fear": "#7c3aed", "sadness": "#2563eb", "surprise": "#0891b2",
    "anticipation": "#f59e0b", "trust": "#16a34a", "joy": "#eab308", "neutral": "#d1d5db",
}
SERIES_COLORS = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563",
                 "#65a30d", "#9f1239")
FEELING_CUES = (("feeling_share", "feeling (vs fact)"), ("effort_rate", "effort"), ("broken_promise_rate", "broken promise"),
                ("escalation_rate", "escalation"), ("churn_threat_rate", "churn threat"))


@dataclass
class ReportData:
    """One DataFrame per warehouse table of one run date (columns as in ``signals/schemas.py``;
    ``documents`` only ``DOCUMENT_COLUMNS``). Missing or empty tables are empty frames."""
    run_date: date
    runs: pd.DataFrame
    documents: pd.DataFrame
    topics: pd.DataFrame
    topic_trends: pd.DataFrame
    signals: pd.DataFrame
    theme_signals: pd.DataFrame
    signal_periods: pd.DataFrame
    signal_segments: pd.DataFrame
    keyword_signals: pd.DataFrame
    signal_quotes: pd.DataFrame
    action_followup: pd.DataFrame
    topic_events: pd.DataFrame
    source: str = ""  # where the data came from (the warehouse file), shown in the footer

    @classmethod
    def empty(cls, run_date: date, **tables: pd.DataFrame) -> ReportData:
        """Every table empty except those given (handy for tests and partial warehouses)."""
        frames = {name: _conform(name, tables.get(name)) for name in REPORT_TABLES}
        extra = set(tables) - set(REPORT_TABLES)
        if extra:
            raise TypeError(f"unknown tables {sorted(extra)}")
        return cls(run_date=run_date, **frames)


def _wanted_columns(name: str) -> list[str]:
    names = SCHEMAS[name].names
    return [c for c in names if c in DOCUMENT_COLUMNS] if name == "documents" else names


def _conform(name: str, df: pd.DataFrame | None) -> pd.DataFrame:
    """The schema's columns in order (missing ones as NULL, e.g. a warehouse from an older version);
    DATE columns as datetime.date and TIMESTAMPTZ as UTC timestamps, whatever the source gave."""
    cols = _wanted_columns(name)
    if df is None or df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    df = df.copy()
    for c in cols:
        if c not in df.columns:
            df[c] = None
    df = df[cols].reset_index(drop=True)
    types = dict(SCHEMAS[name].columns)
    for c in cols:
        if types[c] == "DATE":
            df[c] = pd.Series([_as_date(v) for v in df[c]], dtype="object")
        elif types[c] == "TIMESTAMPTZ":
            df[c] = pd.to_datetime(df[c], utc=True, errors="coerce")
    return df


def load_report_data(wh: Warehouse, run_date: date) -> ReportData:
    """Read the report's tables for `run_date` (read-only). Raises WarehouseError when the
    warehouse does not exist or holds no run for that date (naming the dates it has)."""
    if not wh.db_path.exists():
        raise WarehouseError(f"no warehouse at {wh.db_path} (run `signals run` first)")
    present: dict[str, set[str]] = {}
    for t, c in wh.query("SELECT table_name, column_name FROM information_schema.columns").itertuples(index=False):
        present.setdefault(t, set()).add(c)
    runs_dates = (wh.query('SELECT DISTINCT run_date FROM "runs" ORDER BY run_date')["run_date"].tolist()
                  if "runs" in present else [])
    available = [_as_date(d) for d in runs_dates]
    if run_date not in available:
        have = ", ".join(d.isoformat() for d in available[-10:]) or "none"
        raise WarehouseError(f"no run for date {run_date.isoformat()} in {wh.db_path}; available: {have}")
    frames = {}
    for name in REPORT_TABLES:
        cols = [c for c in _wanted_columns(name) if c in present.get(name, set())]
        if not cols or "run_date" not in cols:
            frames[name] = _conform(name, None)
            continue
        sel = ", ".join(f'"{c}"' for c in cols)
        frames[name] = _conform(name, wh.query(f'SELECT {sel} FROM "{name}" WHERE run_date = ?', [run_date]))
    return ReportData(run_date=run_date, source=str(wh.db_path), **frames)


def report_dir(cfg: Config, run_date: date) -> Path:
    """Where the report of `run_date` goes: ``<report.dir>/<run_date>/``."""
    return resolve(cfg.report.dir) / run_date.isoformat()


# --------------------------------------------------------------------------------------- value helpers

def _missing(x) -> bool:
    if x is None:
        return True
    if isinstance(x, (list, tuple, dict, np.ndarray)):
        return False
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _as_date(x) -> date | None:
    if _missing(x):
        return None
    if isinstance(x, date) and not isinstance(x, pd.Timestamp):
        return x if type(x) is date else x.date()
    try:
        return pd.Timestamp(x).date()
    except (TypeError, ValueError):
        return None


def _float(x) -> float | None:
    if _missing(x):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _text(x, default: str = "") -> str:
    return default if _missing(x) else str(x)


def _true(x) -> bool:
    return not _missing(x) and bool(x)


def _as_list(x) -> list:
    if _missing(x):
        return []
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, str):
        try:
            v = json.loads(x)
            return list(v) if isinstance(v, list) else [x]
        except ValueError:
            return [s.strip() for s in x.split(",") if s.strip()]
    return [x]


def _json_dict(x) -> dict[str, float]:
    if isinstance(x, dict):
        raw = x
    else:
        try:
            raw = json.loads(_text(x) or "{}")
        except ValueError:
            return {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): v for k, v in ((k, _float(v)) for k, v in raw.items()) if v is not None}


def _records(df: pd.DataFrame) -> list[dict]:
    return df.to_dict("records") if not df.empty else []


def _count(x) -> str:
    v = _float(x)
    return "–" if v is None else f"{v:,.0f}"


def _pct(x, digits: int = 0) -> str:
    v = _float(x)
    return "–" if v is None else f"{100 * v:.{digits}f} %"


def _signed_pct(x) -> str:
    v = _float(x)
    return "–" if v is None else f"{100 * v:+.0f} %"


def _points(x) -> str:
    """Net sentiment and its changes are in points (% positive − % negative)."""
    v = _float(x)
    return "–" if v is None else f"{v:+.0f}".replace("-", "−")


def _unit(cfg: Config) -> str:
    return "week" if cfg.signals.period == "W" else "month"


def _period_label(d, cfg: Config) -> str:
    d = _as_date(d)
    if d is None:
        return "–"
    if cfg.signals.period == "M":
        return d.strftime("%b %Y")
    return f"W{d.isocalendar()[1]:02d}"


# ------------------------------------------------------------------------------ facts shared by both formats

def _labels(data: ReportData) -> dict[int, str]:
    out = {int(t): _text(lbl) for t, lbl in zip(data.topics["topic_id"], data.topics["label"]) if not _missing(t)}
    out.update({int(t): _text(lbl) for t, lbl in zip(data.signals["topic_id"], data.signals["label"])
                if not _missing(t) and _text(lbl)})
    out.setdefault(OUTLIER, "outlier pool: needs that fit no known process")
    return out


def topic_map_changes(data: ReportData, max_items: int = 8) -> str:
    """What this run did to the topic map (`topic_events`): new and split topics by label, retired and
    merged ones by id; or that there was no refit, so every topic kept its id."""
    ev = data.topic_events
    if ev.empty:
        return "No refit in this run: documents were placed on the stored topics, so no topic id changed."
    if set(ev["event"]) == {"new"}:
        return f"The topic map was fitted from scratch in this run ({len(ev)} topics)."
    labels = _labels(data)

    def name(t) -> str:
        return f"{int(t)} “{labels[int(t)]}”" if int(t) in labels else str(int(t))

    parts = []
    for r in _records(ev):
        kind, t, rel = r.get("event"), r.get("topic_id"), r.get("related_topic_id")
        if kind == "new":
            parts.append(f"new topic {name(t)}")
        elif kind == "split":
            parts.append(f"topic {name(t)} split off topic {name(rel)}")
        elif kind == "merged":
            parts.append(f"topic {int(t)} merged into {name(rel)}")
        elif kind == "retired":
            parts.append(f"topic {int(t)} retired (too few documents left)")
    kept = int((ev["event"] == "kept").sum())
    head = f"This run refitted the topic map: {kept} topics kept their ids"
    if len(parts) > max_items:
        parts = parts[:max_items] + [f"{len(parts) - max_items} more changes (table topic_events)"]
    return head + ("; " + "; ".join(parts) + "." if parts else ".")


def _doc_periods(docs: pd.DataFrame, cfg: Config) -> pd.Series:
    if docs.empty:
        return pd.Series([], dtype="object")
    return period_start(docs["created_at"], period=cfg.signals.period, timezone=cfg.ingest.timezone)


def _breakdown(recent: pd.DataFrame, col: str, k: int) -> list[tuple[str, float | None, float]]:
    """(value, docs or None when fewer than k distinct customers, share of the window's docs)."""
    if recent.empty:
        return []
    vals = recent[col].astype("object").where(recent[col].notna(), "(unknown)").astype(str)
    g = recent.assign(_v=vals.to_numpy()).groupby("_v")
    docs, custs = g.size(), g["customer_key"].agg(distinct_customers)
    rows = [(v, float(docs[v]) if custs[v] >= k else None, float(docs[v]) / len(recent)) for v in docs.index]
    return sorted(rows, key=lambda r: -r[2])


def summary_facts(data: ReportData, cfg: Config) -> dict:
    """The headline numbers of the run (pure; plain Python values)."""
    k = cfg.signals.min_customers
    docs = data.documents
    periods = _doc_periods(docs, cfg)
    sig_periods = [d for d in (_as_date(v) for v in data.signals["period_start"]) if d]
    latest = max(sig_periods) if sig_periods else (max((d for d in periods if _as_date(d)), default=None))
    latest = _as_date(latest)
    facts: dict = {"run_date": data.run_date, "latest_period": latest, "window": cfg.signals.window,
                   "unit": _unit(cfg), "k": k, "docs_total": int(len(docs))}
    if latest is not None and not docs.empty:
        start = window_start(latest, period=cfg.signals.period, window=cfg.signals.window)
        p = pd.Series([_as_date(v) for v in periods], index=docs.index, dtype="object")
        recent = docs[p.map(lambda d: d is not None and start <= d <= latest)]
    else:
        start, recent = None, docs.iloc[0:0]
    facts["window_start"] = start
    # Documents of the run's unfinished period: stored (and in the explorer), counted in trends later.
    later = (pd.Series([_as_date(v) for v in periods], index=docs.index, dtype="object")
             .map(lambda d: d is not None and latest is not None and d > latest)) if not docs.empty else None
    facts["unfinished_docs"] = int(later.sum()) if later is not None else 0
    facts["docs_window"] = int(len(recent))
    facts["customers_window"] = distinct_customers(recent["customer_key"]) if not recent.empty else 0
    facts["languages"] = _breakdown(recent, "lang", k)
    facts["channels"] = _breakdown(recent, "channel", k)
    topic_ids = pd.to_numeric(recent["topic_id"], errors="coerce")
    pool = (topic_ids == OUTLIER).to_numpy()
    # The pool is a cell like any topic: from fewer than k customers, neither its count nor its share is shown.
    facts["outlier_suppressed"] = bool(pool.any()) and distinct_customers(recent["customer_key"][pool]) < k
    facts["outlier_docs"] = None if facts["outlier_suppressed"] else int(pool.sum())
    facts["outlier_share"] = (None if facts["outlier_suppressed"] else
                              facts["outlier_docs"] / len(recent) if len(recent) else None)
    classes = data.signals["signal_class"].astype("object").tolist()
    facts["n_classes"] = {c: sum(1 for x in classes if x == c) for c in CLASSES}
    facts["n_topics"] = int(sum(1 for t in data.topics["topic_id"] if not _missing(t) and int(t) != OUTLIER))
    run = data.runs.iloc[0].to_dict() if not data.runs.empty else {}
    facts["run_status"] = _text(run.get("status"), "unknown")
    facts["run_id"] = _text(run.get("run_id"))
    return facts


def _suppressed_note(k: int) -> str:
    # A cell hidden only to protect another one has k or more customers: "<k" alone would misstate it.
    return (f"suppressed: fewer than {k} distinct customers, or hidden so that such a figure cannot be worked out "
            "from the totals")


def _unfinished_note(facts: dict) -> str:
    n = facts.get("unfinished_docs") or 0
    return (f"; {n:,} more document{'s' if n != 1 else ''} of the unfinished {facts['unit']} count from the run "
            f"that completes it") if n else ""


def _outlier_docs(facts: dict) -> str:
    """The outlier pool's size in words: its share of recent documents, or that too few customers are in it."""
    if facts.get("outlier_suppressed"):
        return f"documents from fewer than {facts['k']} customers"
    return f"{_pct(facts['outlier_share'], 1)} of recent documents"


def _sorted_signals(data: ReportData) -> pd.DataFrame:
    s = data.signals.copy()
    if s.empty:
        return s
    s["_prio"] = pd.to_numeric(s["priority"], errors="coerce").fillna(0.0)
    s["_docs"] = pd.to_numeric(s["docs"], errors="coerce").fillna(-1.0)
    s["_tid"] = pd.to_numeric(s["topic_id"], errors="coerce").fillna(OUTLIER).astype(int)
    return s.sort_values(["_prio", "_docs", "_tid"], ascending=[False, False, True], kind="stable")


def flagged_signals(data: ReportData) -> list[dict]:
    """Signals worth attention (weak, strong, latent, fading; not the outlier pool), highest priority first."""
    s = _sorted_signals(data)
    if s.empty:
        return []
    s = s[s["signal_class"].isin(FLAGGED) & (s["_tid"] != OUTLIER) & (s["_prio"] > 0)]
    return _records(s.drop(columns=["_prio", "_docs", "_tid"]))


def top_topics(data: ReportData, cfg: Config) -> list[dict]:
    """The topics the report details (charts, feelings, quotes): the highest-priority topics that are
    not the outlier pool and not suppressed, filled up with the largest ones when few are flagged."""
    s = _sorted_signals(data)
    if s.empty:
        return []
    s = s[(s["_tid"] != OUTLIER) & ~s["suppressed"].map(_true)]
    return _records(s.drop(columns=["_prio", "_docs", "_tid"]).head(cfg.report.top_signals))


def theme_rows(data: ReportData) -> list[dict]:
    """Themes of two or more topics, largest first (in the recent window; the point of a theme is its whole
    size), each with `members`: its topics as (label, signal class, counted in the theme's figures) in the
    topics' own priority order. A theme of one topic is that topic, shown above."""
    t = data.theme_signals
    if t.empty:
        return []
    t = t.assign(_n=pd.to_numeric(t["n_topics"], errors="coerce").fillna(0),
                 _prio=pd.to_numeric(t["priority"], errors="coerce").fillna(0.0),
                 _docs=pd.to_numeric(t["docs"], errors="coerce").fillna(-1.0))
    t = t[t["_n"] >= 2].sort_values(["_docs", "_prio", "theme_id"], ascending=[False, False, True], kind="stable")
    by_topic = {int(r["topic_id"]): r for r in _records(_sorted_signals(data).drop(columns=["_prio", "_docs", "_tid"]))
                } if not data.signals.empty else {}
    order = list(by_topic)
    rows = []
    for r in _records(t.drop(columns=["_n", "_prio", "_docs"])):
        ids = [int(i) for i in _as_list(r.get("topic_ids"))]
        ids.sort(key=lambda i: order.index(i) if i in order else len(order))
        left_out = {int(i) for i in _as_list(r.get("topics_left_out"))}
        r["members"] = [(_text(by_topic.get(i, {}).get("label"), f"topic {i}"),
                         _text(by_topic.get(i, {}).get("signal_class")), i not in left_out) for i in ids]
        rows.append(r)
    return rows


def _member_text(members: list[tuple[str, str, bool]], k: int) -> str:
    """"a, b (strong), c": a flagged class is named, as a growing topic can sit inside a steady theme; so is a
    topic the theme's figures leave out (see themes.left_out_topics)."""
    def one(label: str, cls: str, counted: bool) -> str:
        if not counted:
            return f"{label} (not counted: fewer than {k} customers)"
        return f"{label} ({cls.replace('_', ' ')})" if cls in ("weak", "strong") else label
    return ", ".join(one(*m) for m in members)


def period_axis(data: ReportData) -> list[date]:
    return sorted({d for d in (_as_date(v) for v in data.signal_periods["period_start"]) if d})


def period_series(data: ReportData, topic_id: int, axis: list[date], col: str = "docs") -> list[float | None]:
    """Values of `col` per period of `axis` for one topic; None where suppressed or absent."""
    sp = data.signal_periods
    if sp.empty:
        return [None] * len(axis)
    part = sp[pd.to_numeric(sp["topic_id"], errors="coerce") == topic_id]
    by = {}
    for r in _records(part):
        d = _as_date(r["period_start"])
        by[d] = None if _true(r.get("suppressed")) else _float(r.get(col))
    return [by.get(d) for d in axis]


def period_suppressed(data: ReportData, topic_id: int, axis: list[date]) -> list[bool]:
    sp = data.signal_periods
    if sp.empty:
        return [False] * len(axis)
    part = sp[pd.to_numeric(sp["topic_id"], errors="coerce") == topic_id]
    flags = {_as_date(d): _true(f) for d, f in zip(part["period_start"], part["suppressed"])}
    return [flags.get(d, False) for d in axis]


def keyword_alerts(data: ReportData) -> list[dict]:
    """Keywords that are a new complaint (metrics.alerting_keywords: new, or growing faster than their topic)
    inside topics that are themselves steady (well_known/latent): a new problem hiding inside an old topic."""
    kw, s = data.keyword_signals, data.signals
    if kw.empty or s.empty:
        return []
    topic_class = {int(t): _text(c) for t, c in zip(s["topic_id"], s["signal_class"]) if not _missing(t)}
    topic_growth = pd.Series(pd.to_numeric(s["growth"], errors="coerce").to_numpy(),
                             index=pd.to_numeric(s["topic_id"], errors="coerce"))
    labels = _labels(data)
    out = []
    for r in _records(alerting_keywords(kw, topic_growth)):
        tid = int(r["topic_id"]) if not _missing(r["topic_id"]) else None
        if tid is None or tid == OUTLIER:
            continue
        if topic_class.get(tid) in ("well_known", "latent"):
            out.append({**r, "topic_label": labels.get(tid, f"topic {tid}"), "topic_class": topic_class[tid]})
    return sorted(out, key=lambda r: (r["signal_class"] != "strong", -(_float(r.get("growth")) or 0.0),
                                      -(_float(r.get("docs")) or 0.0)))


def segment_gaps(data: ReportData, limit: int = 5) -> list[dict]:
    """The largest sentiment gaps between a segment and its topic overall (not suppressed)."""
    seg = data.signal_segments
    if seg.empty:
        return []
    labels = _labels(data)
    rows = [r for r in _records(seg) if not _true(r.get("suppressed")) and _float(r.get("gap")) is not None
            and not _missing(r.get("topic_id")) and int(r["topic_id"]) != OUTLIER]
    rows.sort(key=lambda r: -abs(_float(r["gap"])))
    return [{**r, "topic_label": labels.get(int(r["topic_id"]), f"topic {r['topic_id']}")} for r in rows[:limit]]


def outlier_trend(data: ReportData, cfg: Config) -> dict:
    """The outlier pool's share per period and its recent vs earlier mean (from signal_periods)."""
    axis = period_axis(data)
    shares = period_series(data, OUTLIER, axis, "share")
    hidden = period_suppressed(data, OUTLIER, axis)
    w = cfg.signals.window

    def mean(span: list[float | None], span_hidden: list[bool]) -> float | None:
        # A mean over the visible periods only would be biased low (suppressed periods are the small
        # non-zero ones), so a span with any suppressed or missing period has no mean.
        if not span or any(span_hidden) or any(v is None for v in span):
            return None
        return sum(span) / len(span)
    return {"axis": axis, "shares": shares, "suppressed": hidden,
            "recent": mean(shares[-w:], hidden[-w:]),
            "past": mean(shares[:-w], hidden[:-w]) if len(shares) > w else None}


def _better(before, after, higher_is_better: bool) -> int:
    """+1 better, -1 worse, 0 unchanged or unknown (changes under 0.5 % of scale count as unchanged)."""
    b, a = _float(before), _float(after)
    if b is None or a is None:
        return 0
    tol = 0.5 if abs(b) > 1 or abs(a) > 1 else 0.005
    if abs(a - b) <= tol:
        return 0
    return 1 if (a > b) == higher_is_better else -1


ACTION_METRICS = (  # column stem, label, formatter, higher is better
    ("docs_per_period", "docs/period", _count, False),
    ("customers", "customers", _count, False),
    ("net_sentiment", "net sentiment", _points, True),
    ("negative_share", "negative", _pct, False),
    ("problem_cue_rate", "problem cues", _pct, False),
)


# ------------------------------------------------------------------------------------------- inline SVG

def _esc(x) -> str:
    return html.escape(_text(x), quote=True)


def _nice_step(vmax: float, ticks: int = 4) -> float:
    raw = max(vmax, 1e-9) / ticks
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def _fmt_tick(v: float, pct: bool) -> str:
    if pct:
        return f"{100 * v:.0f}%" if 100 * v >= 10 or v == 0 else f"{100 * v:.1f}%"
    return f"{v:.0f}" if v >= 10 or v == int(v) else f"{v:.1f}"


def svg_sparkline(values: list[float | None], *, suppressed: list[bool] | None = None, width: int = 140,
                  height: int = 34, color: str = "#2563eb", title: str = "") -> str:
    """A small line of `values` (None = gap); the last value is dotted. Suppressed periods get a grey
    tick on the baseline, so a reader sees "something, but too few customers" rather than nothing."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    marks = [i for i, flag in enumerate(suppressed or []) if flag]
    if not pts and not marks:
        return '<span class="muted">no data</span>'
    pad, n = 3, len(values)
    vmax = max((v for _, v in pts), default=0.0) or 1.0

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)
        return round(x, 1), round(height - pad - (height - 2 * pad) * v / vmax, 1)

    runs, cur = [], []
    for i, v in enumerate(values):
        if v is None:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(xy(i, v))
    if cur:
        runs.append(cur)
    parts = [f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{_esc(title)}"><title>{_esc(title)}</title>',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#e5e7eb"/>']
    for i in marks:
        mx = xy(i, 0.0)[0]
        parts.append(f'<line x1="{mx}" y1="{height - pad - 4}" x2="{mx}" y2="{height - pad}" stroke="#9ca3af" '
                     'stroke-width="2"><title>suppressed: too few customers</title></line>')
    for run in runs:
        if len(run) == 1:
            parts.append(f'<circle cx="{run[0][0]}" cy="{run[0][1]}" r="1.6" fill="{color}"/>')
        else:
            pts_txt = " ".join(f"{x},{y}" for x, y in run)
            parts.append(f'<polyline points="{pts_txt}" fill="none" stroke="{color}" stroke-width="1.6" '
                         'stroke-linejoin="round"/>')
    if pts:
        lx, ly = xy(*pts[-1])
        parts.append(f'<circle cx="{lx}" cy="{ly}" r="2.6" fill="{color}"/>')
    return "".join(parts) + "</svg>"


def _chart_frame(width: int, height: int, n: int, vmax: float, labels: list[str], highlight_from: int | None,
                 pct: bool, title: str) -> tuple[list[str], callable, callable]:
    """Axes, grid, x labels and the shaded recent window; returns (svg parts, x(i), y(v))."""
    left, right, top, bottom = 48, 14, 14, 30
    step = _nice_step(vmax)
    ymax = step * max(1, math.ceil(vmax / step - 1e-9))
    pw, ph = width - left - right, height - top - bottom
    slot = pw / max(n, 1)

    def x(i: float) -> float:
        return round(left + slot * (i + 0.5), 1)

    def y(v: float) -> float:
        return round(top + ph - ph * v / ymax, 1)

    parts = [f'<svg class="chart" width="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
             f'role="img" aria-label="{_esc(title)}"><title>{_esc(title)}</title>']
    if highlight_from is not None and 0 <= highlight_from < n:
        hx = round(left + slot * highlight_from, 1)
        parts.append(f'<rect x="{hx}" y="{top}" width="{round(left + pw - hx, 1)}" height="{ph}" fill="#eff6ff"/>'
                     f'<text x="{round(left + pw - 4, 1)}" y="{top + 11}" text-anchor="end" font-size="10" '
                     f'fill="#1d4ed8">recent window</text>')
    t = 0.0
    while t <= ymax + 1e-9:
        parts.append(f'<line x1="{left}" y1="{y(t)}" x2="{left + pw}" y2="{y(t)}" stroke="#e5e7eb"/>'
                     f'<text x="{left - 6}" y="{y(t) + 3.5}" text-anchor="end" font-size="10" fill="#6b7280">'
                     f'{_fmt_tick(t, pct)}</text>')
        t += step
    every = max(1, math.ceil(n / 14))
    for i, lab in enumerate(labels):
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{x(i)}" y="{height - bottom + 16}" text-anchor="middle" font-size="10" '
                         f'fill="#6b7280">{_esc(lab)}</text>')
    return parts, x, y


def svg_line_chart(series: list[tuple[str, str, list[float | None]]], labels: list[str], *,
                   highlight_from: int | None = None, width: int = 960, height: int = 300,
                   title: str = "") -> str:
    """Lines (name, colour, values per period; None = gap) over shared period labels."""
    vals = [v for _, _, vs in series for v in vs if v is not None]
    if not vals or not labels:
        return ""
    parts, x, y = _chart_frame(width, height, len(labels), max(vals) or 1.0, labels, highlight_from, False, title)
    for name, color, vs in series:
        run: list[str] = []
        for i, v in enumerate(vs + [None]):
            if v is None:
                if len(run) > 1:
                    parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" '
                                 'stroke-width="2" stroke-linejoin="round"/>')
                run = []
                continue
            run.append(f"{x(i)},{y(v)}")
            parts.append(f'<circle cx="{x(i)}" cy="{y(v)}" r="2.2" fill="{color}">'
                         f'<title>{_esc(name)} · {_esc(labels[i])}: {v:.0f}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def svg_bar_chart(values: list[float | None], labels: list[str], *, suppressed: list[bool] | None = None,
                  highlight_from: int | None = None, pct: bool = True, color: str = "#64748b", width: int = 960,
                  height: int = 220, title: str = "") -> str:
    """Bars per period (None = no bar); suppressed periods get a grey stub on the baseline."""
    vals = [v for v in values if v is not None]
    if not labels or (not vals and not any(suppressed or [])):
        return ""
    parts, x, y = _chart_frame(width, height, len(labels), max(vals, default=0.0) or 0.01, labels, highlight_from,
                               pct, title)
    slot = (x(1) - x(0)) if len(labels) > 1 else 40
    bw = round(max(2.0, slot * 0.6), 1)
    for i, hidden in enumerate(suppressed or []):
        if hidden:
            parts.append(f'<rect x="{round(x(i) - bw / 2, 1)}" y="{round(y(0) - 5, 1)}" width="{bw}" height="5" '
                         f'fill="#d1d5db"><title>{_esc(labels[i])}: suppressed (too few customers)</title></rect>')
    for i, v in enumerate(values):
        if v is None:
            continue
        top = y(v)
        parts.append(f'<rect x="{round(x(i) - bw / 2, 1)}" y="{top}" width="{bw}" height="{round(y(0) - top, 1)}" '
                     f'fill="{color}"><title>{_esc(labels[i])}: {_fmt_tick(v, pct)}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def svg_stacked_bar(mix: dict[str, float], *, width: int = 220, height: int = 16) -> str:
    """One bar split by emotion share (order and colours fixed, so bars compare across topics)."""
    items = [(e, mix.get(e, 0.0)) for e in EMOTION_COLORS if mix.get(e, 0.0) > 0]
    items += [(e, v) for e, v in mix.items() if e not in EMOTION_COLORS and v > 0]
    total = sum(v for _, v in items)
    if total <= 0:
        return '<span class="muted">no data</span>'
    x, parts = 0.0, []
    for e, v in items:
        w = width * v / total
        parts.append(f'<rect x="{round(x, 2)}" y="0" width="{round(w, 2)}" height="{height}" '
                     f'fill="{EMOTION_COLORS.get(e, "#94a3b8")}"><title>{_esc(e)} {100 * v:.0f} %</title></rect>')
        x += w
    label = ", ".join(f"{e} {100 * v:.0f} %" for e, v in sorted(items, key=lambda t: -t[1])[:3])
    return (f'<svg class="mix" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{_esc(label)}"><title>{_esc(label)}</title>{"".join(parts)}</svg>')


# -------------------------------------------------------------------------------------------- HTML parts

def _badge(cls) -> str:
    c = _text(cls, "unknown")
    color, meaning = CLASS_INFO.get(c, ("#6b7280", c))
    return f'<span class="badge" style="background:{color}" title="{_esc(meaning)}">{_esc(c.replace("_", " "))}</span>'


def _growth(x, unit: str) -> str:
    v = _float(x)
    return "–" if v is None else f"{100 * v:+.0f} %/{unit}".replace("-", "−")


def _cell(row: dict, col: str, fmt, k: int, *, count: bool = False) -> str:
    """A numeric <td>; a suppressed row never shows its number (even one that slipped through)."""
    if _true(row.get("suppressed")):
        shown = f"&lt;{k}" if count else "—"
        return f'<td class="n sup" title="{_suppressed_note(k)}">{shown}</td>'
    return f'<td class="n">{_esc(fmt(row.get(col)))}</td>'


def _nodata(text: str) -> str:
    return f'<p class="nodata">{_esc(text)}</p>'


def _section(sid: str, title: str, lead: str, body: str) -> str:
    lead_html = f'<p class="lead">{_esc(lead)}</p>' if lead else ""
    return f'<section id="{sid}">\n<h2>{_esc(title)}</h2>\n{lead_html}\n{body}\n</section>\n'


def _html_summary(data: ReportData, cfg: Config, facts: dict) -> str:
    unit, w, k = facts["unit"], facts["window"], facts["k"]
    n = facts["n_classes"]
    span = (f"{facts['window_start'].isoformat()} – {facts['latest_period'].isoformat()} (start of the latest {unit})"
            if facts["window_start"] else "no documents")
    tiles = [
        (_count(facts["docs_window"]), f"documents, last {w} {unit}s"),
        (_count(facts["customers_window"]), "distinct customers"),
        (str(n["strong"]) if not data.signals.empty else "–", "strong signals"),
        (str(n["weak"]) if not data.signals.empty else "–", "weak signals"),
        (f"<{k}", "customers' needs fit no known process") if facts["outlier_suppressed"] else
        (_pct(facts["outlier_share"], 1), "fit no known process"),
    ]
    kpis = "".join(f'<div class="kpi"><div class="v">{_esc(v)}</div><div class="l">{_esc(label)}</div></div>'
                   for v, label in tiles)

    def mix(items) -> str:
        if not items:
            return '<span class="muted">–</span>'
        # A suppressed value shows neither its count nor its share (the share would give the count away).
        return " · ".join(f"<b>{_esc(v)}</b> {_pct(s)} ({_count(d)})" if d is not None
                          else f'<b>{_esc(v)}</b> <span class="sup">&lt;{k} customers</span>' for v, d, s in items)
    flagged = flagged_signals(data)
    if flagged:
        top_cls = _text(flagged[0].get("signal_class")).replace("_", " ")
        growing = sum(1 for r in flagged if r.get("signal_class") in ("weak", "strong"))
        watch = len(flagged) - growing
        # Growing signals are what needs a decision; latent and fading ones are worth watching.
        head = (f"{growing} growing signal{'' if growing == 1 else 's'} and {watch} to watch; highest priority: "
                f"{_esc(flagged[0].get('label'))} ({_esc(top_cls)}).")
    elif data.signals.empty:
        head = "The signals table is empty for this run: no classes to report."
    else:
        head = "No topic is flagged as a weak, strong, latent or fading signal in this run."
    run_note = (f' <span class="muted">(run {_esc(facts["run_id"])}, {_esc(facts["run_status"])})</span>'
                if facts["run_id"] else "")
    rows = [
        ("Run date", _esc(facts["run_date"].isoformat()) + run_note),
        ("Recent window", _esc(span + _unfinished_note(facts))),
        ("Documents in warehouse",
         f'{_count(facts["docs_total"])} <span class="muted">across {facts["n_topics"]} topics</span>'),
        ("Languages", mix(facts["languages"])),
        ("Channels", mix(facts["channels"])),
        ("Outlier pool", _esc(_outlier_docs(facts))
                         + (f" ({_count(facts['outlier_docs'])})" if facts["outlier_docs"] is not None else "")
                         + " fit no known process"),
        ("Signals", ", ".join(f"{n[c]} {c.replace('_', ' ')}" for c in CLASSES)),
    ]
    table = "".join(f"<tr><th>{_esc(a)}</th><td>{b}</td></tr>" for a, b in rows)
    body = f'<div class="kpis">{kpis}</div>\n<p class="headline">{head}</p>\n<table class="facts">{table}</table>'
    return _section("summary", "Summary", "", body)


def _html_top_signals(data: ReportData, cfg: Config) -> str:
    flagged = flagged_signals(data)
    k, unit = cfg.signals.min_customers, _unit(cfg)
    if not flagged:
        msg = ("no data: the signals table is empty for this run" if data.signals.empty
               else "No weak, strong, latent or fading signals in this run.")
        return _section("top-signals", "Top signals", "", _nodata(msg))
    axis = period_axis(data)
    n_top = cfg.report.top_signals
    rows = []
    for i, r in enumerate(flagged[:n_top], 1):
        tid = int(r["topic_id"])
        spark = svg_sparkline(period_series(data, tid, axis), suppressed=period_suppressed(data, tid, axis),
                              title=f"documents per {unit}: {_text(r.get('label'))}")
        alerts = _text(r.get("keyword_alerts"))
        alerts_html = f'<div class="meta">growing keywords: {_esc(alerts)}</div>' if alerts else ""
        rows.append(
            f'<tr class="signal" data-topic="{tid}"><td class="n rank">{i}</td><td>{_badge(r.get("signal_class"))} '
            f'<span class="label">{_esc(r.get("label"))}</span> <span class="muted">topic {tid}</span>'
            f'<div class="expl">{_esc(r.get("explanation"))}</div>{alerts_html}</td>'
            + _cell(r, "docs", _count, k) + _cell(r, "customers", _count, k, count=True)
            + _cell(r, "growth", lambda v: _growth(v, unit), k) + _cell(r, "net_sentiment", _points, k)
            + f'<td class="spark-cell">{spark}</td></tr>')
    head = ("<tr><th class=\"n\">#</th><th>Signal</th><th class=\"n\">Docs</th><th class=\"n\">Customers</th>"
            f"<th class=\"n\">Growth</th><th class=\"n\">Net sentiment</th><th>Docs per {unit}</th></tr>")
    body = f'<table class="signals">{head}{"".join(rows)}</table>'
    rest = flagged[n_top:]
    if rest:
        items = "".join(f"<li>{_badge(r.get('signal_class'))} {_esc(r.get('label'))} <span class=\"muted\">("
                        + (f"&lt;{k} customers" if _true(r.get("suppressed")) else f"{_count(r.get('docs'))} docs")
                        + ")</span></li>" for r in rest)
        body += f'<p class="muted">Also flagged ({len(rest)}):</p><ul class="also">{items}</ul>'
    lead = (f"Topics flagged by the class rules, highest priority first. Docs, customers and net sentiment are for "
            f"the last {cfg.signals.window} {unit}s; growth is per {unit} against the topic's own past. "
            "Net sentiment = % positive − % negative.")
    return _section("top-signals", "Top signals", lead, body)


THEMES_LEAD = ("Related topics taken together: a subject spread over several small topics (billing: fees, refunds, "
               "double charges …) shows its whole size here. Themes are classed by the same rules as topics; a "
               "weak or strong topic inside a steady theme is named in its list and still flagged above.")


def _html_themes(data: ReportData, cfg: Config) -> str:
    rows = theme_rows(data)
    if not rows:
        msg = ("no data: the theme table is empty for this run" if data.theme_signals.empty
               else "No theme groups two or more topics in this run.")
        return _section("themes", "Themes", "", _nodata(msg))
    k, unit = cfg.signals.min_customers, _unit(cfg)
    body = "".join(
        f'<tr class="theme" data-theme="{int(r["theme_id"])}"><td>{_badge(r.get("signal_class"))} '
        f'<span class="label">{_esc(r.get("label"))}</span> <span class="muted">theme {int(r["theme_id"])} · '
        f'{len(r["members"])} topics</span>'
        f'<div class="meta">{_esc(_member_text(r["members"], k))}</div>'
        f'<div class="expl">{_esc(r.get("explanation"))}</div></td>'
        + _cell(r, "docs", _count, k) + _cell(r, "customers", _count, k, count=True)
        + _cell(r, "growth", lambda v: _growth(v, unit), k) + _cell(r, "net_sentiment", _points, k) + "</tr>"
        for r in rows)
    head = ("<tr><th>Theme and its topics</th><th class=\"n\">Docs</th><th class=\"n\">Customers</th>"
            "<th class=\"n\">Growth</th><th class=\"n\">Net sentiment</th></tr>")
    return _section("themes", "Themes", THEMES_LEAD, f'<table class="signals">{head}{body}</table>')


def _html_trends(data: ReportData, cfg: Config) -> str:
    axis, top = period_axis(data), top_topics(data, cfg)
    unit = _unit(cfg)
    if not axis or not top:
        return _section("trends", "Trends", "", _nodata("no data: no per-period figures for this run"))
    series = [(_text(r.get("label")), SERIES_COLORS[i % len(SERIES_COLORS)],
               period_series(data, int(r["topic_id"]), axis)) for i, r in enumerate(top)]
    labels = [_period_label(d, cfg) for d in axis]
    hl = max(0, len(axis) - cfg.signals.window)
    chart = svg_line_chart(series, labels, highlight_from=hl, title=f"documents per {unit}, top topics")
    legend = "".join(f'<span><i class="swatch" style="background:{c}"></i>{_esc(name)}</span>' for name, c, _ in series)
    lead = (f"Documents per {unit} for the {len(top)} topics of this report; the shaded area is the recent window. "
            "Gaps are suppressed periods (too few customers).")
    return _section("trends", "Trends", lead, f'<div class="legend">{legend}</div>{chart or _nodata("no data")}')


def _arrow(delta, higher_is_better: bool = True) -> str:
    v = _float(delta)
    if v is None or abs(v) < 0.5:
        return ""
    good = (v > 0) == higher_is_better
    return f' <span class="{"good" if good else "bad"}">{"▲" if v > 0 else "▼"}</span>'


def _html_feelings(data: ReportData, cfg: Config) -> str:
    top, k = top_topics(data, cfg), cfg.signals.min_customers
    if not top:
        return _section("feelings", "How customers feel", "", _nodata("no data: the signals table is empty"))
    rows = []
    for r in top:
        sup = _true(r.get("suppressed"))
        mix = svg_stacked_bar(_json_dict(r.get("emotion_mix"))) if not sup else '<span class="sup">—</span>'
        change = ("—" if sup else _esc(_points(r.get("sentiment_change"))) + _arrow(r.get("sentiment_change")))
        rated = _float(r.get("rated_docs")) or 0
        impact = (f"{_float(r.get('rating_impact')):+.2f}".replace("-", "−")
                  if rated > 0 and _float(r.get("rating_impact")) is not None and not sup else "–")
        rows.append(f"<tr><td>{_badge(r.get('signal_class'))} {_esc(r.get('label'))}</td>"
                    + _cell(r, "net_sentiment", _points, k) + f'<td class="n">{change}</td><td>{mix}</td>'
                    + "".join(_cell(r, col, _pct, k) for col, _ in FEELING_CUES)
                    + f'<td class="n" title="rated documents: {rated:.0f}">{impact}</td></tr>')
    head = ("<tr><th>Topic</th><th class=\"n\">Net sentiment</th><th class=\"n\">Change</th><th>Emotion mix</th>"
            + "".join(f'<th class="n">{_esc(lab)}</th>' for _, lab in FEELING_CUES)
            + "<th class=\"n\">Rating impact</th></tr>")
    legend = "".join(f'<span><i class="swatch" style="background:{c}"></i>{_esc(e)}</span>'
                     for e, c in EMOTION_COLORS.items())
    lead = ("Net sentiment (% positive − % negative) in the recent window and its change against the topic's own "
            "past; share of documents with each emotion and cue (effort = mentions of repeat contacts); "
            "feeling (vs fact) = on average, the share of a message's sentences that carry an emotion. "
            "Rating impact: the average rating of all rated documents minus the average without this topic's "
            "(negative = the topic pulls ratings down).")
    return _section("feelings", "How customers feel", lead,
                    f'<table class="feelings">{head}{"".join(rows)}</table><div class="legend">{legend}</div>')


SEGMENT_DIMENSIONS = (("lang", "Language (Finnish vs English)"), ("channel", "Channel"),
                      ("segment", "Customer segment"))
DIMENSION_NAMES = {"lang": "language", "channel": "channel", "segment": "customer segment"}
GAP_NOTABLE = 15.0  # points of net sentiment; smaller gaps are within normal week-to-week noise


def _segment_matrix(part: pd.DataFrame, dim: str, top: list[dict], k: int) -> str:
    recs = _records(part)
    totals: dict[str, float] = {}
    for r in recs:
        totals[_text(r["value"])] = totals.get(_text(r["value"]), 0.0) + (_float(r.get("docs")) or 0.0)
    order = {"fi": 0, "en": 1, "other": 2}
    values = sorted(totals, key=lambda v: (order.get(v, 9), -totals[v], v) if dim == "lang" else (-totals[v], v))[:10]
    cells = {(int(r["topic_id"]), _text(r["value"])): r for r in recs}
    visible = [abs(_float(r.get("gap"))) for r in recs
               if not _true(r.get("suppressed")) and _float(r.get("gap")) is not None]
    max_gap = max(visible) if visible else None
    head = "<tr><th>Topic</th>" + "".join(f'<th class="n">{_esc(v)}</th>' for v in values) + "</tr>"
    rows = []
    for t in top:
        tds = []
        for v in values:
            r = cells.get((int(t["topic_id"]), v))
            if r is None or (not _true(r.get("suppressed")) and (_float(r.get("docs")) or 0) == 0):
                tds.append('<td class="n muted" title="no documents">·</td>')
            elif _true(r.get("suppressed")):
                tds.append(f'<td class="n sup" title="{_suppressed_note(k)}">&lt;{k}</td>')
            else:
                gap = _float(r.get("gap"))
                cls = "" if gap is None else "neg" if gap <= -GAP_NOTABLE else "pos" if gap >= GAP_NOTABLE else ""
                if gap is not None and max_gap and abs(gap) == max_gap and abs(gap) >= GAP_NOTABLE:
                    cls += " gapmax"
                tip = (f"{_count(r.get('docs'))} docs, {_count(r.get('customers'))} customers; "
                       f"{_pct(r.get('share_of_topic'))} of the topic, {_pct(r.get('share_of_segment'), 1)} of all "
                       f"{_text(v)} documents; {_pct(r.get('negative_share'))} negative; gap {_points(gap)} points")
                tds.append(f'<td class="n seg {cls}" title="{_esc(tip)}">{_esc(_points(r.get("net_sentiment")))}'
                           f'<div class="meta">{_count(r.get("docs"))} docs</div></td>')
        rows.append(f"<tr><td>{_esc(t.get('label'))}</td>{''.join(tds)}</tr>")
    return f'<table class="segments" data-dimension="{_esc(dim)}">{head}{"".join(rows)}</table>'


def _html_segments(data: ReportData, cfg: Config) -> str:
    seg, top, k = data.signal_segments, top_topics(data, cfg), cfg.signals.min_customers
    title = "Where it hurts most: segment gaps"
    if seg.empty or not top:
        return _section("segments", title, "", _nodata("no data: no segment figures for this run"))
    gaps = segment_gaps(data)
    items = []
    for g in gaps:
        ns, gap = _float(g.get("net_sentiment")), _float(g.get("gap"))
        overall = ns - gap if ns is not None and gap is not None else None
        dim = DIMENSION_NAMES.get(_text(g.get("dimension")), _text(g.get("dimension")))
        items.append(f"<li><b>{_esc(g['topic_label'])}</b>: {_esc(dim)} <b>{_esc(g.get('value'))}</b> "
                     f"net sentiment {_esc(_points(ns))} vs {_esc(_points(overall))} for the topic overall "
                     f"(gap {_esc(_points(gap))} points, {_count(g.get('docs'))} docs)</li>")
    body = f'<p><b>Largest gaps</b></p><ul class="gaps">{"".join(items)}</ul>' if items else ""
    top_ids = {int(t["topic_id"]) for t in top}
    tid = pd.to_numeric(seg["topic_id"], errors="coerce")
    for dim, caption in SEGMENT_DIMENSIONS:
        part = seg[(seg["dimension"].astype("object") == dim) & tid.isin(top_ids)]
        if not part.empty:
            body += f"<h3>{_esc(caption)}</h3>" + _segment_matrix(part, dim, top, k)
    lead = (f"Net sentiment of each topic within each segment (recent window). Red: at least {GAP_NOTABLE:.0f} points "
            f"worse than the topic overall; green: that much better; outlined: the largest gap. "
            f"&lt;{k}: {_esc(_suppressed_note(k))}.")
    return _section("segments", title, "", f'<p class="lead">{lead}</p>{body}')


def _html_keywords(data: ReportData, cfg: Config) -> str:
    alerts, k, unit = keyword_alerts(data), cfg.signals.min_customers, _unit(cfg)
    title = "New complaints inside old topics"
    lead = ("Keywords that are new, or grow at least 10 points per " + unit + " faster than their topic, inside "
            "topics that are themselves steady (well known or latent): a new problem that the topic list alone "
            "would hide. Growth compares the level per " + unit + " in the recent window with that of all earlier "
            + unit + "s.")
    if not alerts:
        msg = ("no data: no keyword figures for this run" if data.keyword_signals.empty
               else "No growing keyword inside a steady topic in this run.")
        return _section("keywords", title, lead, _nodata(msg))
    rows = []
    for r in alerts:
        new = ' <span class="tag">new</span>' if _true(r.get("is_new")) else ""
        rows.append(f"<tr><td>{_badge(r['topic_class'])} {_esc(r['topic_label'])}</td>"
                    f"<td><b>{_esc(r.get('keyword'))}</b>{new}</td><td>{_esc(r.get('lang'))}</td>"
                    f"<td>{_badge(r.get('signal_class'))}</td>"
                    + _cell(r, "docs", _count, k, count=True) + _cell(r, "docs_past", _count, k)
                    + _cell(r, "growth", lambda v: _growth(v, unit), k) + _cell(r, "share_in_topic", _pct, k)
                    + _cell(r, "net_sentiment", _points, k) + "</tr>")
    w = cfg.signals.window
    head = ("<tr><th>Topic</th><th>Keyword</th><th>Lang</th><th>Keyword class</th>"
            f"<th class=\"n\">Docs, last {w} {unit}s</th><th class=\"n\">Docs, all earlier {unit}s</th>"
            "<th class=\"n\">Growth</th><th class=\"n\">Share of topic</th>"
            "<th class=\"n\">Net sentiment</th></tr>")
    return _section("keywords", title, lead, f'<table class="keywords">{head}{"".join(rows)}</table>')


def _html_outliers(data: ReportData, cfg: Config, facts: dict) -> str:
    title, unit = "Needs that fit no known process", _unit(cfg)
    tr = outlier_trend(data, cfg)
    share = facts["outlier_share"]
    text = (f"Documents from fewer than {cfg.signals.min_customers} customers in the last {cfg.signals.window} "
            f"{unit}s fit none of the known topics (the outlier pool). " if facts["outlier_suppressed"] else
            f"{_pct(share, 1)} of the documents of the last {cfg.signals.window} {unit}s "
            f"({_count(facts['outlier_docs'])}) fit none of the known topics (the outlier pool). "
            if share is not None else "No documents in the recent window. ")
    if tr["recent"] is not None and tr["past"] is not None:
        direction = ("rising" if tr["recent"] > tr["past"] * 1.2 else
                     "falling" if tr["recent"] < tr["past"] / 1.2 else "stable")
        text += (f"The pool's share is {direction}: {_pct(tr['recent'], 1)} per {unit} recently vs "
                 f"{_pct(tr['past'], 1)} before. ")
    text += "A growing pool means customers bring needs that no known process or topic covers yet."
    labels = [_period_label(d, cfg) for d in tr["axis"]]
    if any(tr["suppressed"]):
        text += (f" Grey stubs mark {unit}s with fewer than {cfg.signals.min_customers} customers in the pool "
                 "(suppressed).")
    text += " " + topic_map_changes(data)
    chart = svg_bar_chart(tr["shares"], labels, suppressed=tr["suppressed"],
                          highlight_from=max(0, len(labels) - cfg.signals.window),
                          title=f"outlier pool share of documents per {unit}")
    return _section("outliers", title, "", f"<p>{_esc(text)}</p>"
                    + (chart or _nodata("no data: no per-period figures for the outlier pool")))


def _html_quotes(data: ReportData, cfg: Config) -> str:
    q, top = data.signal_quotes, top_topics(data, cfg)
    title = "In customers' words"
    lead = (f"Redacted examples, shown only for topics with at least {cfg.signals.quote_min_customers} distinct "
            "customers in the recent window.")
    if q.empty or not top:
        return _section("quotes", title, lead, _nodata("no data: no quotes for this run"))
    tid = pd.to_numeric(q["topic_id"], errors="coerce")
    blocks = []
    for t in top:
        part = q[tid == int(t["topic_id"])].assign(_rank=lambda d: pd.to_numeric(d["rank"], errors="coerce"))
        if part.empty:
            continue
        quotes = []
        for r in _records(part.sort_values("_rank", kind="stable")):
            when = r.get("created_at")
            meta = " · ".join(x for x in (_text(_as_date(when)) if not _missing(when) else "", _text(r.get("channel")),
                                          _text(r.get("lang")), _text(r.get("sentiment_label")),
                                          _text(r.get("dominant_emotion"))) if x)
            quotes.append(f'<blockquote>{_esc(r.get("text"))}<div class="meta">{_esc(meta)}</div></blockquote>')
        blocks.append(f'<div class="quotes" data-topic="{int(t["topic_id"])}"><h3>{_badge(t.get("signal_class"))} '
                      f'{_esc(t.get("label"))}</h3>{"".join(quotes)}</div>')
    return _section("quotes", title, lead, "".join(blocks) or _nodata("No quotes for the topics of this report."))


VERDICT_MARK = {1: " ✓", -1: " ✗", 0: ""}  # not only colour: readable in print and for colour-blind readers


def _change(r: dict, stem: str, fmt, higher_is_better: bool) -> tuple[str, int]:
    """("before → after ▲ ✓", verdict) for one metric of an action_followup row."""
    b, a = r.get(f"{stem}_before"), r.get(f"{stem}_after")
    fb, fa = _float(b), _float(a)
    arrow = "" if fa is None or fb is None or fa == fb else (" ▲" if fa > fb else " ▼")
    verdict = _better(b, a, higher_is_better)
    # Distinct customers are counted over each whole span: spans of different length are not comparable.
    if stem == "customers" and _float(r.get("periods_before")) != _float(r.get("periods_after")):
        verdict = 0
    return f"{fmt(b)} → {fmt(a)}{arrow}{VERDICT_MARK[verdict]}", verdict


def _change_cell(r: dict, stem: str, fmt, higher_is_better: bool, k: int) -> str:
    if _true(r.get("suppressed")):
        return f'<td class="n sup" title="{_suppressed_note(k)}">&lt;{k}</td>'
    text, verdict = _change(r, stem, fmt, higher_is_better)
    cls = {1: "good", -1: "bad", 0: ""}[verdict]
    return f'<td class="n {cls}">{_esc(text)}</td>'


def _html_actions(data: ReportData, cfg: Config) -> str:
    af, k, unit = data.action_followup, cfg.signals.min_customers, _unit(cfg)
    title = "Did our actions help?"
    lead = (f"Each recorded action's topic before vs after the action date: documents per {unit}, distinct "
            "customers over each span, and the shares. Green ✓: better, red ✗: worse.")
    if af.empty:
        return _section("actions", title, lead, _nodata("no data: no actions recorded (configs/actions.yaml)"))
    rows = []
    for r in sorted(_records(af), key=lambda r: (_as_date(r.get("action_date")) or date.min), reverse=True):
        after = int(_float(r.get("periods_after")) or 0)
        before = int(_float(r.get("periods_before")) or 0)
        who = f' <span class="muted">({_esc(r.get("owner"))})</span>' if _text(r.get("owner")) else ""
        row = (f'<tr><td class="date">{_esc(_text(_as_date(r.get("action_date"))))}</td>'
               f"<td>{_esc(r.get('label'))}</td><td>{_esc(r.get('action'))}{who}</td>"
               f'<td class="n">{before} / {after}</td>')
        if after == 0:
            row += (f'<td colspan="{len(ACTION_METRICS)}" class="muted">too early to judge: no full {unit} '
                    "since the action yet</td>")
        else:
            row += "".join(_change_cell(r, stem, fmt, hib, k) for stem, _, fmt, hib in ACTION_METRICS)
        rows.append(row + "</tr>")
    head = (f"<tr><th>Date</th><th>Topic</th><th>Action</th><th class=\"n\">{unit}s before / after</th>"
            + "".join(f'<th class="n">{_esc(lab)}</th>' for _, lab, _, _ in ACTION_METRICS) + "</tr>")
    return _section("actions", title, lead, f'<table class="actions">{head}{"".join(rows)}</table>')


def _html_method(data: ReportData, cfg: Config) -> str:
    sc, unit = cfg.signals, _unit(cfg)
    classes = "".join(f"<li>{_badge(c)} {_esc(CLASS_INFO[c][1])}</li>" for c in CLASSES)
    body = f"""<p>Each topic's recent window (last {sc.window} {unit}s) is compared with its own past. Classes, first
matching rule wins: the outlier pool and topics with very few documents are <i>noise</i>; topics whose level fell
clearly are <i>fading</i>; otherwise a topic is <i>growing</i> (about +10 % per {unit} or more and not falling, or
new) or flat, and <i>small</i> (under 5 % of recent documents) or large:</p>
<ul class="classes">{classes}</ul>
<p><b>Priority</b>: weak and strong signals first, then latent and fading; within a tier, faster growth, more
negative feedback, more problem cues (repeat contacts, broken promises, escalations, churn threats) and more
documents rank higher. Well-known topics and noise are not flagged.</p>
<p><b>Privacy</b>: every figure built from fewer than {sc.min_customers} distinct customers is suppressed
(shown as &lt;{sc.min_customers} or —), and so is the next-smallest figure where a total would give it away.
Texts are redacted before storage; quotes come only from topics with at least {sc.quote_min_customers} customers.</p>
<p><b>Analysts</b>: the <a href="explorer.html">topic explorer</a> (explorer.html, next to this file) lists the
redacted documents behind every count, with filters by topic, language, channel and {unit}.</p>"""
    return _section("method", "Method", "", body)


CSS = """
:root{--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--soft:#f8fafc;--accent:#1d4ed8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  color:var(--ink);background:#fff}
header{background:#0f172a;color:#f8fafc;padding:22px 32px}
header h1{margin:0;font-size:22px;font-weight:650;letter-spacing:-.01em}
header p{margin:4px 0 0;color:#cbd5e1}
nav{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line);padding:8px 32px}
nav a{color:var(--accent);text-decoration:none;margin-right:16px;font-size:13px;white-space:nowrap}
main{max-width:1180px;margin:0 auto;padding:4px 32px 32px}
section{padding:20px 0 18px;border-bottom:1px solid var(--line)}
h2{font-size:18px;margin:0 0 4px}
h3{font-size:14px;margin:16px 0 4px}
.lead{color:var(--muted);margin:0 0 10px;max-width:900px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin:8px 0 14px}
.kpi{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--soft)}
.kpi .v{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.headline{font-size:15px;font-weight:600;margin:6px 0 10px}
table{border-collapse:collapse;width:100%;margin:6px 0 10px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:11px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.03em}
table.facts th{width:190px;text-transform:none;font-size:13px;letter-spacing:0}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.n{white-space:nowrap}
td.date{white-space:nowrap}
table.feelings td:first-child{min-width:220px}
table.actions td:nth-child(2),table.actions td:nth-child(3){min-width:180px}
td.rank{color:var(--muted)}
.label{font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:11px;font-weight:600;
  white-space:nowrap;vertical-align:1px}
.tag{display:inline-block;padding:0 6px;border-radius:8px;background:#fef3c7;color:#92400e;font-size:11px}
.expl{color:#374151;font-size:13px;margin-top:3px;max-width:640px}
.meta{color:var(--muted);font-size:11px}
.muted{color:var(--muted)}
.nodata{color:var(--muted);font-style:italic;margin:6px 0}
.sup{color:var(--muted)}
.good{color:#15803d}.bad{color:#b91c1c}
td.seg.neg{background:#fee2e2}td.seg.pos{background:#dcfce7}td.seg.gapmax{outline:2px solid #111827;outline-offset:-2px}
.legend{margin:6px 0}.legend span{margin-right:14px;font-size:12px;white-space:nowrap;display:inline-block}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
svg.chart{display:block;max-width:100%;height:auto}
blockquote{margin:8px 0;padding:8px 12px;border-left:3px solid #cbd5e1;background:var(--soft);max-width:900px}
ul.also,ul.gaps,ul.classes{margin:4px 0 8px;padding-left:20px}
ul.classes{list-style:none;padding-left:0}ul.classes li{margin:3px 0}
footer{max-width:1180px;margin:0 auto;padding:12px 32px 28px;color:var(--muted);font-size:12px}
@media print{
  nav{display:none}
  header{background:none;color:#000;padding:0 0 8px;border-bottom:2px solid #000}
  header p{color:#333}
  main,footer{padding:0;max-width:none}
  section{break-inside:avoid-page}
  table,svg,blockquote{break-inside:avoid}
  .kpi,blockquote{background:none}
  a{color:#000}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

NAV = (("summary", "Summary"), ("top-signals", "Top signals"), ("themes", "Themes"), ("trends", "Trends"),
       ("feelings", "Feelings"), ("segments", "Segments"), ("keywords", "Keywords"), ("outliers", "Outliers"),
       ("quotes", "Quotes"), ("actions", "Actions"), ("method", "Method"))


def render_html(data: ReportData, cfg: Config) -> str:
    """The leadership report as one self-contained HTML page (no external resources)."""
    facts = summary_facts(data, cfg)
    unit = facts["unit"]
    latest = facts["latest_period"]
    sub = f"Run {data.run_date.isoformat()}"
    if latest:
        sub += f" · latest {unit}: {_period_label(latest, cfg)} (from {latest.isoformat()})"
    sub += f" · last {cfg.signals.window} {unit}s compared with each topic's own past"
    sections = [
        _html_summary(data, cfg, facts), _html_top_signals(data, cfg), _html_themes(data, cfg),
        _html_trends(data, cfg),
        _html_feelings(data, cfg), _html_segments(data, cfg), _html_keywords(data, cfg),
        _html_outliers(data, cfg, facts), _html_quotes(data, cfg), _html_actions(data, cfg),
        _html_method(data, cfg),
    ]
    nav = "".join(f'<a href="#{sid}">{_esc(name)}</a>' for sid, name in NAV)
    # The file name only: a report travels by e-mail, server paths should not.
    source = Path(data.source).name if data.source else "the warehouse"
    footer = (f"Silent Signals · generated from {_esc(source)} for run "
              f"{data.run_date.isoformat()} · figures from fewer than {cfg.signals.min_customers} customers are "
              "suppressed · texts are redacted")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Silent Signals report {data.run_date.isoformat()}</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>Customer feedback: silent signals</h1><p>{_esc(sub)}</p></header>
<nav>{nav}</nav>
<main>
{"".join(sections)}
</main>
<footer>{footer}</footer>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------- Markdown

def _md(x) -> str:
    """Text from the data inside a Markdown table cell: no table breaks, no raw HTML."""
    return (_text(x).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", " ").replace("\n", " "))


def _md_val(row: dict, col: str, fmt, k: int, *, count: bool = False) -> str:
    if _true(row.get("suppressed")):
        return f"<{k}" if count else "—"
    return fmt(row.get(col))


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(data: ReportData, cfg: Config) -> str:
    """The report as Markdown: the same sections as the HTML page, tables instead of charts."""
    facts = summary_facts(data, cfg)
    k, unit, w = cfg.signals.min_customers, _unit(cfg), cfg.signals.window
    growth = lambda v: _growth(v, unit)  # noqa: E731
    out = [f"# Customer feedback: silent signals — run {data.run_date.isoformat()}", ""]

    def mix(items) -> str:
        return ", ".join(f"{_md(v)} {_pct(s)} ({_count(d)})" if d is not None else f"{_md(v)} <{k} customers"
                         for v, d, s in items) or "–"
    n = facts["n_classes"]
    out += ["## Summary", "",
            f"- Latest {unit}: {facts['latest_period'].isoformat() if facts['latest_period'] else '–'}; recent "
            f"window: last {w} {unit}s",
            f"- Documents in the window: {_count(facts['docs_window'])} from {_count(facts['customers_window'])} "
            "distinct customers" + _unfinished_note(facts),
            f"- Languages: {mix(facts['languages'])}", f"- Channels: {mix(facts['channels'])}",
            f"- Outlier pool (needs that fit no known process): {_outlier_docs(facts)}",
            f"- Signals: {n['strong']} strong, {n['weak']} weak, " + ", ".join(
                f"{n[c]} {c.replace('_', ' ')}" for c in CLASSES if c not in ("weak", "strong")), ""]

    out += ["## Top signals", ""]
    flagged = flagged_signals(data)
    if flagged:
        rows = [[str(i), r.get("signal_class", "").replace("_", " "), f"{_md(r.get('label'))} (topic {int(r['topic_id'])})",
                 _md_val(r, "docs", _count, k), _md_val(r, "customers", _count, k, count=True),
                 _md_val(r, "growth", growth, k), _md_val(r, "net_sentiment", _points, k), _md(r.get("explanation"))]
                for i, r in enumerate(flagged, 1)]
        out += [_md_table(["#", "class", "topic", "docs", "customers", "growth", "net sentiment", "why"], rows), ""]
    else:
        out += ["_No data: the signals table is empty for this run._" if data.signals.empty
                else "_No weak, strong, latent or fading signals in this run._", ""]

    out += ["## Themes", ""]
    themes = theme_rows(data)
    if themes:
        rows = [[_text(r.get("signal_class")).replace("_", " "), f"{_md(r.get('label'))} (theme {int(r['theme_id'])})",
                 _md(_member_text(r["members"], k)), _md_val(r, "docs", _count, k),
                 _md_val(r, "customers", _count, k, count=True), _md_val(r, "growth", growth, k),
                 _md_val(r, "net_sentiment", _points, k), _md(r.get("explanation"))] for r in themes]
        out += [THEMES_LEAD, "", _md_table(["class", "theme", "topics", "docs", "customers", "growth", "net sentiment",
                                            "why"], rows), ""]
    else:
        out += ["_No data: the theme table is empty for this run._" if data.theme_signals.empty
                else "_No theme groups two or more topics in this run._", ""]

    axis, top = period_axis(data), top_topics(data, cfg)
    out += ["## Trends", ""]
    if axis and top:
        recent = axis[-w:]
        weekly = [(t, period_series(data, int(t["topic_id"]), axis)[-w:]) for t in top]
        # A row of dashes says nothing; such a topic's total for the window is shown (it has k customers).
        hidden = [t for t, values in weekly if all(v is None for v in values)]
        rows = [[_md(t.get("label"))] + [_count(v) for v in values] for t, values in weekly if t not in hidden]
        out += [f"Documents per {unit}, recent window (– = suppressed):", ""]
        if rows:
            out += [_md_table(["topic"] + [_period_label(d, cfg) for d in recent], rows), ""]
        if hidden:
            many = len(hidden) > 1
            out += [f"Not shown: {len(hidden)} topic{'s' if many else ''} with fewer than {k} customers in every {unit} "
                    f"of the window ({', '.join(_md(t.get('label')) for t in hidden)}); "
                    f"{'their totals' if many else 'its total'} for the window {'are' if many else 'is'} in "
                    "`signals.csv`.", ""]
    else:
        out += ["_No data: no per-period figures for this run._", ""]

    out += ["## How customers feel", ""]
    if top:
        rows = [[_md(t.get("label")), _md_val(t, "net_sentiment", _points, k),
                 _md_val(t, "sentiment_change", _points, k),
                 "—" if _true(t.get("suppressed")) else ", ".join(
                     f"{e} {100 * v:.0f} %" for e, v in sorted(_json_dict(t.get("emotion_mix")).items(),
                                                               key=lambda x: -x[1])[:3]) or "–"]
                + [_md_val(t, c, _pct, k) for c, _ in FEELING_CUES] for t in top]
        out += [_md_table(["topic", "net sentiment", "change", "top emotions"] + [lab for _, lab in FEELING_CUES],
                          rows), ""]
    else:
        out += ["_No data: the signals table is empty._", ""]

    out += ["## Segment gaps", ""]
    gaps = segment_gaps(data)
    if gaps:
        for g in gaps:
            out.append(f"- {_md(g['topic_label'])}: {_md(g.get('dimension'))} {_md(g.get('value'))} net sentiment "
                       f"{_points(g.get('net_sentiment'))} (gap {_points(g.get('gap'))} points vs the topic overall)")
        out.append("")
    else:
        out += ["_No data: no segment figures for this run._" if data.signal_segments.empty
                else "_No segment gap to report._", ""]

    out += ["## New complaints inside old topics", ""]
    alerts = keyword_alerts(data)
    if alerts:
        rows = [[_md(r["topic_label"]), r["topic_class"].replace("_", " "), _md(r.get("keyword")),
                 _md(r.get("signal_class")), _md_val(r, "docs", _count, k, count=True),
                 _md_val(r, "docs_past", _count, k), _md_val(r, "growth", growth, k)] for r in alerts]
        out += [_md_table(["topic", "topic class", "keyword", "keyword class", f"docs, last {cfg.signals.window} {unit}s",
                           f"docs, all earlier {unit}s", "growth"], rows), ""]
    else:
        out += ["_No growing keyword inside a steady topic._", ""]

    tr = outlier_trend(data, cfg)
    out += ["## Needs that fit no known process", "",
            f"{_outlier_docs(facts).capitalize()} fit no known topic (outlier pool)"
            + (f"; {_pct(tr['recent'], 1)} per {unit} recently vs {_pct(tr['past'], 1)} before."
               if tr["recent"] is not None and tr["past"] is not None else "."), "", _md(topic_map_changes(data)), ""]

    out += ["## In customers' words", ""]
    q = data.signal_quotes
    shown = False
    for t in top:
        part = q[pd.to_numeric(q["topic_id"], errors="coerce") == int(t["topic_id"])] if not q.empty else q
        if part.empty:
            continue
        shown = True
        out += [f"**{_md(t.get('label'))}**", ""]
        part = part.assign(_rank=pd.to_numeric(part["rank"], errors="coerce")).sort_values("_rank", kind="stable")
        out += [f"> {_md(r.get('text'))} — _{_md(r.get('channel'))}, {_md(r.get('lang'))}_" for r in _records(part)]
        out.append("")
    if not shown:
        out += ["_No quotes for this run._", ""]

    out += ["## Did our actions help?", ""]
    if not data.action_followup.empty:
        rows = []
        # Newest first and with the number of periods on each side, as in the HTML report.
        for r in sorted(_records(data.action_followup), key=lambda r: (_as_date(r.get("action_date")) or date.min),
                        reverse=True):
            spans = f"{int(_float(r.get('periods_before')) or 0)} / {int(_float(r.get('periods_after')) or 0)}"
            base = [_md(_text(_as_date(r.get("action_date")))), _md(r.get("label")), _md(r.get("action")), spans]
            if int(_float(r.get("periods_after")) or 0) == 0:
                rows.append(base + [f"too early: no full {unit} since the action"] + [""] * (len(ACTION_METRICS) - 1))
            elif _true(r.get("suppressed")):
                rows.append(base + [f"<{k}"] * len(ACTION_METRICS))
            else:
                rows.append(base + [_change(r, stem, fmt, hib)[0] for stem, _, fmt, hib in ACTION_METRICS])
        out += [_md_table(["date", "topic", "action", f"{unit}s before / after"]
                          + [lab for _, lab, _, _ in ACTION_METRICS], rows), ""]
    else:
        out += ["_No actions recorded._", ""]

    out += ["## Method", "",
            *(f"- **{c.replace('_', ' ')}**: {CLASS_INFO[c][1]}" for c in CLASSES), "",
            f"Figures from fewer than {k} distinct customers are suppressed (<{k} or —), and so is the next-smallest "
            "figure where a total would give one away. "
            "Analysts: see explorer.html next to this file.", ""]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ output

def write_report(data: ReportData, out_dir: Path, cfg: Config) -> dict[str, Path]:
    """Write report.html, report.md, signals.csv and explorer.html into `out_dir`.

    Everything is rendered first, then each file goes to a temporary name and is renamed into
    place, so a reader never sees a half-written file and a rendering error leaves the old
    report untouched. Returns {"html", "markdown", "csv", "explorer"} → path."""
    from signals.explorer import render_explorer

    contents = {
        "html": ("report.html", render_html(data, cfg)),
        "markdown": ("report.md", render_markdown(data, cfg)),
        "csv": ("signals.csv", data.signals.to_csv(index=False)),
        "explorer": ("explorer.html", render_explorer(data, cfg)),
    }
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    temps = {}
    try:
        for key, (name, text) in contents.items():
            tmp = out_dir / f".{name}.{tag}.tmp"
            tmp.write_text(text, encoding="utf-8", newline="\n" if key != "csv" else "")
            temps[key] = tmp
        paths = {}
        for key, (name, _) in contents.items():
            paths[key] = out_dir / name
            os.replace(temps[key], paths[key])
        return paths
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def build_report(cfg: Config, run_date: date, *, warehouse_dir: Path | None = None,
                 out_dir: Path | None = None) -> dict[str, Path]:
    """Load the run from the warehouse and write its report (the nightly run and `signals report`)."""
    wh = Warehouse(warehouse_dir or resolve(cfg.warehouse.dir), cfg.warehouse.duckdb_file)
    data = load_report_data(wh, run_date)
    return write_report(data, out_dir or report_dir(cfg, run_date), cfg)
