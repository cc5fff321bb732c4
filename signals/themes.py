"""Themes: groups of related topics, so that a subject spread over many small topics is seen as a whole.

Topics are kept small on purpose (a new complaint must not drown in a large one), so one subject can
span many of them: on the sample corpus the planted billing theme is 13 topics of 20–75 documents
(double charges, refunds, monthly fees …), none of which leadership would call "billing". A theme
joins topics whose centroids are close, by average-linkage clustering of the centroids (cosine), cut
where the average similarity between two groups falls below a quantile of all pairwise centroid
similarities. The cut is relative because e5's cosines are compressed and the language correction
shifts them: a fixed similarity would mean different things on different corpora.

A theme's id is its oldest (lowest) topic id, so it stays the same while that topic stays in the
theme; a topic alone is a theme of its own with the topic's id. Themes are recomputed from the stored
centroids every night (cheap: one linkage over a few hundred centroids).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from signals import metrics
from signals.topics import OUTLIER, build_topics_table


def group_topics(topic_ids: Sequence[int], centroids: np.ndarray, quantile: float) -> dict[int, int]:
    """topic id → theme id (the lowest topic id in its group); `quantile` 0 leaves every topic alone.

    Two groups join while their average centroid similarity is at least the `quantile` of all pairwise
    similarities between topic centroids (0.8: the closest fifth of pairs).
    """
    ids = [int(t) for t in topic_ids]
    if quantile <= 0 or len(ids) < 3:
        return {t: t for t in ids}
    from scipy.cluster.hierarchy import fcluster, linkage

    unit = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    sims = unit @ unit.T
    threshold = float(np.quantile(sims[np.triu_indices(len(ids), 1)], quantile))
    tree = linkage(unit.astype(np.float64), method="average", metric="cosine")
    groups = fcluster(tree, t=1.0 - threshold, criterion="distance")
    first = pd.Series(ids).groupby(groups).transform("min")
    return dict(zip(ids, first.astype(int).tolist()))


def theme_ids(topic_ids: Sequence[int], theme_of: dict[int, int]) -> np.ndarray:
    """Each document's theme from its topic; the outlier pool (and any unknown topic) stays the outlier pool."""
    return np.array([theme_of.get(int(t), OUTLIER) for t in topic_ids], dtype=int)


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
    topic, on the documents of complete periods `trend_mask`). The outlier pool is left to the topic table."""
    ids = theme_ids(docs["topic_id"], theme_of)
    described = build_topics_table(docs.assign(topic_id=ids), space, top_n_words=top_n_words, n_representative=1)
    described = described[described["topic_id"] != OUTLIER].set_index("topic_id")
    labels = described["label"].to_dict()
    recent = docs[trend_mask].assign(topic_id=ids[trend_mask]).reset_index(drop=True)
    signals = metrics.signal_tables(recent, labels, **signal_options)["signals"]
    signals = signals[signals["topic_id"] != OUTLIER].rename(columns={"topic_id": "theme_id"})
    members = theme_members(theme_of)
    return signals.assign(
        n_topics=signals["theme_id"].map(lambda t: len(members.get(int(t), []))),
        topic_ids=signals["theme_id"].map(lambda t: members.get(int(t), [])),
        keywords_fi=signals["theme_id"].map(described["keywords_fi"]),
        keywords_en=signals["theme_id"].map(described["keywords_en"])).reset_index(drop=True)
