"""Silent-signal metrics: small hand-made frames with numbers checked by hand."""
from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from signals import metrics as M

MONDAY = pd.Timestamp("2026-01-05 10:00", tz="UTC")  # 12:00 in Helsinki, ISO week 2


def make_docs(spec: dict[int, list[int]], *, start=MONDAY, per_topic=None) -> pd.DataFrame:
    """spec: topic_id -> documents per week. per_topic[tid] = dict of column overrides (callables of i)."""
    per_topic = per_topic or {}
    rows = []
    for tid, counts in spec.items():
        i = 0
        for week, n in enumerate(counts):
            for _ in range(n):
                row = {
                    "doc_id": f"t{tid}-{i}", "customer_key": f"c{tid}-{i}",
                    "created_at": start + pd.Timedelta(weeks=week, hours=i % 48),
                    "channel": ["chat", "phone"][i % 2], "lang": ["fi", "en"][i % 2], "segment": None,
                    "sentiment": 0.0, "sentiment_label": "neutral", "dominant_emotion": "neutral",
                    **{c: False for c in M.PROBLEM_CUES + ("cue_praise",)},
                    "is_repeat_contact": False, "topic_id": tid,
                }
                for col, fn in per_topic.get(tid, {}).items():
                    row[col] = fn(i)
                rows.append(row)
                i += 1
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------ periods

def test_topic_periods_fills_gaps_and_uses_local_weeks():
    docs = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d", "e"],
        "customer_key": ["x", "x", "y", "z", "z"],
        # 2026-03-01 22:30 UTC is Monday 2026-03-02 00:30 in Helsinki: week of 2026-03-02, not 02-23
        "created_at": pd.to_datetime(["2026-03-01 22:30", "2026-03-03 09:00", "2026-03-17 09:00",
                                      "2026-03-10 09:00", "2026-03-04 09:00"], utc=True),
        "sentiment": [-0.8, 0.6, -0.2, 0.0, 0.9],
        "sentiment_label": ["negative", "positive", "negative", "neutral", "positive"],
        "dominant_emotion": ["anger", "joy", "anger", "neutral", "trust"],
        "cue_repeat_contact": [True, False, True, False, False],
        "is_repeat_contact": [True, False, False, False, False],
        "lang": ["fi", "en", "fi", "fi", "en"],
        "topic_id": [0, 0, 0, 1, 1],
    })
    p = M.topic_periods(docs)
    weeks = [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)]
    assert list(p["period_start"].unique()) == weeks
    t0 = p[p.topic_id == 0].set_index("period_start")
    t1 = p[p.topic_id == 1].set_index("period_start")
    assert t0["docs"].tolist() == [2, 0, 1]                 # empty week kept
    assert t0["customers"].tolist() == [1, 0, 1]            # x twice = one customer
    assert t1["docs"].tolist() == [1, 1, 0]
    assert t0.loc[weeks[0], "period_docs"] == 3
    assert t0.loc[weeks[0], "share"] == pytest.approx(2 / 3)
    assert t0.loc[weeks[1], "share"] == 0.0
    assert t0.loc[weeks[0], "net_sentiment"] == pytest.approx(0.0)        # 50 % pos − 50 % neg
    assert t1.loc[weeks[0], "net_sentiment"] == pytest.approx(100.0)
    assert t0.loc[weeks[0], "sentiment_mean"] == pytest.approx(-0.1)
    assert t0.loc[weeks[0], "emo_share_anger"] == pytest.approx(0.5)
    assert t0.loc[weeks[0], "cue_repeat_contact_rate"] == pytest.approx(0.5)
    assert t0.loc[weeks[0], "repeat_contact_rate"] == pytest.approx(0.5)
    assert np.isnan(t0.loc[weeks[1], "net_sentiment"])

    by_lang = M.topic_periods(docs, segment_by="lang")
    assert len(by_lang) == 2 * 3 * 2                        # topics × weeks × languages
    cell = by_lang[(by_lang.topic_id == 0) & (by_lang.period_start == weeks[0]) & (by_lang.lang == "en")]
    assert cell["docs"].item() == 1 and cell["share"].item() == pytest.approx(1 / 2)  # of the week's en docs

    months = M.topic_periods(docs, period="M")
    assert set(months["period_start"]) == {dt.date(2026, 3, 1)}


# ---------------------------------------------------------------------------------------- period metrics

def test_dov_dod_three_periods_by_hand():
    tf, df, nn = [1, 2, 4], [1, 1, 2], [10, 10, 10]
    # factors 1 − 0.05 × (3 − j) = 0.90, 0.95, 1.00
    assert M.degree_of_visibility(tf, nn, 0.05) == pytest.approx([0.09, 0.19, 0.40])
    assert M.degree_of_visibility(df, nn, 0.05) == pytest.approx([0.09, 0.095, 0.20])
    # a too large time weight is capped at 1/n: factors 1/3, 2/3, 1 — never negative
    assert M.time_factors(3, 0.5) == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert (M.time_factors(100, 0.05) > 0).all()
    assert M.degree_of_visibility([1], [0]) == pytest.approx([0.0])          # empty period

    periods = pd.DataFrame({"topic_id": [3] * 3, "period_start": [1, 2, 3], "docs": tf, "customers": df,
                            "period_docs": nn, "share": [0.1, 0.2, 0.4]})
    m = M.topic_metrics(periods, window=3, time_weight=0.05).iloc[0]
    assert m["dov_mean"] == pytest.approx((0.09 + 0.19 + 0.40) / 3)
    assert m["dod_mean"] == pytest.approx((0.09 + 0.095 + 0.20) / 3)
    # rate from add-one smoothed DoV: ((4+1)/11 × 1.0) / ((1+1)/11 × 0.9) = 2.777…, per period over 2 steps
    assert m["dov_rate"] == pytest.approx(math.sqrt(5 / (2 * 0.9)) - 1)
    assert m["cagr"] == pytest.approx(math.sqrt(5 / 2) - 1)
    assert m["slope_docs"] == pytest.approx(1.5)   # OLS of 1, 2, 4 over 0, 1, 2


def test_decayed_popularity():
    assert M.decayed_popularity([1, 0, 2], decay=math.log(2)) == pytest.approx([1.0, 0.5, 2.25])
    assert M.decayed_popularity([3, 3], decay=0.3) == pytest.approx([3, 3 * math.exp(-0.3) + 3])


def test_kleinberg_burst_on_spike_and_not_on_flat():
    totals = [100] * 6
    spike = M.kleinberg_bursts([2, 2, 2, 20, 2, 2], totals)
    assert spike.tolist() == [False, False, False, True, False, False]
    assert not M.kleinberg_bursts([5, 5, 5, 5, 5, 5], totals).any()
    assert not M.kleinberg_bursts([0, 0, 0], [10, 10, 10]).any()
    # a high transition cost swallows the spike
    assert not M.kleinberg_bursts([2, 2, 2, 20, 2, 2], totals, gamma=10).any()

    periods = pd.DataFrame({"topic_id": [1] * 6, "period_start": range(6), "docs": [2, 2, 2, 20, 2, 2],
                            "customers": [2, 2, 2, 20, 2, 2], "period_docs": totals, "share": 0.0})
    m = M.topic_metrics(periods, window=4).iloc[0]
    assert m["first_burst"] == 3 and m["burst_in_window"] and not m["burst_last"]


# ---------------------------------------------------------------------------------------- classification

SPEC = {
    0: [40] * 12,                            # large, flat            → well_known
    1: [10] * 8 + [15, 20, 25, 30],          # large, growing         → strong
    2: [0] * 8 + [1, 2, 3, 5],               # new, small, growing    → weak
    3: [2] * 12,                             # small, flat            → latent
    4: [6] * 8 + [0, 0, 0, 0],               # gone in the window     → fading
    5: [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0],  # 3 docs in all          → noise
}
WEAK_NEGATIVE = {
    "sentiment_label": lambda i: "negative", "sentiment": lambda i: -0.7,
    "dominant_emotion": lambda i: "anger", "cue_repeat_contact": lambda i: i % 5 < 2,
    "is_repeat_contact": lambda i: i % 5 < 2,
}


@pytest.fixture(scope="module")
def synthetic():
    docs = make_docs(SPEC, per_topic={2: WEAK_NEGATIVE})
    periods = M.topic_periods(docs)
    metrics = M.topic_metrics(periods, window=4)
    classified = M.classify_signals(metrics)
    first_window_week = sorted(periods["period_start"].unique())[-4]
    profile = M.topic_profile(docs, since=first_window_week)
    return docs, periods, metrics, classified, profile


def test_each_class_on_a_topic_built_for_it(synthetic):
    _, _, metrics, classified, _ = synthetic
    got = dict(zip(classified["topic_id"], classified["signal_class"]))
    assert got == {0: "well_known", 1: "strong", 2: "weak", 3: "latent", 4: "fading", 5: "noise"}

    m = metrics.set_index("topic_id")
    # strong: past level 10, recent 22.5, centres 6 periods apart → (23.5 / 11) ** (1/6) − 1
    assert m.loc[1, "growth"] == pytest.approx((23.5 / 11) ** (1 / 6) - 1)
    # window docs: 160 + 90 + 11 + 8 + 0 + 0 = 269
    assert m.loc[2, "share_window"] == pytest.approx(11 / 269)
    assert m.loc[2, "is_new"] and not m.loc[1, "is_new"]
    assert m.loc[4, "growth"] == pytest.approx((1 / 7) ** (1 / 6) - 1)

    rules = classified.set_index("topic_id")["rule"]
    assert "→ weak" in rules[2] and "new topic" in rules[2] and "4.1 % < 5.0 %" in rules[2]
    assert "→ well_known" in rules[0] and "growth +0 %/period < +10 %" in rules[0]
    assert "→ fading" in rules[4]
    assert "3 docs < 10" in rules[5]
    for col in ("share_window", "growth", "slope_docs", "dov_rate", "docs_window"):
        assert col in classified.columns


def test_classification_thresholds_and_fading_by_level():
    base = dict(n_periods=12, window=4, is_new=False, docs_total=100, docs_window=20, slope_docs=0.0,
                share_window=0.02, dov_rate=0.0)
    rows = pd.DataFrame([
        {**base, "topic_id": 1, "mean_past": 10.0, "mean_window": 2.0, "growth": -0.05},   # level collapse
        {**base, "topic_id": 2, "mean_past": 2.0, "mean_window": 5.0, "growth": 0.25, "slope_docs": -1.0},
        {**base, "topic_id": 3, "mean_past": 2.0, "mean_window": 5.0, "growth": 0.25, "share_window": 0.3},
        {**base, "topic_id": -1, "mean_past": 2.0, "mean_window": 5.0, "growth": 0.25},
    ])
    got = M.classify_signals(rows).set_index("topic_id")
    assert got.loc[1, "signal_class"] == "fading" and "≤ 25% of past level" in got.loc[1, "rule"]
    assert got.loc[2, "signal_class"] == "latent" and "not rising" in got.loc[2, "rule"]
    assert got.loc[3, "signal_class"] == "strong"
    assert got.loc[-1, "signal_class"] == "noise"
    assert M.classify_signals(rows, small_share=0.5).set_index("topic_id").loc[3, "signal_class"] == "weak"


def test_priority_weak_negative_above_well_known(synthetic):
    _, _, _, classified, profile = synthetic
    score = M.priority_score(classified, profile)
    assert score[2] > score[3] > 0
    assert score[2] > score[0] and score[0] == 0.0           # well-known is not flagged
    assert score[5] == 0.0                                    # noise neither
    assert score[1] >= 2 and score[2] >= 2 and score[4] < 2   # weak/strong tier first
    ranked = M.rank_signals(classified, profile)
    assert ranked["topic_id"].tolist()[:2] in ([2, 1], [1, 2])


def test_explanation_contains_key_facts(synthetic):
    _, _, _, classified, profile = synthetic
    ranked = M.rank_signals(classified, profile).set_index("topic_id")
    text = ranked.loc[2, "explanation"]
    # topic 2 appears in week 9 of the synthetic calendar: 2026-01-05 + 8 weeks = 2026-03-02, ISO week 10
    assert text.startswith("weak signal")
    assert "new since week 10 (2026-03-02)" in text
    assert "11 docs in the last 4 weeks" in text
    assert "mostly anger (100 %)" in text
    assert "100 % negative" in text
    rate = profile.set_index("topic_id").loc[2, "cue_repeat_contact_rate"]
    assert rate == pytest.approx(5 / 11)                      # i % 5 < 2 for i = 0..10
    assert f"{100 * rate:.0f} % mention repeat contacts" in text
    assert "both languages" in text and "all channels" in text
    assert "→" not in text
    assert "3.0× its earlier level" not in ranked.loc[0, "explanation"]
    assert "steady at 40.0 docs/week" in ranked.loc[0, "explanation"]


@pytest.mark.parametrize("share,phrase", [(0.75, "mostly feelings (75 % of sentences)"),
                                          (0.2, "mostly facts (feelings in 20 % of sentences)"),
                                          (0.45, None), (float("nan"), None)])
def test_explanation_says_fact_or_feeling_only_when_clear(share, phrase):
    text = M.explain({"topic_id": 3, "signal_class": "weak", "label": "x", "feeling_share": share})
    assert (phrase in text) if phrase else ("mostly f" not in text)


@pytest.mark.parametrize("gap,phrase", [(-45.0, "Finnish customers 45 points more negative than English"),
                                        (32.0, "Finnish customers 32 points more positive than English"),
                                        (25.0, None), (-20.0, None), (float("nan"), None)])
def test_explanation_names_a_language_gap_only_beyond_the_models_own_language_bias(gap, phrase):
    text = M.explain({"topic_id": 3, "signal_class": "weak", "label": "x", "fi_en_gap": gap})
    assert (phrase in text) if phrase else ("Finnish customers" not in text)


def test_explanation_is_exact_about_languages_emotion_ties_and_repeat_contacts():
    base = {"topic_id": 3, "signal_class": "latent", "label": "x"}
    assert "English only" in M.explain({**base, "langs": ["en"], "unlisted_lang_share": 0.0})
    mixed = M.explain({**base, "langs": ["en"], "unlisted_lang_share": 0.57})   # e.g. 3 en, 3 other, 1 fi
    assert "mostly English" in mixed and "only" not in mixed
    tie = M.explain({**base, "top_emotion": "trust", "top_emotion_share": 1 / 7,
                     "emotion_mix": {"trust": 1 / 7, "anger": 1 / 7, "disgust": 1 / 7, "neutral": 4 / 7}})
    assert "top emotions anger, disgust, trust (14 % each)" in tie
    assert "all channels" not in M.explain({**base, "all_channels": float("nan")})   # no recent documents
    both = M.explain({**base, "cue_repeat_contact_rate": 0.2, "repeat_contact_rate": 0.55})
    assert "20 % mention repeat contacts" in both and "55 % are repeat contacts" in both


# ---------------------------------------------------------------------------------------------- privacy

def test_suppression_primary_and_secondary():
    table = pd.DataFrame({
        "topic_id": [0, 0, 0, 1, 1, 1, 2, 2, 2],
        "lang": ["fi", "en", "other"] * 3,
        "customers": [3, 10, 20, 12, 8, 30, 15, 9, 40],
        "docs": [4, 11, 25, 13, 9, 33, 18, 9, 41],
    })
    out = M.suppress(table, k=5, group_cols=["topic_id", "lang"])
    hidden = set(zip(out.loc[out.suppressed, "topic_id"], out.loc[out.suppressed, "lang"]))
    # primary (0, fi); row 0 → next smallest (0, en); column fi → (1, fi); column en → (1, en)
    assert hidden == {(0, "fi"), (0, "en"), (1, "fi"), (1, "en")}
    assert out.loc[out.suppressed, ["customers", "docs"]].isna().all().all()
    assert out.loc[~out.suppressed, "docs"].tolist() == [25, 33, 18, 9, 41]
    # no line (row or column) has exactly one blank, so no blank equals total − visible cells
    for col in ("topic_id", "lang"):
        per_line = out.groupby(col)["suppressed"].sum()
        assert not (per_line == 1).any()
    row0_total = table[table.topic_id == 0]["docs"].sum()
    visible = out[(out.topic_id == 0) & ~out.suppressed]["docs"].sum()
    assert row0_total - visible == 4 + 11 != 4                 # only the sum of two blanks is known


def test_suppression_bounds_and_defaults():
    table = pd.DataFrame({"topic_id": [0, 1, 2], "customers": [4, 5, 0], "share": [0.1, 0.2, 0.0]})
    out = M.suppress(table, k=5)
    assert out["suppressed"].tolist() == [True, False, False]   # 5 is enough, 0 reveals no one
    assert np.isnan(out.loc[0, "share"]) and np.isnan(out.loc[0, "customers"])
    assert out.loc[0, "topic_id"] == 0                          # group/id columns untouched when named
    assert M.suppress(table, k=5, value_cols=["share"]).loc[0, "customers"] == 4


# ------------------------------------------------------------------- segments, keywords, ratings, quotes

def doc_frame(rows: list[dict]) -> pd.DataFrame:
    """Documents with every column the signal tables read; rows override the neutral defaults."""
    base = {"customer_key": None, "channel": "chat", "lang": "fi", "segment": None, "sentiment": 0.0,
            "sentiment_label": "neutral", "dominant_emotion": "neutral", "is_repeat_contact": False,
            "lemmas": "", "text": "a readable customer text about the topic", "topic_prob": 0.5,
            "source": "feedback", "rating": np.nan, **{c: False for c in M.PROBLEM_CUES + ("cue_praise",)}}
    out = pd.DataFrame([{**base, "doc_id": f"d{i}", **r} for i, r in enumerate(rows)])
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True)
    return out


def weeks_of(docs):
    starts = M.period_start(docs["created_at"])
    return starts, M.period_range(starts.min(), starts.max(), "W")


def test_distinct_customers_counts_anonymous_documents_one_each():
    assert M.distinct_customers(pd.Series(["a", "a", "b", None, None])) == 4
    assert M.distinct_customers(pd.Series([], dtype=object)) == 0


def test_segment_gaps_finnish_unhappier_and_small_cells_suppressed():
    rows = []
    for week in range(6):
        for i in range(6):  # per week 6 fi (negative) and 6 en (positive) documents of topic 0
            rows.append({"topic_id": 0, "created_at": MONDAY + pd.Timedelta(weeks=week, hours=i), "lang": "fi",
                         "customer_key": f"fi{week}-{i}", "sentiment_label": "negative", "channel": "phone"})
            rows.append({"topic_id": 0, "created_at": MONDAY + pd.Timedelta(weeks=week, hours=i), "lang": "en",
                         "customer_key": f"en{week}-{i}", "sentiment_label": "positive", "channel": "chat"})
    for t in (1, 2):  # 6 fi + 5 en a week, plus 3 Swedish documents: a cell below k in each
        for week in range(6):
            for i in range(11):
                rows.append({"topic_id": t, "created_at": MONDAY + pd.Timedelta(weeks=week, hours=i),
                             "lang": "fi" if i < 6 else "en", "customer_key": f"t{t}-{week}-{i}"})
        for i in range(3):
            rows.append({"topic_id": t, "created_at": MONDAY + pd.Timedelta(weeks=5), "lang": "other",
                         "customer_key": f"sv{t}-{i}"})
    docs = doc_frame(rows)
    starts, weeks = weeks_of(docs)
    seg = M.segment_gaps(docs, starts, weeks, window=4, k=5)
    assert set(seg["dimension"]) == {"lang", "channel"}               # segment is all missing: left out
    lang = seg[(seg.dimension == "lang") & (seg.topic_id == 0)].set_index("value")
    assert lang.loc["fi", "docs"] == 24 and lang.loc["en", "docs"] == 24
    assert lang.loc["fi", "net_sentiment"] == -100 and lang.loc["en", "net_sentiment"] == 100
    assert lang.loc["fi", "gap"] == pytest.approx(-100) and lang.loc["en", "gap"] == pytest.approx(100)
    assert lang.loc["fi", "share_of_topic"] == pytest.approx(0.5)
    assert lang.loc["fi", "share_of_segment"] == pytest.approx(24 / 72)    # topics 1, 2 have 24 fi docs each
    assert lang.loc["fi", "growth"] == pytest.approx(0.0)              # 6 a week before and after
    for t in (1, 2):
        cells = seg[(seg.dimension == "lang") & (seg.topic_id == t)].set_index("value")
        assert cells.loc["other", "suppressed"] and np.isnan(cells.loc["other", "docs"])
        # secondary: the topic's total is published, so its smaller cell goes too (else other = total − fi − en)
        assert cells.loc["en", "suppressed"] and cells.loc["fi", "docs"] == 24
    assert not lang["suppressed"].any()
    lines = seg[seg.dimension == "lang"]
    for col in ("topic_id", "value"):
        assert not (lines.groupby(col)["suppressed"].sum() == 1).any()
    recent = docs[(starts >= weeks[2]).to_numpy()]
    # Topics 1 and 2: English is hidden in the segment table only to protect Swedish, so it still has a gap.
    assert M.fi_en_gap(recent).to_dict() == {0: pytest.approx(-200), 1: 0.0, 2: 0.0}
    assert M.fi_en_gap(recent, k=30).empty   # 24 customers per language: below this k, no gap at all


def test_keyword_inside_a_steady_topic_is_flagged_and_alerted():
    rows = []
    for week in range(10):
        for i in range(10):
            new = week >= 7 and i < 4   # from week 8 on, 4 a week mention a new fee
            rows.append({"topic_id": 3, "created_at": MONDAY + pd.Timedelta(weeks=week, hours=i),
                         "customer_key": f"c{week}-{i}", "sentiment_label": "negative" if new else "neutral",
                         "lemmas": "lasku maksu" + (" palvelumaksu" if new else "")})
    docs = doc_frame(rows)
    starts, weeks = weeks_of(docs)
    kw = M.keyword_signals(docs, starts, weeks, window=4, k=5, min_docs=5).set_index("keyword")
    assert kw.loc["palvelumaksu", "is_new"] and kw.loc["palvelumaksu", "signal_class"] in ("weak", "strong")
    assert kw.loc["palvelumaksu", "docs"] == 12 and kw.loc["palvelumaksu", "net_sentiment"] == -100
    assert kw.loc["lasku", "signal_class"] == "well_known" and not kw.loc["lasku", "is_new"]
    alerts = M.keyword_alerts(kw.reset_index(), pd.Series({3: 0.0}))
    assert alerts.loc[3] == "palvelumaksu (new)"
    # with k above the keyword's customers it is blanked and no longer alerted
    kw_k = M.keyword_signals(docs, starts, weeks, window=4, k=13, min_docs=5).set_index("keyword")
    assert kw_k.loc["palvelumaksu", "suppressed"] and np.isnan(kw_k.loc["palvelumaksu", "docs"])
    assert 3 not in M.keyword_alerts(kw_k.reset_index(), pd.Series({3: 0.0})).index

    # Two customers mentioned "hinta" before the window, eight within it: the row stays, its earlier count goes.
    extra = [{"topic_id": 3, "created_at": MONDAY + pd.Timedelta(weeks=w, hours=20), "customer_key": f"h{i}",
              "lemmas": "hinta"} for i, w in enumerate((1, 2, 6, 6, 7, 7, 8, 8, 9, 9))]
    both = pd.concat([docs, doc_frame(extra)], ignore_index=True)
    kw_h = M.keyword_signals(both, *weeks_of(both), window=4, k=5, min_docs=5).set_index("keyword")
    assert kw_h.loc["hinta", "docs"] == 8 and not kw_h.loc["hinta", "suppressed"]
    assert np.isnan(kw_h.loc["hinta", "docs_past"])


def test_rating_impact_by_hand():
    docs = doc_frame([{"topic_id": t, "rating": r, "created_at": MONDAY}
                      for t, r in [(0, 1.0), (0, 2.0), (1, 5.0), (1, 4.0), (2, np.nan)]])
    got = M.rating_impact(docs).set_index("topic_id")
    # all rated: mean 3.0; without topic 0: 4.5 → impact −1.5; without topic 1: 1.5 → +1.5
    assert got.loc[0, "rating_impact"] == pytest.approx(-1.5) and got.loc[1, "rating_impact"] == pytest.approx(1.5)
    assert got.loc[0, "rated_docs"] == 2 and 2 not in got.index
    assert M.rating_impact(docs.assign(rating=np.nan)).empty
    small = M.rating_impact(docs, k=3).set_index("topic_id")   # two rated customers per topic: impact hidden
    assert small["rating_impact"].isna().all() and small.loc[0, "rated_docs"] == 2


def test_quotes_typical_one_per_customer_alternating_languages():
    rows = [{"topic_id": 0, "created_at": MONDAY, "customer_key": c, "lang": lang, "topic_prob": p,
             "text": f"quote number {i} from a customer, long enough to read"}
            for i, (c, lang, p) in enumerate([("a", "fi", 0.9), ("a", "fi", 0.95), ("b", "fi", 0.8),
                                              ("c", "en", 0.7), ("d", "en", 0.6), ("e", "fi", 0.85)])]
    rows.append({"topic_id": 1, "created_at": MONDAY, "customer_key": "z", "text": "not eligible at all here"})
    docs = doc_frame(rows)
    q = M.select_quotes(docs, [0], per_topic=3)
    assert q["topic_id"].tolist() == [0, 0, 0] and q["rank"].tolist() == [1, 2, 3]
    # fi is the topic's main language: best fi (customer a's 0.95), best en, next fi (e 0.85)
    assert q["doc_id"].tolist() == ["d1", "d3", "d5"]
    assert q["text"].tolist() == docs.set_index("doc_id").loc[["d1", "d3", "d5"], "text"].tolist()
    # With k = 3, English (2 customers) gives no quote: its language, date and channel would point at them.
    assert M.select_quotes(docs, [0], per_topic=3, k=3)["doc_id"].tolist() == ["d1", "d5", "d2"]


@pytest.fixture(scope="module")
def tables():
    docs = make_docs({**SPEC, 6: [1] * 12}, per_topic={2: WEAK_NEGATIVE})  # topic 6: 4 customers in window
    docs = docs.assign(text=[f"text of {d}, which is long enough to quote" for d in docs["doc_id"]],
                       topic_prob=0.5, source="feedback", lemmas="", rating=np.nan)
    labels = {t: f"topic {t}" for t in range(7)}
    return M.signal_tables(docs, labels, window=4, k=5, quote_min_customers=10, quotes_per_topic=2)


def test_signal_tables_quotes_only_above_the_higher_threshold(tables):
    s = tables["signals"].set_index("topic_id")
    q = tables["signal_quotes"]
    quoted = set(q["topic_id"])
    assert quoted and all(s.loc[t, "customers"] >= 10 for t in quoted)
    assert 3 not in quoted                       # 8 customers in the window: counted, but not quoted
    assert not s.loc[6, "customers"] >= 5 and s.loc[6, "suppressed"] and 6 not in quoted
    assert s.loc[6, "explanation"].startswith("suppressed") and pd.isna(s.loc[6, "emotion_mix"])
    assert s.loc[6, ["top_emotion", "langs", "channels", "rule"]].isna().all() and pd.isna(s.loc[6, "n_channels"])
    assert q.groupby("topic_id").size().max() == 2


def test_signal_tables_periods_and_columns(tables):
    s, p = tables["signals"], tables["signal_periods"]
    assert list(s.columns) == M.SIGNAL_COLUMNS and list(p.columns) == M.PERIOD_COLUMNS
    p0 = p[p.topic_id == 0]
    assert len(p0) == 12 and (p0["docs"] == 40).all() and not p0["suppressed"].any()
    p6 = p[p.topic_id == 6]
    assert p6["suppressed"].all() and p6["docs"].isna().all()      # 1 customer a week
    row = s.set_index("topic_id").loc[2]
    assert row["effort_rate"] == pytest.approx(row["repeat_contact_rate"], abs=0.3)
    assert json.loads(row["emotion_mix"]) == {"anger": 1.0}


def test_no_week_of_the_recent_window_falls_out_of_its_printed_total():
    # One small week inside the 4-week window and one before it: over the whole row two cells are hidden, but
    # the report prints the window's total next to its weeks, so a second window week must be hidden too.
    docs = make_docs({0: [40] * 12, 1: [8, 8, 8, 8, 8, 2, 8, 8, 8, 3, 8, 9]})
    docs = docs.assign(text="x", topic_prob=0.5, source="feedback", lemmas="", rating=np.nan)
    p = M.signal_tables(docs, {0: "a", 1: "b"}, window=4, k=5)["signal_periods"]
    p1 = p[p.topic_id == 1].reset_index(drop=True)
    assert p1.loc[[5, 9], "suppressed"].all()
    assert p1.loc[8:11, "suppressed"].sum() == 2 and p1.loc[0:7, "suppressed"].sum() == 2


def test_an_earlier_level_from_fewer_than_k_customers_is_not_printed():
    docs = make_docs({0: [40] * 12, 1: [0, 0, 0, 0, 0, 0, 1, 2, 5, 6, 7, 8]})   # topic 1: 3 customers before
    docs = docs.assign(text="x", topic_prob=0.5, source="feedback", lemmas="", rating=np.nan)
    s = M.signal_tables(docs, {0: "a", 1: "b"}, window=4, k=5)["signals"].set_index("topic_id")
    text = s.loc[1, "explanation"]
    assert "up from documents of fewer than 5 customers before" in text and "→" not in text
    assert "steady at 40.0 docs/week" in s.loc[0, "explanation"]   # 320 customers before: the level shows


def test_trends_use_complete_periods_only():
    at = pd.Series(pd.to_datetime(["2026-11-16T10:00Z", "2026-11-22T21:30Z",    # Sunday 23:30 in Helsinki
                                   "2026-11-22T23:30Z", "2026-11-24T08:00Z"]))  # Monday 01:30; Tuesday
    assert M.in_complete_periods(at, dt.date(2026, 11, 24)).tolist() == [True, True, False, False]
    assert M.in_complete_periods(at, dt.date(2026, 11, 29)).tolist() == [True] * 4   # the Sunday completes it
    assert M.in_complete_periods(at, dt.date(2026, 11, 29), period="M").tolist() == [False] * 4
    assert M.in_complete_periods(at, dt.date(2026, 11, 30), period="M").tolist() == [True] * 4
