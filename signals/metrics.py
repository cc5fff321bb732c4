"""Silent-signal metrics: how each topic moves over time, what kind of signal it is, how urgent it is.

Pure functions over the ``documents`` table (see ``signals/schemas.py``); no I/O.

Pipeline of functions
---------------------
1. ``topic_periods(docs)``: per topic x period (ISO week starting Monday in local time, or calendar
   month) [x segment value] the documents, distinct customers, share of all documents of that period,
   net sentiment, mean sentiment, emotion mix, cue rates and repeat-contact rate. Every period between
   the first and the last period of the whole corpus is present for every topic (0 documents where
   the topic was silent), so growth is never computed over gaps.
2. ``add_period_metrics(periods)``: per topic x period Yoon's degree of visibility / diffusion
   (DoV, DoD), exponentially decayed popularity and Kleinberg burst state.
3. ``topic_metrics(periods)``: one row per topic: levels, growth, slope, DoV/DoD averages and rates,
   popularity, first burst.
4. ``classify_signals(metrics)``: signal class per topic with the rule that fired.
5. ``topic_profile(docs)`` + ``priority_score(classified, profile)`` + ``explain(row)``: ranking for
   leadership and one plain sentence per signal.
6. ``suppress(table)``: k-anonymity suppression (primary + secondary) before anything is published.

Definitions (README text)
-------------------------
*Window.* The last ``window`` periods (default 4 weeks) are "recent"; all earlier periods are the
topic's own "past". Levels are mean documents per period in each span.

*Growth* (``growth``, per period) compares the recent level with the topic's past level as a compound
rate: ``growth = ((mean_recent + 1) / (mean_past + 1)) ** (1 / gap) - 1`` where ``gap`` is the distance
in periods between the centres of the two spans (``(window + n_past) / 2``). The ``+ 1`` is add-one
(Laplace) smoothing: a topic that was absent (0 documents) has a finite, positive growth when it
appears, and a topic that disappears has a finite negative growth; for small counts the smoothing
pulls the rate towards 0, which is the conservative direction. When there is no past at all (corpus
shorter than the window + 1 periods) ``growth`` falls back to ``cagr``.
``cagr`` is the classic endpoint compound rate inside the window,
``((docs_last + 1) / (docs_first + 1)) ** (1 / (window - 1)) - 1``, kept for reference.
``slope_docs`` / ``slope_share`` are OLS slopes of documents / share (fraction) per period over the window.

*DoV / DoD* (Yoon 2012). For period index j = 1..n (n = number of periods),
``DoV_ij = (TF_ij / NN_j) * (1 - tw * (n - j))`` and ``DoD_ij = (DF_ij / NN_j) * (1 - tw * (n - j))``
with TF = documents of topic i in period j, DF = distinct customers, NN = all documents in period j
(0 when NN_j = 0). The time weight is made safe for long histories by using
``tw_eff = min(tw, 1 / n)``: every factor then lies in [1/n, 1], never negative or zero, so old periods
still count a little and rates stay finite (with the default tw = 0.05 this only changes anything for
more than 20 periods). ``dov_mean`` / ``dod_mean`` average the window; ``dov_rate`` / ``dod_rate`` are
the geometric-mean growth per period of DoV/DoD across the window,
``(X_last / X_first) ** (1 / (window - 1)) - 1``, computed with add-one smoothed TF/DF (so zeros are
safe). Note the time weight alone gives a flat topic a small positive rate (about tw per period): that
is Yoon's design (recent periods matter more), so compare rates between topics, not with 0.

*Popularity* (BERTrend-style): ``pop_t = pop_{t-1} * exp(-decay) + docs_t``, ``pop_0 = docs_0``,
decay 0.3 per period by default (half-life ~2.3 periods).

*Bursts* (Kleinberg 2002, batched two-state automaton): in each period the topic has r_t of the d_t
documents. State 0 emits with the topic's overall share p0 = sum r / sum d, state 1 with
p1 = min(s * p0, 0.9999) (s = 2); the cost of a period in a state is the binomial negative
log-likelihood, entering state 1 costs ``gamma * ln(n)`` (leaving is free); Viterbi finds the
cheapest state sequence starting in state 0. ``burst`` marks periods in state 1, ``first_burst`` the
first one.

*Signal classes* (``classify_signals``), first matching rule wins:

1. ``noise`` - the outlier pool (topic -1), or fewer than ``min_docs`` (10) documents in total.
2. ``fading`` - the topic had a past (mean_past > 0) and either its growth is at or below
   ``fading_threshold`` (-10 % per period) or its recent level fell to at most ``gone_ratio`` (25 %) of
   its past level ("went to ~0").
3. growing = ``growth >= growth_threshold`` (+10 % per period, i.e. about x1.8 over 6 periods) and the
   recent trend is not falling (``slope_docs >= 0``). A new topic (no documents before the window)
   that has at least ``min_new_docs`` (5) recent documents counts as growing.
   small = share of the window's documents ``< small_share`` (5 %).
   - ``weak``: small and growing;   ``strong``: large and growing;
   - ``latent``: small and not growing;    ``well_known``: large and not growing (either may be
     shrinking slowly, by less than the fading rule).

*Priority* (``priority_score``): weak and strong signals first (tier 2), then latent and fading
(tier 1), well-known and noise are not flagged (0). Inside a tier the intensity
``(1 + max(growth, 0)) * (0.5 + negative_share) * (1 + problem cue rate) * ln(1 + recent docs)``
orders the topics; the score is ``tier + intensity / (1 + intensity)``.

*Privacy* (``suppress``): a cell built from fewer than k (5) distinct customers (but more than 0) is
blanked (primary suppression). Then, in every line of the table along each of ``group_cols`` (the
cells that share all other group values, i.e. a row or column of a published total), if exactly one
cell is suppressed, the next-smallest unsuppressed cell of that line is suppressed too (secondary
suppression), repeated until no line has exactly one suppressed cell; so no blanked value can be
recovered by subtracting the visible cells from a total.
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

OUTLIER = -1
EMOTIONS = ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust", "neutral")
PROBLEM_CUES = ("cue_repeat_contact", "cue_broken_promise", "cue_escalation", "cue_churn_threat",
                "cue_unresolved", "cue_waiting_time", "cue_channel_switch")
CUE_NAMES = {
    "cue_repeat_contact": "mention repeat contacts", "cue_broken_promise": "mention a broken promise",
    "cue_escalation": "ask to escalate", "cue_churn_threat": "threaten to leave",
    "cue_unresolved": "say their problem is still open", "cue_waiting_time": "complain about waiting",
    "cue_channel_switch": "were bounced between channels", "cue_praise": "praise",
}
LANG_NAMES = {"fi": "Finnish", "en": "English", "other": "other languages"}
UNKNOWN = "(unknown)"
KEY_COLS = ("topic_id", "period_start", "window", "n_periods")
CLASSES = ("weak", "strong", "latent", "well_known", "fading", "noise")


# --------------------------------------------------------------------------------------------- periods

def period_start(created_at: pd.Series, *, period: str = "W", timezone: str = "Europe/Helsinki") -> pd.Series:
    """Start date (datetime.date) of the local-time period of each UTC timestamp.

    "W": ISO week (Monday) in local time, as ``topics.topic_trends``; "M": first day of the month.
    Computed on naive local dates so a DST change inside the week cannot shift the date.
    """
    local = pd.to_datetime(created_at, utc=True).dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()
    if period == "W":
        start = local - pd.to_timedelta(local.dt.day_of_week, unit="D")
    elif period == "M":
        start = local - pd.to_timedelta(local.dt.day - 1, unit="D")
    else:
        raise ValueError(f"period must be 'W' or 'M', not {period!r}")
    return start.dt.date


def window_start(latest, *, period: str = "W", window: int = 4):
    """First period of the recent window of `window` periods that ends with the period starting `latest` (a date).
    Calendar periods: every period from the first to the last counts, as in ``topic_periods``."""
    back = pd.DateOffset(months=window - 1) if period == "M" else pd.DateOffset(weeks=window - 1)
    return (pd.Timestamp(latest) - back).date()


def in_complete_periods(created_at: pd.Series, as_of, *, period: str = "W",
                        timezone: str = "Europe/Helsinki") -> np.ndarray:
    """Per document: does its period end on or before ``as_of`` (a date)? Trends are read over complete
    periods only: a week that has run two days would look like a drop, so a signal's class would change with
    the weekday of the run. The documents of the unfinished period count from the run that completes it."""
    starts = pd.to_datetime(period_start(created_at, period=period, timezone=timezone))
    ends = starts + (pd.Timedelta(days=6) if period == "W" else pd.offsets.MonthEnd(0))
    return (ends.dt.date <= as_of).to_numpy(dtype=bool)


def net_sentiment(labels: pd.Series) -> float:
    """% positive − % negative sentiment labels (−100..100); NaN for no documents."""
    labels = labels.astype(str)
    return float(100 * ((labels == "positive").mean() - (labels == "negative").mean())) if len(labels) else np.nan


def distinct_customers(keys: pd.Series) -> int:
    """People behind a set of documents: distinct pseudonyms, plus one per document without a customer id
    (anonymous feedback cannot be linked, and counting it as nobody would let a cell of anonymous
    documents escape suppression)."""
    return int(keys.nunique() + keys.isna().sum())


def any_problem_cue(docs: pd.DataFrame) -> np.ndarray:
    """Per document: does it carry any problem cue (effort, broken promise, escalation, …)?"""
    cols = [c for c in PROBLEM_CUES if c in docs]
    if not cols:
        return np.zeros(len(docs), dtype=bool)
    return docs[cols].astype("boolean").fillna(False).any(axis=1).to_numpy(dtype=bool)


def period_range(first, last, period: str) -> list:
    freq = "7D" if period == "W" else "MS"
    return [d.date() for d in pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq=freq)]


def topic_periods(docs: pd.DataFrame, *, period: str = "W", timezone: str = "Europe/Helsinki",
                  segment_by: str | None = None) -> pd.DataFrame:
    """Per topic x period [x ``segment_by`` value]: volume, share and feelings.

    Columns: topic_id, period_start, [segment_by], docs, customers, period_docs (all documents of the
    period[/segment], outlier pool included), share (docs / period_docs, 0 when the period is empty),
    net_sentiment (% positive - % negative labels, -100..100), negative_share, sentiment_mean,
    emo_share_<emotion> (share of documents whose dominant emotion it is), <cue>_rate (mean of each
    ``cue_*`` column), repeat_contact_rate (mean of ``is_repeat_contact``). Feeling columns are NaN
    in a cell with 0 documents. Every period from the corpus's first to its last is present for every
    topic [and segment value]. Missing segment values are reported as "(unknown)".
    """
    if period not in ("W", "M"):
        raise ValueError(f"period must be 'W' or 'M', not {period!r}")
    cue_cols = sorted(c for c in docs.columns if c.startswith("cue_"))
    keys = ["topic_id", "period_start"] + ([segment_by] if segment_by else [])
    feel_cols = (["net_sentiment", "negative_share", "sentiment_mean"] + [f"emo_share_{e}" for e in EMOTIONS]
                 + [f"{c}_rate" for c in cue_cols] + ["problem_cue_rate", "repeat_contact_rate"])
    if docs.empty:
        return pd.DataFrame(columns=keys + ["docs", "customers", "period_docs", "share"] + feel_cols)

    d = pd.DataFrame({
        "topic_id": docs["topic_id"].astype(int).to_numpy(),
        "period_start": period_start(docs["created_at"], period=period, timezone=timezone).to_numpy(),
        "customer_key": docs["customer_key"].to_numpy(),
    })
    if segment_by:
        d[segment_by] = docs[segment_by].astype(object).where(docs[segment_by].notna(), UNKNOWN).astype(str).to_numpy()
    label = docs["sentiment_label"].astype(str).to_numpy() if "sentiment_label" in docs else np.full(len(docs), "")
    d["_pos"] = (label == "positive").astype(float)
    d["_neg"] = (label == "negative").astype(float)
    d["sentiment_mean"] = (pd.to_numeric(docs["sentiment"], errors="coerce").to_numpy()
                           if "sentiment" in docs else np.nan)
    dom = docs["dominant_emotion"].astype(str).to_numpy() if "dominant_emotion" in docs else np.full(len(docs), "")
    for e in EMOTIONS:
        d[f"emo_share_{e}"] = (dom == e).astype(float)
    for c in cue_cols:
        d[f"{c}_rate"] = docs[c].astype("boolean").fillna(False).astype(float).to_numpy()
    d["problem_cue_rate"] = any_problem_cue(docs).astype(float)
    rep = docs["is_repeat_contact"] if "is_repeat_contact" in docs else pd.Series(False, index=docs.index)
    d["repeat_contact_rate"] = rep.astype("boolean").fillna(False).astype(float).to_numpy()

    mean_cols = ["_pos", "_neg", "sentiment_mean"] + [c for c in feel_cols if c.startswith(("emo_share_", "cue_"))] \
        + ["problem_cue_rate", "repeat_contact_rate"]
    g = d.groupby(keys, sort=True)
    out = g[mean_cols].mean()
    out.insert(0, "docs", g.size())
    out.insert(1, "customers", g["customer_key"].agg(distinct_customers))
    out = out.reset_index()
    out["net_sentiment"] = 100.0 * (out["_pos"] - out["_neg"])
    out["negative_share"] = out["_neg"]

    # Full grid: every topic x every period [x every segment value seen].
    periods = period_range(min(d["period_start"]), max(d["period_start"]), period)
    levels = [sorted(d["topic_id"].unique()), periods] + ([sorted(d[segment_by].unique())] if segment_by else [])
    grid = pd.MultiIndex.from_product(levels, names=keys).to_frame(index=False)
    out = grid.merge(out, on=keys, how="left")
    out["docs"] = out["docs"].fillna(0).astype(int)
    out["customers"] = out["customers"].fillna(0).astype(int)
    totals_keys = keys[1:]
    out["period_docs"] = out.groupby(totals_keys)["docs"].transform("sum").astype(int)
    denom = out["period_docs"].where(out["period_docs"] > 0, 1)
    out["share"] = np.where(out["period_docs"] > 0, out["docs"] / denom, 0.0)
    cols = keys + ["docs", "customers", "period_docs", "share"] + feel_cols
    return out[cols].sort_values(keys, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------ per-period signal metrics

def time_factors(n: int, time_weight: float = 0.05) -> np.ndarray:
    """Yoon's factor ``1 - tw * (n - j)`` for j = 1..n, with ``tw_eff = min(tw, 1/n)`` (all in [1/n, 1])."""
    if n <= 0:
        return np.zeros(0)
    tw = min(float(time_weight), 1.0 / n)
    j = np.arange(1, n + 1)
    return 1.0 - tw * (n - j)


def degree_of_visibility(tf: Sequence[float], nn: Sequence[float], time_weight: float = 0.05) -> np.ndarray:
    """DoV_j = (TF_j / NN_j) * (1 - tw_eff * (n - j)); 0 where NN_j = 0. Also DoD with DF in place of TF."""
    tf = np.asarray(tf, dtype=float)
    nn = np.asarray(nn, dtype=float)
    ratio = np.divide(tf, nn, out=np.zeros_like(tf), where=nn > 0)
    return ratio * time_factors(len(tf), time_weight)


def decayed_popularity(counts: Sequence[float], decay: float = 0.3) -> np.ndarray:
    """pop_t = pop_{t-1} * exp(-decay) + counts_t, pop_0 = counts_0."""
    counts = np.asarray(counts, dtype=float)
    out = np.zeros_like(counts)
    keep = math.exp(-decay)
    prev = 0.0
    for t, c in enumerate(counts):
        prev = prev * keep + c
        out[t] = prev
    return out


def kleinberg_bursts(counts: Sequence[float], totals: Sequence[float], *, s: float = 2.0,
                     gamma: float = 1.0) -> np.ndarray:
    """Batched two-state Kleinberg automaton with binomial emissions; boolean burst state per period."""
    r = np.asarray(counts, dtype=float)
    d = np.asarray(totals, dtype=float)
    n = len(r)
    if n == 0 or d.sum() <= 0 or r.sum() <= 0:
        return np.zeros(n, dtype=bool)
    p0 = r.sum() / d.sum()
    p1 = min(s * p0, 0.9999)
    if p1 <= p0:  # topic is (nearly) everything: no higher state to enter
        return np.zeros(n, dtype=bool)

    def nll(p: float) -> np.ndarray:  # binomial coefficient is the same in both states: dropped
        return -(r * math.log(p) + (d - r) * math.log(1.0 - p))

    cost = np.vstack([nll(p0), nll(p1)])  # 2 x n
    up = gamma * math.log(n) if n > 1 else gamma * 0.0
    trans = np.array([[0.0, up], [0.0, 0.0]])  # trans[from, to]
    best = np.array([cost[0, 0], up + cost[1, 0]])
    back = np.zeros((2, n), dtype=int)
    for t in range(1, n):
        cand = best[:, None] + trans  # from x to
        back[:, t] = np.argmin(cand, axis=0)
        best = cand[back[:, t], [0, 1]] + cost[:, t]
    states = np.zeros(n, dtype=int)
    states[-1] = int(np.argmin(best))
    for t in range(n - 1, 0, -1):
        states[t - 1] = back[states[t], t]
    return states.astype(bool)


def add_period_metrics(periods: pd.DataFrame, *, time_weight: float = 0.05, decay: float = 0.3,
                       burst_s: float = 2.0, burst_gamma: float = 1.0,
                       segment_by: str | None = None) -> pd.DataFrame:
    """``topic_periods`` output + dov, dod, popularity, burst (per topic [and segment], by period)."""
    keys = ["topic_id"] + ([segment_by] if segment_by else [])
    out = periods.sort_values(keys + ["period_start"], kind="stable").reset_index(drop=True).copy()
    for col in ("dov", "dod", "popularity"):
        out[col] = 0.0
    out["burst"] = False
    for idx in out.groupby(keys if len(keys) > 1 else keys[0], sort=False).groups.values():
        part = out.loc[idx]
        tf, df, nn = part["docs"].to_numpy(), part["customers"].to_numpy(), part["period_docs"].to_numpy()
        out.loc[idx, "dov"] = degree_of_visibility(tf, nn, time_weight)
        out.loc[idx, "dod"] = degree_of_visibility(df, nn, time_weight)
        out.loc[idx, "popularity"] = decayed_popularity(tf, decay)
        out.loc[idx, "burst"] = kleinberg_bursts(tf, nn, s=burst_s, gamma=burst_gamma)
    return out


# ------------------------------------------------------------------------------------- per-topic summary

def _ols_slope(y: np.ndarray) -> float:
    if len(y) < 2:
        return 0.0
    x = np.arange(len(y), dtype=float)
    x -= x.mean()
    return float((x * (y - y.mean())).sum() / (x * x).sum())


def compound_growth(mean_window: float, mean_past: float, window: int, n_past: int) -> float:
    """Growth per period of the recent level over the past level, add-one smoothed (module docstring)."""
    gap = (window + n_past) / 2.0
    return float(((mean_window + 1) / (mean_past + 1)) ** (1.0 / gap) - 1.0)


def _rate(first: float, last: float, steps: int) -> float:
    if steps <= 0 or first <= 0:
        return 0.0
    return float((last / first) ** (1.0 / steps) - 1.0)


def topic_metrics(periods: pd.DataFrame, *, window: int = 4, time_weight: float = 0.05, decay: float = 0.3,
                  burst_s: float = 2.0, burst_gamma: float = 1.0) -> pd.DataFrame:
    """One row per topic from an unsegmented ``topic_periods`` table (see module docstring).

    Columns: topic_id, n_periods, window, first_period (first period with documents), last_period,
    is_new (no documents before the window), docs_total, docs_window, docs_past, mean_window,
    mean_past, share_total, share_window, share_past, growth, cagr, slope_docs, slope_share,
    dov_mean, dod_mean, dov_rate, dod_rate, popularity (at the last period), burst_last,
    burst_in_window, first_burst, first_burst_in_window.
    """
    if "period_start" not in periods or periods.duplicated(["topic_id", "period_start"]).any():
        raise ValueError("topic_metrics needs an unsegmented topic_periods table (one row per topic x period)")
    p = periods if {"dov", "burst"} <= set(periods.columns) else add_period_metrics(
        periods, time_weight=time_weight, decay=decay, burst_s=burst_s, burst_gamma=burst_gamma)
    p = p.sort_values(["topic_id", "period_start"], kind="stable")
    all_periods = sorted(p["period_start"].unique())
    n = len(all_periods)
    w = max(1, min(int(window), n))
    tot_by_period = p.groupby("period_start")["period_docs"].first().reindex(all_periods).to_numpy(dtype=float)
    nn_window, nn_past = tot_by_period[n - w:].sum(), tot_by_period[: n - w].sum()
    factors = time_factors(n, time_weight)
    rows = []
    for tid, part in p.groupby("topic_id", sort=True):
        part = part.set_index("period_start").reindex(all_periods)
        docs = part["docs"].fillna(0).to_numpy(dtype=float)
        cust = part["customers"].fillna(0).to_numpy(dtype=float)
        share = part["share"].fillna(0).to_numpy(dtype=float)
        win, past = docs[n - w:], docs[: n - w]
        mean_w = float(win.mean())
        mean_p = float(past.mean()) if len(past) else float("nan")
        cagr = _rate(win[0] + 1, win[-1] + 1, w - 1)
        growth = compound_growth(mean_w, mean_p, w, len(past)) if len(past) else cagr
        # Smoothed DoV/DoD for the rate across the window (finite with zero counts).
        nn_w = tot_by_period[n - w:]
        dov_s = (win + 1) / (nn_w + 1) * factors[n - w:]
        dod_s = (cust[n - w:] + 1) / (nn_w + 1) * factors[n - w:]
        nonzero = np.flatnonzero(docs > 0)
        bursts = part["burst"].fillna(False).astype(bool).to_numpy()
        burst_idx = np.flatnonzero(bursts)
        win_burst_idx = [i for i in burst_idx if i >= n - w]
        rows.append({
            "topic_id": int(tid),
            "n_periods": n,
            "window": w,
            "first_period": all_periods[nonzero[0]] if len(nonzero) else None,
            "last_period": all_periods[nonzero[-1]] if len(nonzero) else None,
            "is_new": bool(len(past) and past.sum() == 0 and win.sum() > 0),
            "docs_total": int(docs.sum()),
            "docs_window": int(win.sum()),
            "docs_past": int(past.sum()),
            "mean_window": mean_w,
            "mean_past": mean_p,
            "share_total": float(docs.sum() / tot_by_period.sum()) if tot_by_period.sum() else 0.0,
            "share_window": float(win.sum() / nn_window) if nn_window else 0.0,
            "share_past": float(past.sum() / nn_past) if nn_past else float("nan"),
            "growth": growth,
            "cagr": cagr,
            "slope_docs": _ols_slope(win),
            "slope_share": _ols_slope(share[n - w:]),
            "dov_mean": float(part["dov"].fillna(0).to_numpy()[n - w:].mean()),
            "dod_mean": float(part["dod"].fillna(0).to_numpy()[n - w:].mean()),
            "dov_rate": _rate(dov_s[0], dov_s[-1], w - 1),
            "dod_rate": _rate(dod_s[0], dod_s[-1], w - 1),
            "popularity": float(part["popularity"].fillna(0).to_numpy()[-1]),
            "burst_last": bool(bursts[-1]) if n else False,
            "burst_in_window": bool(len(win_burst_idx)),
            "first_burst": all_periods[burst_idx[0]] if len(burst_idx) else None,
            "first_burst_in_window": all_periods[win_burst_idx[0]] if win_burst_idx else None,
        })
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------ classification

def _pct(x: float) -> str:
    return f"{100 * x:+.0f} %" if abs(x) >= 0.01 or x == 0 else f"{100 * x:+.1f} %"


def _share(x: float) -> str:
    return f"{100 * x:.1f} %"


def classify_signals(metrics: pd.DataFrame, *, small_share: float = 0.05, growth_threshold: float = 0.10,
                     fading_threshold: float = -0.10, gone_ratio: float = 0.25, min_docs: int = 10,
                     min_new_docs: int = 5) -> pd.DataFrame:
    """``topic_metrics`` + signal_class, is_small, is_growing and the ``rule`` text (module docstring)."""
    out = metrics.copy()
    classes, rules, small_flags, growing_flags = [], [], [], []
    for r in out.itertuples(index=False):
        share, growth, slope = r.share_window, r.growth, r.slope_docs
        small = share < small_share
        size_txt = (f"share {_share(share)} < {_share(small_share)}" if small
                    else f"share {_share(share)} ≥ {_share(small_share)}")
        growing = False
        if r.topic_id == OUTLIER:
            cls, rule = "noise", "outlier pool (topic -1) is not a topic → noise"
        elif r.docs_total < min_docs:
            cls, rule = "noise", f"{r.docs_total} docs < {min_docs} in total → noise"
        elif (r.mean_past or 0) > 0 and growth <= fading_threshold:
            cls, rule = "fading", (f"growth {_pct(growth)}/period ≤ {_pct(fading_threshold)} "
                                   f"({r.mean_past:.1f} → {r.mean_window:.1f} docs/period) → fading")
        elif (r.mean_past or 0) > 0 and r.mean_window <= gone_ratio * r.mean_past:
            cls, rule = "fading", (f"recent level {r.mean_window:.1f} ≤ {gone_ratio:.0%} of past level "
                                   f"{r.mean_past:.1f} docs/period → fading")
        else:
            if r.is_new and r.docs_window >= min_new_docs:
                growing = True
                grow_txt = (f"new topic with {r.docs_window} docs in the last {r.window} periods "
                            f"(growth {_pct(growth)}/period)")
            elif growth >= growth_threshold and slope >= 0:
                growing = True
                grow_txt = (f"growth {_pct(growth)}/period ≥ {_pct(growth_threshold)} and slope "
                            f"{slope:+.1f} docs/period ≥ 0")
            elif growth >= growth_threshold:
                grow_txt = f"growth {_pct(growth)}/period but slope {slope:+.1f} docs/period < 0 (not rising)"
            else:
                grow_txt = f"growth {_pct(growth)}/period < {_pct(growth_threshold)}"
            cls = {(True, True): "weak", (False, True): "strong",
                   (True, False): "latent", (False, False): "well_known"}[(small, growing)]
            rule = f"{size_txt} and {grow_txt} → {cls}"
        classes.append(cls)
        rules.append(rule)
        small_flags.append(bool(small))
        growing_flags.append(bool(growing))
    out["is_small"] = small_flags
    out["is_growing"] = growing_flags
    out["signal_class"] = classes
    out["rule"] = rules
    return out


# --------------------------------------------------------------------------------- feelings and priority

def topic_profile(docs: pd.DataFrame, *, since=None, timezone: str = "Europe/Helsinki",
                  lang_min_share: float = 0.15) -> pd.DataFrame:
    """Per topic feelings and reach over ``docs`` (only those created at or after ``since``, a local
    date/timestamp, when given - typically the first period of the window).

    Columns: topic_id, docs, negative_share, net_sentiment, top_emotion, top_emotion_share (most common
    non-neutral dominant emotion), emotion_mix, feeling_share (mean fact-vs-feeling share), <cue>_rate, repeat_contact_rate, problem_cue_rate (share of
    documents with any problem cue), langs (languages holding ≥ ``lang_min_share`` of the topic's
    documents), channels (channels of the topic), all_channels (the topic appears in every channel
    present in ``docs``).
    """
    d = docs
    if since is not None and not d.empty:
        local = pd.to_datetime(d["created_at"], utc=True).dt.tz_convert(timezone).dt.tz_localize(None)
        d = d[local >= pd.Timestamp(since)]
    all_channels = sorted(set(docs["channel"].dropna().astype(str))) if "channel" in docs else []
    cue_cols = [c for c in docs.columns if c.startswith("cue_")]
    rows = []
    for tid, part in d.groupby("topic_id", sort=True):
        label = part["sentiment_label"].astype(str)
        emo = part["dominant_emotion"].astype(str)
        emo_nn = emo[emo != "neutral"]
        top = emo_nn.value_counts() if len(emo_nn) else pd.Series(dtype=int)
        cues = {f"{c}_rate": float(part[c].astype("boolean").fillna(False).mean()) for c in cue_cols}
        any_problem = any_problem_cue(part).mean() if len(part) else 0.0
        lang_share = part["lang"].astype(str).value_counts(normalize=True) if "lang" in part else pd.Series(dtype=float)
        channels = sorted(set(part["channel"].dropna().astype(str))) if "channel" in part else []
        rows.append({
            "topic_id": int(tid),
            "docs": int(len(part)),
            "negative_share": float((label == "negative").mean()),
            "net_sentiment": net_sentiment(label),
            "top_emotion": str(top.index[0]) if len(top) else "neutral",
            "top_emotion_share": float(top.iloc[0] / len(part)) if len(top) else float((emo == "neutral").mean()),
            "emotion_mix": {e: float(v) for e, v in emo.value_counts(normalize=True).items() if e in EMOTIONS},
            # mean over documents of their emotional-sentence share: how much of the talk is feeling, not fact
            "feeling_share": float(part["feeling_share"].astype(float).mean())
            if "feeling_share" in part and part["feeling_share"].notna().any() else np.nan,
            **cues,
            "repeat_contact_rate": float(part["is_repeat_contact"].astype("boolean").fillna(False).mean())
            if "is_repeat_contact" in part else 0.0,
            "problem_cue_rate": float(any_problem),
            "langs": [lang for lang, s in lang_share.items() if s >= lang_min_share and lang != "other"],
            # documents in languages not listed in langs (small shares and "other"): "English only" must be true
            "unlisted_lang_share": float(sum(s for lang, s in lang_share.items()
                                             if s < lang_min_share or lang == "other")),
            "channels": channels,
            "all_channels": bool(all_channels) and channels == all_channels,
        })
    return pd.DataFrame(rows)


TIERS = {"weak": 2, "strong": 2, "latent": 1, "fading": 1, "well_known": 0, "noise": 0}


def _merged(classified: pd.DataFrame, feelings: pd.DataFrame) -> pd.DataFrame:
    feel = feelings.drop(columns=[c for c in feelings.columns if c in classified.columns and c != "topic_id"])
    return classified.merge(feel, on="topic_id", how="left")


def priority_score(classified: pd.DataFrame, feelings: pd.DataFrame) -> pd.Series:
    """Priority per topic (index = topic_id): tier + intensity / (1 + intensity); 0 = not flagged.

    Tier: weak/strong 2, latent/fading 1, well_known/noise 0 (score 0). Intensity:
    (1 + max(growth, 0)) * (0.5 + negative_share) * (1 + problem_cue_rate) * ln(1 + docs_window).
    """
    m = _merged(classified, feelings)
    neg = m["negative_share"].fillna(0.0) if "negative_share" in m else 0.0
    cue = m["problem_cue_rate"].fillna(0.0) if "problem_cue_rate" in m else 0.0
    intensity = ((1 + m["growth"].clip(lower=0)) * (0.5 + neg) * (1 + cue) * np.log1p(m["docs_window"]))
    tier = m["signal_class"].map(TIERS).fillna(0)
    score = np.where(tier > 0, tier + intensity / (1 + intensity), 0.0)
    return pd.Series(score, index=m["topic_id"].to_numpy(), name="priority")


def _period_name(d, period: str = "W") -> str:
    ts = pd.Timestamp(d)
    if period == "M":
        return ts.strftime("%B %Y")
    return f"week {ts.isocalendar().week} ({ts.date().isoformat()})"


# The sentiment model itself reads the two languages differently (2026-11-23): on the same 800 sentences
# in both languages (SIB-200 translations) net sentiment is −4 in English and −15 in Finnish; on our own
# customer-message sets (the same kinds of message, written separately in each language) complaints come
# out net −55 / −43 and praise +92 / +74. A Finnish–English gap of up to about 20 points can be the model,
# not the customers, so the why-text names a gap only beyond this (the number stays in `fi_en_gap`).
LANG_GAP_MIN_POINTS = 30


def explain(row, *, period: str = "W") -> str:
    """One plain sentence for a row of ``classified`` merged with ``topic_profile`` (any mapping works;
    missing facts are left out)."""
    r = dict(row) if not isinstance(row, pd.Series) else row.to_dict()
    unit = "week" if period == "W" else "month"
    w = int(r.get("window", 4) or 4)
    parts = [str(r.get("signal_class", "signal")).replace("_", "-") + " signal"]
    label = r.get("label")
    if r.get("topic_id") == OUTLIER:
        parts = ["outlier pool: needs that fit no known process"]
    elif isinstance(label, str) and label:
        parts[0] += f" '{label}'"
    if r.get("is_new") and r.get("first_period") is not None:
        parts.append(f"new since {_period_name(r['first_period'], period)}")
    mw, mp = r.get("mean_window"), r.get("mean_past")
    if mw is not None and mp is not None and not pd.isna(mp):
        small_past = r.get("past_below_k")
        if mp > 0 and _known(small_past):
            # The earlier level would count fewer than k customers' documents: say so without the number.
            parts.append(f"{mw:.1f} docs/{unit}, up from documents of fewer than {int(small_past)} customers before"
                         if mw > mp else f"{mw:.1f} docs/{unit}")
        elif mp > 0:
            ratio = mw / mp
            if ratio >= 1.5 or ratio <= 0.67:
                parts.append(f"{ratio:.1f}× its earlier level ({mp:.1f} → {mw:.1f} docs/{unit})")
            else:
                parts.append(f"steady at {mw:.1f} docs/{unit}")
        else:
            parts.append(f"{mw:.1f} docs/{unit} from nothing before")
    if "docs_window" in r:
        share_txt = _share(r.get("share_window", 0.0))
        parts.append(f"{int(r['docs_window'])} docs in the last {w} {unit}s ({share_txt} of all)")
    if r.get("burst_in_window") and r.get("first_burst_in_window") is not None:
        parts.append(f"bursting since {_period_name(r['first_burst_in_window'], period)}")
    emo, emo_share = r.get("top_emotion"), r.get("top_emotion_share")
    if isinstance(emo, str) and emo and emo != "neutral" and emo_share is not None and not pd.isna(emo_share):
        mix = r.get("emotion_mix") if isinstance(r.get("emotion_mix"), dict) else {}
        tied = sorted(e for e, v in mix.items() if e != "neutral" and abs(v - emo_share) < 1e-9) or [emo]
        if len(tied) > 1:
            parts.append(f"top emotions {', '.join(tied)} ({100 * emo_share:.0f} % each)")
        else:
            parts.append(f"mostly {emo} ({100 * emo_share:.0f} %)" if emo_share >= 0.5
                         else f"top emotion {emo} ({100 * emo_share:.0f} %)")
    neg = r.get("negative_share")
    if neg is not None and not pd.isna(neg):
        parts.append(f"{100 * neg:.0f} % negative")
    feeling = r.get("feeling_share")
    if _known(feeling) and (feeling >= 0.6 or feeling <= 0.3):
        parts.append(f"mostly feelings ({100 * feeling:.0f} % of sentences)" if feeling >= 0.6
                     else f"mostly facts (feelings in {100 * feeling:.0f} % of sentences)")
    change = r.get("sentiment_change")
    if _known(change) and abs(change) >= 15:
        parts.append(f"net sentiment {'fell' if change < 0 else 'rose'} {abs(change):.0f} points from its past")
    # Strongest cue, and repeat contacts whenever notable.
    cues = {k[:-5]: v for k, v in r.items() if k.startswith("cue_") and k.endswith("_rate")
            and v is not None and not pd.isna(v) and k[:-5] != "cue_praise"}
    if cues:
        top_cue = max(cues, key=cues.get)
        if cues[top_cue] >= 0.1:
            parts.append(f"{100 * cues[top_cue]:.0f} % {CUE_NAMES.get(top_cue, top_cue)}")
    # Measured repeat contacts (the same customer again within the window), next to the text cue above that
    # only counts customers who *say* they contacted before: the two differ and both matter.
    rep = r.get("repeat_contact_rate")
    if rep is not None and not pd.isna(rep) and rep >= 0.1:
        parts.append(f"{100 * rep:.0f} % are repeat contacts")
    langs = r.get("langs")
    if isinstance(langs, (list, tuple, np.ndarray)) and len(langs):
        langs = list(langs)
        if set(langs) >= {"fi", "en"}:
            parts.append("both languages")
        elif _known(r.get("unlisted_lang_share")) and r["unlisted_lang_share"] > 0:
            parts.append("mostly " + " and ".join(LANG_NAMES.get(x, x) for x in langs))
        else:
            parts.append(" and ".join(LANG_NAMES.get(x, x) for x in langs) + " only")
    if _known(r.get("all_channels")) and bool(r["all_channels"]):   # NaN (no recent documents) is truthy
        parts.append("all channels")
    else:
        ch = r.get("channels")
        if isinstance(ch, (list, tuple, np.ndarray)) and len(ch):
            parts.append("channels: " + ", ".join(map(str, ch)))
    gap = r.get("fi_en_gap")
    if _known(gap) and abs(gap) >= LANG_GAP_MIN_POINTS:
        parts.append(f"Finnish customers {abs(gap):.0f} points {'more negative' if gap < 0 else 'more positive'} "
                     "than English")
    impact = r.get("rating_impact")
    if _known(impact) and abs(impact) >= 0.05:
        parts.append(f"{'pulls the average rating down' if impact < 0 else 'lifts the average rating'} by "
                     f"{abs(impact):.2f}")
    alerts = r.get("keyword_alerts")
    if isinstance(alerts, str) and alerts:
        parts.append(f"rising inside it: {alerts}")
    return ", ".join(parts) + "."


def _known(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def rank_signals(classified: pd.DataFrame, feelings: pd.DataFrame, *, period: str = "W") -> pd.DataFrame:
    """classified + feelings + priority + explanation, highest priority first (convenience)."""
    m = _merged(classified, feelings)
    m["priority"] = priority_score(classified, feelings).to_numpy()
    m["explanation"] = [explain(r, period=period) for _, r in m.iterrows()]
    return m.sort_values(["priority", "topic_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------- privacy

def suppress(table: pd.DataFrame, *, k: int = 5, count_col: str = "customers",
             value_cols: Sequence[str] | None = None, group_cols: Sequence[str] | None = None) -> pd.DataFrame:
    """k-anonymity cell suppression; returns a copy with blanked cells and a ``suppressed`` column.

    Primary: rows with 0 < ``count_col`` < k. Secondary: for each column c of ``group_cols``, the cells
    sharing the values of the other ``group_cols`` form a line (a row or column of a total); while some
    line holds exactly one suppressed cell, the smallest unsuppressed cell of that line (by
    ``count_col``, non-zero counts preferred) is suppressed too. ``value_cols`` (default: every numeric
    column except ``group_cols`` and the key columns topic_id / period_start / window / n_periods,
    ``count_col`` included) are set to NaN in suppressed rows.
    """
    out = table.copy()
    group_cols = list(group_cols or [])
    if value_cols is None:
        value_cols = [c for c in out.columns if c not in group_cols and c not in KEY_COLS and c != "suppressed"
                      and (pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]))]
    counts = pd.to_numeric(out[count_col], errors="coerce").fillna(0).to_numpy(dtype=float)
    sup = (counts > 0) & (counts < k)
    if group_cols and sup.any():
        lines = []
        for c in group_cols:
            others = [g for g in group_cols if g != c]
            if others:
                lines += [np.asarray(ix) for ix in out.groupby(others, sort=False, dropna=False).indices.values()]
            else:
                lines.append(np.arange(len(out)))
        changed = True
        while changed:
            changed = False
            for ix in lines:
                if sup[ix].sum() != 1:
                    continue
                cand = ix[~sup[ix]]
                if len(cand) == 0:
                    continue
                # smallest non-zero count first, zeros only as a last resort
                order = np.lexsort((counts[cand], counts[cand] == 0))
                sup[cand[order[0]]] = True
                changed = True
    out = out.astype({c: float for c in value_cols if pd.api.types.is_integer_dtype(out[c])})
    out.loc[sup, list(value_cols)] = np.nan
    out["suppressed"] = sup
    return out


# ------------------------------------------------------------------------------- the nightly tables

SIGNAL_COLUMNS = ["period_start", "topic_id", "label", "signal_class", "priority", "docs", "customers", "growth",
                  "share_window", "slope_docs", "dov_rate", "burst_in_window", "net_sentiment", "negative_share",
                  "top_emotion", "problem_cue_rate", "repeat_contact_rate", "langs", "channels", "rule",
                  "explanation", "suppressed", "is_new", "first_period", "sentiment_change", "emotion_mix",
                  "emotion_shift", "effort_rate", "broken_promise_rate", "escalation_rate", "churn_threat_rate",
                  "fi_en_gap", "n_channels", "rating_impact", "rated_docs", "keyword_alerts", "feeling_share"]
SIGNAL_VALUE_COLS = ["docs", "customers", "growth", "share_window", "slope_docs", "dov_rate", "net_sentiment",
                     "negative_share", "problem_cue_rate", "repeat_contact_rate", "sentiment_change", "effort_rate",
                     "broken_promise_rate", "escalation_rate", "churn_threat_rate", "fi_en_gap", "rating_impact",
                     "rated_docs", "feeling_share"]
PERIOD_COLUMNS = ["topic_id", "period_start", "docs", "customers", "share", "net_sentiment", "negative_share",
                  "problem_cue_rate", "burst", "suppressed"]
SEGMENT_COLUMNS = ["topic_id", "dimension", "value", "docs", "customers", "share_of_topic", "share_of_segment",
                   "growth", "net_sentiment", "negative_share", "problem_cue_rate", "gap", "suppressed"]
KEYWORD_COLUMNS = ["topic_id", "keyword", "lang", "docs", "customers", "docs_past", "share_in_topic", "growth",
                   "is_new", "signal_class", "net_sentiment", "suppressed"]
QUOTE_COLUMNS = ["topic_id", "rank", "doc_id", "created_at", "source", "channel", "lang", "sentiment_label",
                 "dominant_emotion", "text"]
SEGMENT_DIMENSIONS = ("lang", "channel", "segment")


def segment_gaps(docs: pd.DataFrame, starts_of_docs: pd.Series, periods: Sequence, *, window: int = 4, k: int = 5,
                 dimensions: Sequence[str] = SEGMENT_DIMENSIONS) -> pd.DataFrame:
    """Per topic x segment value over the recent window: volume, growth and feelings, and the gap of the
    segment's net sentiment to the topic's (negative = this segment is unhappier about the topic).

    ``starts_of_docs`` is each document's period start, ``periods`` every period of the corpus in order.
    A dimension whose values are all missing (e.g. no customer segments in the input) is left out. Cells
    from fewer than ``k`` customers are suppressed, with secondary suppression along topics and values.
    """
    n = len(periods)
    w = max(1, min(int(window), n))
    since, n_past = periods[n - w], n - w
    recent_mask = (starts_of_docs >= since).to_numpy()
    out = []
    for dim in dimensions:
        if dim not in docs or docs[dim].isna().all():
            continue
        d = pd.DataFrame({
            "topic_id": docs["topic_id"].astype(int).to_numpy(),
            "value": docs[dim].astype(object).where(docs[dim].notna(), UNKNOWN).astype(str).to_numpy(),
            "customer_key": docs["customer_key"].to_numpy(),
            "label": docs["sentiment_label"].astype(str).to_numpy(),
            "problem": any_problem_cue(docs).astype(float),
        })
        recent, past = d[recent_mask], d[~recent_mask]
        if recent.empty:
            continue
        g = recent.groupby(["topic_id", "value"])
        cell = pd.DataFrame({
            "docs": g.size(), "customers": g["customer_key"].agg(distinct_customers),
            "net_sentiment": g["label"].agg(net_sentiment),
            "negative_share": g["label"].agg(lambda x: float((x == "negative").mean())),
            "problem_cue_rate": g["problem"].mean(),
            "docs_past": past.groupby(["topic_id", "value"]).size(),
        })
        grid = pd.MultiIndex.from_product([sorted(recent["topic_id"].unique()), sorted(recent["value"].unique())],
                                          names=["topic_id", "value"])
        cell = cell.reindex(grid).reset_index()
        cell = cell[cell["topic_id"].isin(recent["topic_id"].unique())]
        for c in ("docs", "customers", "docs_past"):
            cell[c] = cell[c].fillna(0).astype(int)
        topic_docs = cell.groupby("topic_id")["docs"].transform("sum")
        value_docs = cell.groupby("value")["docs"].transform("sum")
        cell["share_of_topic"] = np.where(topic_docs > 0, cell["docs"] / topic_docs.where(topic_docs > 0, 1), 0.0)
        cell["share_of_segment"] = np.where(value_docs > 0, cell["docs"] / value_docs.where(value_docs > 0, 1), 0.0)
        cell["growth"] = [compound_growth(dw / w, dp / n_past, w, n_past) if n_past else np.nan
                          for dw, dp in zip(cell["docs"], cell["docs_past"])]
        topic_net = recent.groupby("topic_id")["label"].agg(net_sentiment)
        cell["gap"] = cell["net_sentiment"] - cell["topic_id"].map(topic_net)
        cell["dimension"] = dim
        cell = suppress(cell, k=k, group_cols=["topic_id", "value"],
                        value_cols=["docs", "customers", "share_of_topic", "share_of_segment", "growth",
                                    "net_sentiment", "negative_share", "problem_cue_rate", "gap"])
        out.append(cell[SEGMENT_COLUMNS])
    if not out:
        return pd.DataFrame(columns=SEGMENT_COLUMNS)
    return pd.concat(out, ignore_index=True)


def fi_en_gap(recent: pd.DataFrame, *, k: int = 5) -> pd.Series:
    """Per topic: Finnish minus English net sentiment over ``recent`` documents, where each language has at
    least ``k`` customers. Read from the documents, not the suppressed segment table: a language cell hidden
    only so that a smaller one cannot be worked out has its own k customers, and a difference of percentages
    gives no count away."""
    d = recent[recent["lang"].isin(["fi", "en"])]
    if d.empty:
        return pd.Series(dtype=float)
    g = d.groupby(["topic_id", "lang"])
    net = g["sentiment_label"].agg(net_sentiment)[g["customer_key"].agg(distinct_customers) >= k].unstack()
    if not {"fi", "en"} <= set(net.columns):
        return pd.Series(dtype=float)
    return (net["fi"] - net["en"]).dropna()


def keyword_signals(docs: pd.DataFrame, starts_of_docs: pd.Series, periods: Sequence, *, window: int = 4,
                    k: int = 5, min_docs: int = 5, small_share: float = 0.25,
                    growth_threshold: float = 0.10) -> pd.DataFrame:
    """Per topic x keyword (content lemma): the topic's signal classes one level down, so a new complaint
    inside an old, steady topic shows (e.g. "hinta" appearing in the billing topic).

    A keyword is tracked when at least ``min_docs`` documents of the window mention it, or it averaged
    that many per window in the past (so fading keywords show too). Growth, newness and class follow the
    topic rules with the keyword's share of the topic's recent documents as its size (``small_share``).
    Cells from fewer than ``k`` customers are suppressed (primary only: keywords overlap, so there is no
    total to subtract from).
    """
    n = len(periods)
    w = max(1, min(int(window), n))
    since, n_past = periods[n - w], n - w
    if "lemmas" not in docs or docs.empty:
        return pd.DataFrame(columns=KEYWORD_COLUMNS)
    d = pd.DataFrame({
        "topic_id": docs["topic_id"].astype(int).to_numpy(),
        "period_start": starts_of_docs.to_numpy(),
        "customer_key": docs["customer_key"].to_numpy(),
        "lang": docs["lang"].astype(str).to_numpy(),
        "label": docs["sentiment_label"].astype(str).to_numpy(),
        "kw": [sorted(set(str(x).split())) if isinstance(x, str) else [] for x in docs["lemmas"].tolist()],
    })
    d = d[d["topic_id"] != OUTLIER]
    d["recent"] = d["period_start"] >= since
    topic_recent = d[d["recent"]].groupby("topic_id").size()
    e = d.explode("kw").dropna(subset=["kw"])
    e = e[e["kw"] != ""]
    if e.empty:
        return pd.DataFrame(columns=KEYWORD_COLUMNS)
    keys = ["topic_id", "kw"]
    recent, past = e[e["recent"]], e[~e["recent"]]
    stats = pd.DataFrame({
        "docs": recent.groupby(keys).size(),
        "customers": recent.groupby(keys)["customer_key"].agg(distinct_customers),
        "docs_past": past.groupby(keys).size(),
        "customers_past": past.groupby(keys)["customer_key"].agg(distinct_customers),
    }).fillna(0)
    tracked = (stats["docs"] >= min_docs) | (stats["docs_past"] / max(n_past, 1) * w >= min_docs)
    stats = stats[tracked]
    if stats.empty:
        return pd.DataFrame(columns=KEYWORD_COLUMNS)
    kept = e.set_index(keys).index.isin(stats.index)
    e = e[kept]
    recent = e[e["recent"]]
    lang = e.groupby(keys)["lang"].agg(lambda x: x.value_counts().index[0])
    net = recent.groupby(keys)["label"].agg(net_sentiment)
    win_periods = list(periods[n - w:])
    per_period = recent.groupby(keys + ["period_start"]).size().unstack(fill_value=0).reindex(
        columns=win_periods, fill_value=0).reindex(stats.index, fill_value=0)
    stats = stats.reset_index()
    rows = []
    for i, r in enumerate(stats.itertuples(index=False)):
        counts = per_period.iloc[i].to_numpy(dtype=float)
        mean_w = r.docs / w
        mean_p = r.docs_past / n_past if n_past else float("nan")
        growth = (compound_growth(mean_w, mean_p, w, n_past) if n_past
                  else _rate(counts[0] + 1, counts[-1] + 1, w - 1))
        rows.append({"topic_id": r.topic_id, "keyword": r.kw, "docs_window": int(r.docs),
                     "docs_total": int(r.docs + r.docs_past), "mean_window": mean_w, "mean_past": mean_p,
                     "share_window": r.docs / max(int(topic_recent.get(r.topic_id, 0)), 1),
                     "growth": growth, "slope_docs": _ols_slope(counts), "window": w,
                     "is_new": bool(n_past and r.docs_past == 0 and r.docs > 0),
                     "customers": int(r.customers), "docs_past": int(r.docs_past),
                     "customers_past": int(r.customers_past)})
    m = classify_signals(pd.DataFrame(rows), small_share=small_share, growth_threshold=growth_threshold,
                         min_docs=min_docs, min_new_docs=min_docs)
    m = m.assign(lang=[lang.get((t, kw)) for t, kw in zip(m["topic_id"], m["keyword"])],
                 net_sentiment=[net.get((t, kw), np.nan) for t, kw in zip(m["topic_id"], m["keyword"])],
                 docs=m["docs_window"], share_in_topic=m["share_window"])
    m = suppress(m, k=k, value_cols=["docs", "customers", "docs_past", "share_in_topic", "growth", "net_sentiment"])
    # The earlier count is a cell of its own: from fewer than k customers it is blanked, the row stays.
    m.loc[(m["customers_past"] > 0) & (m["customers_past"] < k), "docs_past"] = np.nan
    order = m["signal_class"].map({"strong": 0, "weak": 1, "fading": 2, "latent": 3, "well_known": 4, "noise": 5})
    m = m.assign(_o=order).sort_values(["topic_id", "_o", "docs"], ascending=[True, True, False], kind="stable")
    return m[KEYWORD_COLUMNS].reset_index(drop=True)


def alerting_keywords(keywords: pd.DataFrame, topic_growth: pd.Series, *,
                      growth_threshold: float = 0.10) -> pd.DataFrame:
    """The rows of ``keyword_signals`` that are a new complaint inside a topic: unsuppressed weak or strong
    keywords that are new, or grow at least ``growth_threshold`` per period faster than their topic (a word in
    every document of a growing topic only grows with it)."""
    k = keywords[keywords["signal_class"].isin(["weak", "strong"]) & ~keywords["suppressed"].astype(bool)]
    faster = pd.to_numeric(k["growth"], errors="coerce") >= k["topic_id"].map(topic_growth).fillna(0) + growth_threshold
    return k[k["is_new"].astype(bool) | faster]


def keyword_alerts(keywords: pd.DataFrame, topic_growth: pd.Series, *, growth_threshold: float = 0.10,
                   limit: int = 3) -> pd.Series:
    """Per topic, the keywords rising faster than the topic itself ("new complaint inside an old topic"),
    as text such as ``"hinta (new), lasku (+35 %/period)"``."""
    k = alerting_keywords(keywords, topic_growth, growth_threshold=growth_threshold)
    out = {}
    for tid, part in k.sort_values("docs", ascending=False, kind="stable").groupby("topic_id", sort=False):
        out[tid] = ", ".join(f"{r.keyword} ({'new' if r.is_new else _pct(r.growth) + '/period'})"
                             for r in part.head(limit).itertuples(index=False))
    return pd.Series(out, dtype=object)


def rating_impact(docs: pd.DataFrame, *, k: int = 1) -> pd.DataFrame:
    """Per topic: how the mean rating would change without the topic's documents, as
    ``mean(all rated) - mean(rated outside the topic)`` (negative = the topic pulls the score down),
    and how many rated documents the topic has. Empty when no document carries a rating. The impact is
    blank where the rated documents come from fewer than ``k`` customers: with the overall mean it would
    give away their own ratings."""
    if "rating" not in docs:
        return pd.DataFrame(columns=["topic_id", "rating_impact", "rated_docs"])
    r = pd.to_numeric(docs["rating"], errors="coerce")
    keys = docs["customer_key"] if "customer_key" in docs else pd.Series(np.arange(len(docs)), index=docs.index)
    rated = pd.DataFrame({"topic_id": docs["topic_id"].astype(int), "rating": r, "customer_key": keys})[r.notna()]
    if rated.empty:
        return pd.DataFrame(columns=["topic_id", "rating_impact", "rated_docs"])
    total, count, overall = rated["rating"].sum(), len(rated), rated["rating"].mean()
    g = rated.groupby("topic_id").agg(sum=("rating", "sum"), size=("rating", "size"),
                                      customers=("customer_key", distinct_customers))
    rest = count - g["size"]
    without = (total - g["sum"]) / rest.where(rest > 0)
    impact = (overall - without).where(g["customers"] >= k)
    return pd.DataFrame({"topic_id": g.index.astype(int), "rating_impact": impact.to_numpy(),
                         "rated_docs": g["size"].astype(int).to_numpy()})


def select_quotes(recent: pd.DataFrame, eligible: Sequence[int], *, per_topic: int = 3, min_chars: int = 25,
                  max_chars: int = 400, k: int = 1) -> pd.DataFrame:
    """Evidence for each eligible topic: its most typical recent documents (highest similarity to the
    topic's centre), one per customer, alternating between the topic's languages (most frequent first),
    preferring texts of readable length. Texts are the redacted ones of ``documents``. A language written by
    fewer than ``k`` of the topic's customers gives no quote: its language, date and channel would single
    them out."""
    rows = []
    for tid in eligible:
        part = recent[recent["topic_id"] == tid]
        lang_customers = part.groupby("lang")["customer_key"].agg(distinct_customers)
        part = part[part["lang"].map(lang_customers) >= k]
        if part.empty or per_topic <= 0:
            continue
        n_chars = part["text"].astype(str).str.len()
        readable = part[(n_chars >= min_chars) & (n_chars <= max_chars)]
        part = (readable if len(readable) else part).sort_values(["topic_prob", "doc_id"], ascending=[False, True],
                                                                   kind="stable")
        part = part.drop_duplicates("customer_key")
        queues = {lang: grp for lang, grp in part.groupby("lang", sort=False)}
        langs = part["lang"].value_counts().index.tolist()
        picked, depth = [], 0
        while len(picked) < per_topic and any(depth < len(queues[x]) for x in langs):
            for lang in langs:
                if depth < len(queues[lang]) and len(picked) < per_topic:
                    picked.append(queues[lang].iloc[depth])
            depth += 1
        for rank, doc in enumerate(picked, start=1):
            rows.append({"topic_id": int(tid), "rank": rank, **{c: doc[c] for c in QUOTE_COLUMNS[2:]}})
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)


def _emotion_shift(now: dict, before: dict) -> dict:
    if not isinstance(now, dict) or not isinstance(before, dict) or not before:
        return {}
    return {e: round(now.get(e, 0.0) - before.get(e, 0.0), 3) for e in EMOTIONS
            if abs(now.get(e, 0.0) - before.get(e, 0.0)) >= 0.005}


def _json(d) -> str:
    return json.dumps({k: round(v, 3) for k, v in d.items()}, sort_keys=True) if isinstance(d, dict) else "{}"


def empty_signal_tables() -> dict[str, pd.DataFrame]:
    return {"signals": pd.DataFrame(columns=SIGNAL_COLUMNS), "signal_periods": pd.DataFrame(columns=PERIOD_COLUMNS),
            "signal_segments": pd.DataFrame(columns=SEGMENT_COLUMNS),
            "keyword_signals": pd.DataFrame(columns=KEYWORD_COLUMNS),
            "signal_quotes": pd.DataFrame(columns=QUOTE_COLUMNS)}


def signal_tables(docs: pd.DataFrame, labels: dict[int, str], *, period: str = "W", window: int = 4,
                  timezone: str = "Europe/Helsinki", k: int = 5, quote_min_customers: int = 10,
                  quotes_per_topic: int = 3, keyword_min_docs: int = 5,
                  min_baseline_docs: int = 10) -> dict[str, pd.DataFrame]:
    """Every metric table of a run, from the ``documents`` table:

    - ``signals``: one row per topic, ranked, with class, the inputs behind it, feelings, segment gap,
      rating impact, rising keywords and a plain-language explanation;
    - ``signal_periods``: per topic x period volumes and feelings (the report's trend charts);
    - ``signal_segments``: per topic x language / channel / customer segment over the window;
    - ``keyword_signals``: per topic x keyword classes;
    - ``signal_quotes``: redacted evidence, only for topics with ≥ ``quote_min_customers`` customers.

    Every published number built from fewer than ``k`` distinct customers is suppressed.
    """
    periods = topic_periods(docs, period=period, timezone=timezone)
    if periods.empty:
        return empty_signal_tables()
    periods = add_period_metrics(periods)
    classified = classify_signals(topic_metrics(periods, window=window))
    starts = sorted(periods["period_start"].unique())
    w = max(1, min(int(window), len(starts)))
    since = starts[-w]
    doc_starts = period_start(docs["created_at"], period=period, timezone=timezone)
    recent_mask = (doc_starts >= since).to_numpy()
    recent, past = docs[recent_mask], docs[~recent_mask]

    segments = segment_gaps(docs, doc_starts, starts, window=window, k=k)
    keywords = keyword_signals(docs, doc_starts, starts, window=window, k=k, min_docs=keyword_min_docs)
    profile = topic_profile(recent)
    past_mix = topic_profile(past).set_index("topic_id") if len(past) else pd.DataFrame()
    if len(past_mix):  # a baseline of a handful of documents is no baseline
        past_mix = past_mix[past_mix["docs"] >= max(k, min_baseline_docs)]
    past_net = past_mix["net_sentiment"] if len(past_mix) else pd.Series(dtype=float)
    profile["sentiment_change"] = profile["net_sentiment"] - profile["topic_id"].map(past_net)
    profile["emotion_shift"] = [_emotion_shift(mix, past_mix["emotion_mix"].get(t) if len(past_mix) else None)
                                for t, mix in zip(profile["topic_id"], profile["emotion_mix"])]
    profile["fi_en_gap"] = profile["topic_id"].map(fi_en_gap(recent, k=k))
    past_customers = past.groupby("topic_id")["customer_key"].agg(distinct_customers)
    small_past = classified["topic_id"].map(past_customers).fillna(0)
    classified["past_below_k"] = np.where((small_past > 0) & (small_past < k), float(k), np.nan)
    impact = rating_impact(recent, k=k).set_index("topic_id")
    profile["rating_impact"] = profile["topic_id"].map(impact["rating_impact"]) if len(impact) else np.nan
    profile["rated_docs"] = profile["topic_id"].map(impact["rated_docs"]).fillna(0) if len(impact) else 0
    # A growing topic is flagged already (and inside a new one every keyword is new): keyword alerts are
    # for the complaint that starts inside an old, steady topic.
    old_topics = classified.loc[~classified["is_growing"].astype(bool) & (classified["docs_past"] > 0), "topic_id"]
    growth = classified.set_index("topic_id")["growth"]
    alerts = keyword_alerts(keywords[keywords["topic_id"].isin(old_topics)], growth) if len(keywords) else None
    profile["keyword_alerts"] = profile["topic_id"].map(alerts) if alerts is not None else None
    ranked = rank_signals(classified, profile, period=period)

    customers = recent.groupby("topic_id")["customer_key"].agg(distinct_customers)
    out = ranked.assign(
        period_start=starts[-1], label=ranked["topic_id"].map(labels),
        docs=ranked["docs_window"], customers=ranked["topic_id"].map(customers).fillna(0).astype(int),
        langs=ranked["langs"].map(lambda v: ",".join(v) if isinstance(v, (list, tuple)) else v),
        n_channels=ranked["channels"].map(lambda v: len(v) if isinstance(v, (list, tuple)) else 0),
        channels=ranked["channels"].map(lambda v: ",".join(v) if isinstance(v, (list, tuple)) else v),
        emotion_mix=ranked["emotion_mix"].map(_json), emotion_shift=ranked["emotion_shift"].map(_json),
        **{f"{name}_rate": ranked.get(f"cue_{cue}_rate", np.nan) for name, cue in
           (("effort", "repeat_contact"), ("broken_promise", "broken_promise"), ("escalation", "escalation"),
            ("churn_threat", "churn_threat"))})
    out = suppress(out[[c for c in SIGNAL_COLUMNS if c != "suppressed"]], k=k, count_col="customers",
                   value_cols=SIGNAL_VALUE_COLS)
    blank = out["suppressed"]
    out.loc[blank, "explanation"] = f"suppressed: fewer than {k} distinct customers"
    # Descriptions of a suppressed topic (its one language, one channel, main emotion) are as telling as counts.
    out.loc[blank, ["emotion_mix", "emotion_shift", "keyword_alerts", "top_emotion", "langs", "channels",
                    "rule"]] = None
    out.loc[blank, "n_channels"] = np.nan

    # The report prints each topic's recent-window total next to its weeks, so the window's weeks form a line of
    # their own for secondary suppression (and so do the earlier weeks): no week falls out by subtraction.
    trend = suppress(periods[["topic_id", "period_start", "docs", "customers", "share", "net_sentiment",
                              "negative_share", "problem_cue_rate", "burst"]].assign(
                         _in_window=lambda t: t["period_start"] >= since), k=k,
                     group_cols=["topic_id", "_in_window", "period_start"],
                     value_cols=["docs", "customers", "share", "net_sentiment", "negative_share", "problem_cue_rate"]
                     ).drop(columns="_in_window")
    shown = out.loc[~blank & (out["customers"] >= quote_min_customers), "topic_id"].tolist()
    quotes = select_quotes(recent, shown, per_topic=quotes_per_topic, k=k)
    return {"signals": out[SIGNAL_COLUMNS], "signal_periods": trend[PERIOD_COLUMNS], "signal_segments": segments,
            "keyword_signals": keywords, "signal_quotes": quotes}
