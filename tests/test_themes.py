"""Themes: grouping topics by their centroids, and a theme's signal row from its topics' documents."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from signals import metrics, themes
from signals.topics import OUTLIER
from test_metrics import make_docs  # pytest puts tests/ on sys.path (no __init__.py there)


def centroids_of(groups: list[int]) -> np.ndarray:
    """One centroid per entry; entries with the same group share a direction (pairwise cosine ≈ 0.99, other
    pairs exactly 0), each nudged along a direction of its own."""
    dim = max(groups) + 1 + len(groups)
    out = np.zeros((len(groups), dim))
    for i, g in enumerate(groups):
        out[i, g] = 1.0
        out[i, max(groups) + 1 + i] = 0.1
    return out


def test_close_topics_form_one_theme_named_by_its_lowest_topic_id():
    ids = [12, 3, 7, 30, 9, 21, 4, 15, 40, 41]
    groups = [0, 0, 0, 0, 1, 1, 1, 2, 3, 4]   # 9 of 45 pairs are close: the 0.8 quantile falls between them
    theme_of = themes.group_topics(ids, centroids_of(groups), quantile=0.8)
    assert theme_of == {12: 3, 3: 3, 7: 3, 30: 3, 9: 4, 21: 4, 4: 4, 15: 15, 40: 40, 41: 41}
    assert themes.theme_members(theme_of) == {3: [3, 7, 12, 30], 4: [4, 9, 21], 15: [15], 40: [40], 41: [41]}


def test_the_cut_is_relative_to_the_corpus_not_a_fixed_similarity():
    # The same structure with every cosine compressed towards 0.8 (as e5's are) groups the same way.
    c = centroids_of([0, 0, 0, 0, 1, 1, 1, 2, 3, 4])
    c = c / np.linalg.norm(c, axis=1, keepdims=True)
    common = np.ones((len(c), 1)) * 2.0
    assert themes.group_topics(range(10), np.hstack([c, common]), 0.8) == \
        themes.group_topics(range(10), c, 0.8)


def test_off_or_too_few_topics_leaves_every_topic_alone():
    c = centroids_of([0, 0, 1, 1])
    assert themes.group_topics([5, 6, 7, 8], c, quantile=0) == {5: 5, 6: 6, 7: 7, 8: 8}
    assert themes.group_topics([5, 6], c[:2], quantile=0.8) == {5: 5, 6: 6}
    assert themes.group_topics([], np.zeros((0, 3)), quantile=0.8) == {}


def test_documents_take_their_topics_theme_and_the_outlier_pool_stays_out():
    got = themes.theme_ids([1, 2, OUTLIER, 99], {1: 1, 2: 1})
    assert got.tolist() == [1, 1, OUTLIER, 99]   # a topic the grouping did not see stands alone


def test_unrelated_topics_never_join_whatever_the_quantile():
    # All pairs equally unrelated (cosine 0): the quantile falls on 0, and 0 is not "alike".
    assert themes.group_topics([1, 2, 3, 4], np.eye(4), quantile=0.8) == {1: 1, 2: 2, 3: 3, 4: 4}
    with_zero = np.vstack([centroids_of([0, 0, 1, 2]), np.zeros((1, 7))])
    assert themes.group_topics([1, 2, 3, 4, 5], with_zero, quantile=0.8) == {1: 1, 2: 1, 3: 3, 4: 4, 5: 5}


def test_a_theme_row_counts_its_topics_documents_together():
    # Topics 1 and 2 (one theme) have 3 customers a week each: too few alone in a week, enough together.
    docs = make_docs({1: [3] * 8, 2: [3] * 8, 3: [6] * 8, OUTLIER: [2] * 8})
    lemmas = {1: "lasku virhe", 2: "hyvitys lasku", 3: "yhteys hidas", OUTLIER: "muu"}
    docs = docs.assign(lemmas=docs["topic_id"].map(lemmas), text=[f"text {d}" for d in docs["doc_id"]],
                       topic_prob=0.5, source="feedback", rating=np.nan)
    space = np.random.default_rng(0).normal(size=(len(docs), 8)).astype(np.float32)
    complete = np.ones(len(docs), dtype=bool)
    options = dict(window=4, k=5, quote_min_customers=10, quotes_per_topic=2)
    rows = themes.theme_signals(docs, space, {1: 1, 2: 1, 3: 3}, complete, top_n_words=5, **options)
    rows = rows.set_index("theme_id")
    assert sorted(rows.index) == [1, 3]   # the outlier pool is not a theme
    assert rows.loc[1, "n_topics"] == 2 and list(rows.loc[1, "topic_ids"]) == [1, 2]
    assert rows.loc[1, "docs"] == 24 and rows.loc[3, "docs"] == 24   # 4 weeks × (3 + 3), and 4 × 6
    assert "lasku" in rows.loc[1, "label"] and set(rows.loc[1, "keywords_fi"]) >= {"lasku", "hyvitys", "virhe"}
    # The same metrics a topic gets: the row of topic 3 alone equals theme 3's.
    topic_rows = metrics.signal_tables(docs, {3: "x"}, **options)["signals"].set_index("topic_id")
    for col in ("signal_class", "docs", "customers", "growth", "net_sentiment"):
        assert rows.loc[3, col] == topic_rows.loc[3, col]
    # Only documents of complete periods count in a theme's trend.
    last_week = docs["created_at"] >= docs["created_at"].max() - pd.Timedelta(days=6)
    partial = themes.theme_signals(docs, space, {1: 1, 2: 1, 3: 3}, ~last_week.to_numpy(), top_n_words=5,
                                   **options).set_index("theme_id")
    assert partial.loc[1, "docs"] == 24 and partial.loc[1, "period_start"] < rows.loc[1, "period_start"]


def test_a_theme_leaves_out_suppressed_topics_that_its_total_would_give_away():
    # Topic 2 alone has 4 customers in the window (suppressed): theme {1, 2} minus topic 1 would show them, so
    # the theme counts topic 1 only. Topics 4 and 5 are suppressed too, but together they are 8 customers.
    docs = make_docs({1: [6] * 8, 2: [1] * 8, 3: [6] * 8, 4: [1] * 8, 5: [1] * 8})
    docs = docs.assign(lemmas="lasku", text="text", topic_prob=0.5, source="feedback", rating=np.nan)
    space = np.random.default_rng(0).normal(size=(len(docs), 8)).astype(np.float32)
    options = dict(window=4, k=5, quote_min_customers=10, quotes_per_topic=2)
    theme_of = {1: 1, 2: 1, 3: 3, 4: 3, 5: 3}
    rows = themes.theme_signals(docs, space, theme_of, np.ones(len(docs), dtype=bool), top_n_words=5,
                                **options).set_index("theme_id")
    assert rows.loc[1, "docs"] == 24 and list(rows.loc[1, "topics_left_out"]) == [2]
    assert list(rows.loc[1, "topic_ids"]) == [1, 2] and not rows.loc[1, "suppressed"]
    assert rows.loc[3, "docs"] == 32 and list(rows.loc[3, "topics_left_out"]) == []
    # Shares rest on the same total as the topic table's, so comparing the two tables shows nothing.
    topic_rows = metrics.signal_tables(docs, {}, **options)["signals"].set_index("topic_id")
    total = topic_rows.loc[1, "docs"] / topic_rows.loc[1, "share_window"]
    assert rows.loc[1, "docs"] / rows.loc[1, "share_window"] == pytest.approx(total)


def test_a_left_out_topic_keeps_its_past_in_the_theme():
    # Topic 2 was large and has faded to 4 customers in the window: the theme it sat in has shrunk, and says so.
    docs = make_docs({1: [6] * 8, 2: [30] * 4 + [1] * 4, 3: [6] * 8})
    docs = docs.assign(lemmas="lasku", text="text", topic_prob=0.5, source="feedback", rating=np.nan)
    space = np.random.default_rng(0).normal(size=(len(docs), 8)).astype(np.float32)
    rows = themes.theme_signals(docs, space, {1: 1, 2: 1, 3: 3}, np.ones(len(docs), dtype=bool), top_n_words=5,
                                window=4, k=5, quote_min_customers=10, quotes_per_topic=2).set_index("theme_id")
    assert list(rows.loc[1, "topics_left_out"]) == [2] and rows.loc[1, "docs"] == 24
    assert rows.loc[1, "growth"] < 0 and rows.loc[1, "signal_class"] == "fading"


def test_themes_are_carried_and_new_topics_join_the_closest_or_stand_alone():
    # Last night: topics 1–4 in theme 1, 5–6 in theme 5, 7–9 alone. Tonight topic 1 (the theme's name) has
    # retired, 10 is close to theme 5's topics and 11 to nothing.
    groups = {2: 0, 3: 0, 4: 0, 5: 1, 6: 1, 7: 2, 8: 3, 9: 4, 10: 1, 11: 5}
    ids = list(groups)
    previous = {1: 1, 2: 1, 3: 1, 4: 1, 5: 5, 6: 5, 7: 7, 8: 8, 9: 9}
    got = themes.carry_themes(previous, ids, centroids_of([groups[t] for t in ids]), quantile=0.8)
    assert got == {2: 1, 3: 1, 4: 1, 5: 5, 6: 5, 10: 5, 7: 7, 8: 8, 9: 9, 11: 11}
    # Kept topics keep their theme even where a fresh grouping would differ; no previous grouping: fresh.
    moved = {**previous, 7: 1}
    assert themes.carry_themes(moved, ids, centroids_of([groups[t] for t in ids]), 0.8)[7] == 1
    assert themes.carry_themes(None, ids, centroids_of([groups[t] for t in ids]), 0.8) == \
        themes.group_topics(ids, centroids_of([groups[t] for t in ids]), 0.8)
    assert themes.carry_themes(previous, ids, centroids_of([groups[t] for t in ids]), 0) == {t: t for t in ids}
    # Down to two topics, carried themes still hold (a fresh grouping needs three).
    assert themes.carry_themes({2: 1, 3: 1}, [2, 3], centroids_of([0, 1]), 0.8) == {2: 1, 3: 1}


def test_stored_themes_only_when_grouped_under_the_same_setting():
    registry = pd.DataFrame({"topic_id": [1, 2, 3], "theme_id": [1, 1, 3]})
    model = pd.DataFrame({"theme_quantile": [0.8]})
    assert themes.stored_themes(model, registry, 0.8) == {1: 1, 2: 1, 3: 3}
    assert themes.stored_themes(model, registry, 0.7) is None                       # setting changed
    assert themes.stored_themes(model.assign(theme_quantile=None), registry, 0.8) is None
    assert themes.stored_themes(model, registry.drop(columns="theme_id"), 0.8) is None   # before themes
    assert themes.stored_themes(model, registry.iloc[:0], 0.8) is None
