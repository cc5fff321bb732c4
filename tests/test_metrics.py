"""Silent-signal metrics: small hand-made frames with numbers checked by hand."""
from __future__ import annotations

import datetime as dt
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
