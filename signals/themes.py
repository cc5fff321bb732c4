"""Themes: groups of related topics, so that a subject spread over many small topics is seen as a whole.

Topics are kept small on purpose (a new complaint must not drown in a large one), so one subject can
span many of them: on the sample corpus the planted billing theme is 13 topics of 20–75 documents
(double charges, refunds, monthly fees …), none of which leadership would call "billing". A theme
joins topics whose centroids are close, by average-linkage clustering of the centroids (cosine), cut
where the average similarity between two groups falls below a quantile of all pairwise centroid
similarities. The cut is relative because e5's cosines are compressed and the language correction
shifts them: a fixed similarity would mean different things on different corpora.

A theme's id is its lowest topic id when it forms; a topic alone is a theme of its own with the topic's id.
Themes are grouped once, on the first run (or when `topics.theme_quantile` changes), and then carried from
night to night in the topic registry (`carry_themes`): a topic keeps its theme, a new topic joins the
closest theme or stands alone, a theme ends when its last topic retires. A theme keeps its id even when
the topic that gave it retires (topic ids are never reused, so theme ids stay unique). There are no theme
events: `theme_signals.topic_ids` says what a theme holds each night.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist, squareform

from signals import metrics
from signals.topics import OUTLIER, build_topics_table


def _distances(centroids: np.ndarray) -> np.ndarray:
    """Condensed float64 cosine distances; one vector serves both the cut and the grouping, so rounding cannot
    put a pair on either side of the cut. A zero centroid (no direction) counts as unrelated to everything."""
    unit = np.asarray(centroids, dtype=np.float64)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    return np.nan_to_num(pdist(unit, metric="cosine"), nan=1.0)


def _cut(dist: np.ndarray, quantile: float) -> float:
    """The largest average distance at which groups still join: the `quantile` of pairwise similarities, and
    never a similarity of 0 or below (in the language-centred space, no more alike than unrelated topics)."""
    return min(float(np.quantile(dist, 1.0 - quantile)), float(np.nextafter(1.0, 0.0)))


def group_topics(topic_ids: Sequence[int], centroids: np.ndarray, quantile: float) -> dict[int, int]:
    """topic id → theme id (the lowest topic id in its group); `quantile` 0 leaves every topic alone.

    Groups join while their average centroid similarity is within the top (1 − `quantile`) of all pairwise
    similarities between topic centroids (0.8: the top fifth) and above 0.
    """
    ids = [int(t) for t in topic_ids]
    if quantile <= 0 or len(ids) < 3:
        return {t: t for t in ids}
    dist = _distances(centroids)
    groups = fcluster(linkage(dist, method="average"), t=_cut(dist, quantile), criterion="distance")
    first = pd.Series(ids).groupby(groups).transform("min")
    return dict(zip(ids, first.astype(int).tolist()))


def carry_themes(previous: dict[int, int] | None, topic_ids: Sequence[int], centroids: np.ndarray,
                 quantile: float) -> dict[int, int]:
    """Tonight's themes from last night's: a topic keeps its theme; a new topic joins the theme whose current
    topics are closest to it on average if that is within the cut (see group_topics), else stands alone.

    Regrouping every night made themes jump: a refit moves centroids a little and adds or retires topics,
    and average linkage near its cut then regroups whole subjects (over the refit of `signals eval stability`
    on the sample corpus, 0.68–0.94 of shared documents kept their theme id when regrouped, 0.976–0.982 when
    carried; two embedding runs). Without a previous grouping (the first run, an older warehouse, a changed
    `theme_quantile`) or when none of tonight's topics was in it, the topics are grouped afresh. Carried
    groups never split or merge, even where their centroids have drifted apart: regrouping is left to a
    changed `theme_quantile`.
    """
    ids = [int(t) for t in topic_ids]
    if quantile <= 0:
        return {t: t for t in ids}
    if not previous or not any(t in previous for t in ids):
        return group_topics(ids, centroids, quantile)
    dist = _distances(centroids)
    # With fewer than three topics there is no distribution of pairs to cut: new topics stand alone.
    cut, square = (_cut(dist, quantile) if len(ids) >= 3 else -1.0), squareform(dist)
    theme_of = {t: int(previous[t]) for t in ids if t in previous}
    position = {t: i for i, t in enumerate(ids)}
    for t in sorted(set(ids) - set(theme_of)):   # in id order: a new topic may join one created just before
        members = theme_members(theme_of)
        mean = {h: square[position[t], [position[m] for m in ms]].mean() for h, ms in members.items()}
        best = min(mean, key=lambda h: (mean[h], h), default=None)
        theme_of[t] = best if best is not None and mean[best] <= cut else t
    return theme_of


def stored_themes(model: pd.DataFrame, registry: pd.DataFrame, quantile: float) -> dict[int, int] | None:
    """Last night's themes from its `topic_model` and `topic_registry` rows; None when there are none to carry:
    no registry, one written before themes existed, or one grouped under another `theme_quantile`."""
    if registry.empty or "theme_id" not in registry or registry["theme_id"].isna().any():
        return None
    if model.empty or "theme_quantile" not in model or pd.isna(model["theme_quantile"].iloc[0]) \
            or not np.isclose(float(model["theme_quantile"].iloc[0]), quantile):
        return None
    return {int(t): int(h) for t, h in zip(registry["topic_id"], registry["theme_id"])}


def theme_ids(topic_ids: Sequence[int], theme_of: dict[int, int]) -> np.ndarray:
    """Each document's theme from its topic; the outlier pool stays the outlier pool, and a topic the
    grouping did not see is a theme of its own."""
    return np.array([OUTLIER if int(t) == OUTLIER else theme_of.get(int(t), int(t)) for t in topic_ids], dtype=int)


def theme_members(theme_of: dict[int, int]) -> dict[int, list[int]]:
    """theme id → its topic ids, ascending."""
    out: dict[int, list[int]] = {}
    for topic, theme in sorted(theme_of.items()):
        out.setdefault(theme, []).append(topic)
    return out


def theme_signals(docs: pd.DataFrame, space: np.ndarray, theme_of: dict[int, int], trend_mask: np.ndarray, *,
                  top_n_words: int, **signal_options) -> pd.DataFrame:
    """One row per theme: its label and keywords (c-TF-IDF over the theme's documents, like a topic's), its
    topics, and the same signal metrics a topic gets (`metrics.signal_tables`, with the theme in place of the
    topic, on the documents of complete periods `trend_mask`). The outlier pool is left to the topic table,
    and so are the topics `left_out_topics` names (`topics_left_out`).

    This computes a whole set of signal tables and keeps one row per theme: simpler than a second code path,
    at the price of about doubling the signals stage.
    """
    ids = theme_ids(docs["topic_id"], theme_of)
    described = build_topics_table(docs.assign(topic_id=ids), space, top_n_words=top_n_words, n_representative=1)
    described = described[described["topic_id"] != OUTLIER].set_index("topic_id")
    labels = described["label"].to_dict()
    recent = docs[trend_mask].reset_index(drop=True)
    recent_ids = ids[trend_mask]
    in_window = recent_window(recent, **signal_options)
    left_out = left_out_topics(recent, recent_ids, in_window, **signal_options)
    # Their recent documents go to the outlier pool (dropped below), not out of the data: every share and total
    # behind a theme row is then the topic table's, so no difference between the two tables shows them.
    # Their earlier documents stay, so a theme holding a fading topic still reads as fading.
    hidden = recent["topic_id"].isin(left_out).to_numpy() & in_window
    signals = metrics.signal_tables(recent.assign(topic_id=np.where(hidden, OUTLIER, recent_ids)), labels,
                                    **signal_options)["signals"]
    signals = signals[signals["topic_id"] != OUTLIER].rename(columns={"topic_id": "theme_id"})
    members = theme_members(theme_of)
    topics_of = signals["theme_id"].map(lambda t: members.get(int(t), [int(t)]))
    return signals.assign(
        n_topics=topics_of.map(len), topic_ids=topics_of,
        topics_left_out=topics_of.map(lambda ts: [t for t in ts if t in left_out]),
        keywords_fi=signals["theme_id"].map(described["keywords_fi"]),
        keywords_en=signals["theme_id"].map(described["keywords_en"])).reset_index(drop=True)


def recent_window(docs: pd.DataFrame, *, period: str = "W", window: int = 4, timezone: str = "Europe/Helsinki",
                  **_) -> np.ndarray:
    """Per document: is it in the recent window that `metrics.signal_tables` reads (the last `window` periods)?"""
    if docs.empty:
        return np.zeros(0, dtype=bool)
    starts = metrics.period_start(docs["created_at"], period=period, timezone=timezone)
    return (starts >= metrics.window_start(max(starts), period=period, window=window)).to_numpy()


def left_out_topics(recent: pd.DataFrame, recent_ids: np.ndarray, in_window: np.ndarray, *, k: int = 5,
                    **_) -> set[int]:
    """Topics whose recent documents a theme must not count: its suppressed topics (1 to k−1 customers in the
    recent window), when together they too come from fewer than k customers.

    A theme's documents are its topics' documents, so its total minus its shown topics' totals is what its
    suppressed topics hold: published, that would undo their suppression. From k customers on, the suppressed
    topics taken together are a group large enough to publish, and they count. Leaving a few small topics out
    keeps the theme's figures; blanking the theme instead hid the sample corpus's whole billing theme.
    Known gap, shared with the topic table: the window's total of all documents is published, so the sum over
    all suppressed topics can be worked out from the shown rows (see README, Silent signals).
    """
    if recent.empty:
        return set()
    topics, keys, themes = recent["topic_id"].to_numpy()[in_window], recent["customer_key"][in_window], \
        recent_ids[in_window]
    per_topic = keys.groupby(topics).agg(metrics.distinct_customers)
    small = [int(t) for t in per_topic[(per_topic > 0) & (per_topic < k)].index if int(t) != OUTLIER]
    left_out: set[int] = set()
    for theme in set(themes[np.isin(topics, small)].tolist()):
        hidden = np.isin(topics, small) & (themes == theme)
        if metrics.distinct_customers(keys[hidden]) < k:
            left_out |= set(topics[hidden].tolist())
    return left_out
