"""Stable topic ids across nightly runs: a persistent registry of topic centroids.

The first run clusters from scratch. Later nights place documents on the stored centroids (in the
stored language-centred space). A refit (on schedule, or on drift: too many documents fit no
stored topic) updates the registry instead of renumbering it: stored topics follow their
documents (kept), lose them (retired) or converge (merged); new topics are discovered among the
documents no stored topic explains: split (most of their documents sat on one stored topic, named in
`related_topic_id`) or new (spread over several, or fitting none). Every change is an event in
`topic_events`.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from signals.topics import OUTLIER, LanguageCentering, TopicModel, min_cluster_size, normalise


@dataclass
class TopicState:
    """What a run leaves for the next one: enough to place new documents and to keep topic ids."""

    fitted_on: date
    threshold: float
    lang_means: dict[str, np.ndarray]
    overall_mean: np.ndarray
    topic_ids: np.ndarray                 # active topics
    centroids: np.ndarray                 # one row per active topic, in the centred space
    first_seen: dict[int, date] = field(default_factory=dict)
    next_id: int = 0
    # The regional part of the language correction (LanguageCentering); empty when off or in a state
    # stored before it existed, which then keeps its global centring only.
    region_centres: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    region_offsets: dict[str, np.ndarray] = field(default_factory=dict)
    # The configuration the space was fitted with (LanguageCentering.setting); a refit under another one
    # fits the space again.
    space_setting: str = "centre"

    def centering(self) -> LanguageCentering:
        c = LanguageCentering()
        c.means_, c.overall_ = dict(self.lang_means), self.overall_mean
        c.region_centres_, c.region_offsets_ = self.region_centres, dict(self.region_offsets)
        return c

    @classmethod
    def fitted_space(cls, centering: LanguageCentering, setting: str) -> dict:
        """The fields of a state that describe the space, taken from a fitted LanguageCentering."""
        return dict(lang_means=centering.means_, overall_mean=centering.overall_,
                    region_centres=centering.region_centres_, region_offsets=centering.region_offsets_,
                    space_setting=setting)

    def model(self) -> TopicModel:
        m = TopicModel()
        m.topic_ids_, m.centroids_, m.threshold_ = self.topic_ids, self.centroids, self.threshold
        return m


# --- Persistence: three small tables written with the run (see signals/schemas.py). ---
# The regional language correction is stored inside the lang_means JSON under this key, so warehouses
# written before it existed need no new column.
REGIONS_KEY = "__regions__"


def state_tables(state: TopicState, refit_reason: str | None, n_fit_docs: int, labels: dict[int, str],
                 last_seen: dict[int, date]) -> dict[str, pd.DataFrame]:
    registry = pd.DataFrame({
        "topic_id": state.topic_ids.astype(int),
        "centroid": [c.astype(np.float32).tolist() for c in state.centroids],
        "label": [labels.get(int(t)) for t in state.topic_ids],
        "first_seen": [state.first_seen.get(int(t)) for t in state.topic_ids],
        "last_seen": [last_seen.get(int(t)) for t in state.topic_ids],
    })
    model = pd.DataFrame([dict(
        fitted_on=state.fitted_on, refit_reason=refit_reason, threshold=state.threshold, n_fit_docs=n_fit_docs,
        next_topic_id=state.next_id,
        lang_means=json.dumps({"__overall__": state.overall_mean.astype(float).tolist()} |
                              {k: v.astype(float).tolist() for k, v in state.lang_means.items()} |
                              {REGIONS_KEY: {"setting": state.space_setting,
                                             "centres": _rounded(state.region_centres),
                                             "offsets": {k: _rounded(v) for k, v in state.region_offsets.items()}}}))])
    return {"topic_registry": registry, "topic_model": model}


def _rounded(x: np.ndarray) -> list:
    # Seven decimals keep cosines exact to 1e-6 and halve the JSON (the regional offsets are ~4,000 numbers).
    return np.round(x.astype(float), 7).tolist()


def state_from_tables(model: pd.DataFrame, registry: pd.DataFrame) -> TopicState | None:
    if model.empty:
        return None
    m = model.iloc[0]
    stored = json.loads(m["lang_means"])
    regions = stored.pop(REGIONS_KEY, None)
    means = {k: np.asarray(v, dtype=np.float32) for k, v in stored.items()}
    overall = means.pop("__overall__")
    if regions is None:  # stored before the regional correction existed
        regions = {"setting": "centre" if means else "none", "centres": [], "offsets": {}}
    centroids = normalise(np.stack([np.asarray(c, dtype=np.float32) for c in registry["centroid"]])) \
        if len(registry) else np.zeros((0, len(overall)), dtype=np.float32)
    return TopicState(
        fitted_on=pd.Timestamp(m["fitted_on"]).date(), threshold=float(m["threshold"]), lang_means=means,
        overall_mean=overall, topic_ids=registry["topic_id"].to_numpy(dtype=int), centroids=centroids,
        first_seen={int(t): pd.Timestamp(d).date() for t, d in zip(registry["topic_id"], registry["first_seen"])
                    if d is not None and not pd.isna(d)},
        next_id=int(m["next_topic_id"]),
        region_centres=np.asarray(regions["centres"], dtype=np.float32).reshape(-1, len(overall)),
        region_offsets={k: np.asarray(v, dtype=np.float32) for k, v in regions["offsets"].items()},
        space_setting=regions["setting"])


@dataclass
class TopicsResult:
    docs: pd.DataFrame                # input documents + topic_id, topic_prob
    space: np.ndarray                 # the language-centred vectors the topics live in
    state: TopicState                 # for the next run
    events: list[dict]                # registry events of a refit (empty on nights without one)
    refit_reason: str | None          # None: tonight assigned with the stored topics
    n_fit_docs: int


def space_setting(tc) -> str:
    return LanguageCentering.setting(tc.center_by_language, tc.language_regions)


def fit_centering(tc, vectors: np.ndarray, langs) -> LanguageCentering:
    """The space topics live in, as the `topics` configuration asks for it."""
    if not tc.center_by_language:
        return LanguageCentering.identity(vectors.shape[1])
    return LanguageCentering(regions=tc.language_regions, seed=tc.seed).fit(vectors, langs)


def refit_reason(previous: TopicState | None, run_date: date, every_days: int) -> str | None:
    if previous is None or len(previous.topic_ids) == 0:
        return "first run"
    if (run_date - previous.fitted_on).days >= every_days:
        return "schedule"
    return None


def local_dates(created_at: pd.Series, timezone: str) -> np.ndarray:
    """Calendar dates where the customers are: run dates are local, so the registry's dates must be too (a
    document written at 00:30 in Helsinki belongs to that day, not to the UTC day before)."""
    return pd.to_datetime(created_at, utc=True).dt.tz_convert(timezone).dt.date.to_numpy()


def update_topics(docs: pd.DataFrame, vectors: np.ndarray, tc, previous: TopicState, run_date: date,
                  timezone: str = "UTC") -> tuple[np.ndarray, TopicState, list[dict], int]:
    """A refit that keeps what is known: stored topics follow their documents, topics that lost
    their documents retire, topics that converged merge, and new topics are discovered only among
    the documents no stored topic explains. Full re-clustering would renumber topics at random
    (BERTopic users' most common complaint); this keeps ids stable by construction."""
    langs = docs["lang"].tolist()
    lemmas = docs["lemmas"].fillna("").tolist()
    space = previous.centering().transform(vectors, langs)
    placed = previous.model().assign(space).topic_ids
    stored_centroids, centering = previous.centroids, None
    if previous.space_setting != space_setting(tc):
        # The space was configured differently (e.g. a warehouse from before `language_regions`): fit it
        # again and carry each stored topic over as the mean of its documents in the new space, so ids stay.
        centering = fit_centering(tc, vectors, langs)
        space = centering.transform(vectors, langs)
        if len(previous.topic_ids):
            stored_centroids = np.stack([normalise(space[placed == t].mean(axis=0, keepdims=True))[0]
                                         if (placed == t).any() else c
                                         for t, c in zip(previous.topic_ids, previous.centroids)])
    events: list[dict] = []
    keep_ids, keep_centroids = [], []
    # The size a fresh fit on this window could form: a topic smaller than that retires.
    smallest = min_cluster_size(len(space), tc.min_topic_size, tc.min_topic_share, tc.min_topic_floor)
    for t, c in zip(previous.topic_ids, stored_centroids):
        members = placed == t
        if members.sum() < smallest:
            events.append(dict(event="retired", topic_id=int(t), related_topic_id=None, similarity=None))
            continue
        # Damped update: a topic follows its documents without making boundary documents flip.
        fresh = normalise(space[members].mean(axis=0, keepdims=True))[0]
        moved = normalise((tc.centroid_momentum * c + (1 - tc.centroid_momentum) * fresh)[None, :])[0]
        keep_ids.append(int(t))
        keep_centroids.append(moved)
        events.append(dict(event="kept", topic_id=int(t), related_topic_id=None, similarity=float(moved @ c)))
    keep_ids, keep_centroids, merge_events = merge_close(keep_ids, keep_centroids, placed, tc.merge_min_similarity)
    events += merge_events
    # Re-cluster the whole window: a cluster unlike every stored topic is new, even when nearest-
    # centroid placement had spread its documents over stored topics (an emerging issue often does).
    model = TopicModel.from_config(tc).fit(lemmas, space, langs)
    stored = np.asarray(keep_centroids, dtype=np.float32).reshape(len(keep_ids), space.shape[1])
    created = local_dates(docs["created_at"], timezone)
    next_id = previous.next_id
    for local, c in zip(model.topic_ids_, model.centroids_):
        sims = stored @ c
        if len(sims) and sims.max() >= tc.match_min_similarity:
            continue  # a stored topic already covers this cluster
        # A cluster of documents the stored topics already saw is a re-cut of old topics, not news.
        members = model.sample_[model.sample_labels_ == local]
        if np.mean(created[members] > previous.fitted_on) < tc.new_topic_min_recent_share:
            continue
        # Most of its documents sat on one stored topic until tonight: a theme split off that topic
        # ("double charge after the price change" out of "billing"). Spread over several, it is new.
        parents, counts = np.unique(placed[members], return_counts=True)
        parent = int(parents[np.argmax(counts)])
        if parent != OUTLIER and counts.max() >= 0.5 * len(members):
            sim = float(stored_centroids[list(previous.topic_ids).index(parent)] @ c)
            events.append(dict(event="split", topic_id=next_id, related_topic_id=parent, similarity=sim))
        else:
            events.append(dict(event="new", topic_id=next_id, related_topic_id=int(keep_ids[int(np.argmax(sims))])
                               if len(sims) else None, similarity=float(sims.max()) if len(sims) else None))
        keep_ids.append(next_id)
        keep_centroids.append(c)
        next_id += 1
    centroids = np.asarray(keep_centroids, dtype=np.float32).reshape(len(keep_ids), space.shape[1])
    state = dataclasses.replace(previous, fitted_on=run_date, topic_ids=np.asarray(keep_ids, dtype=int),
                                centroids=centroids,
                                first_seen={t: previous.first_seen.get(t, run_date) for t in keep_ids},
                                next_id=next_id)
    if centering is not None:
        # The outlier bar is a similarity in the space, so it is set again with it.
        threshold = model.threshold_ if len(model.topic_ids_) else previous.threshold
        state = dataclasses.replace(state, threshold=threshold, **TopicState.fitted_space(centering, space_setting(tc)))
    return space, state, events, int(len(model.sample_))


def merge_close(ids: list[int], centroids: list[np.ndarray], placed: np.ndarray, min_similarity: float
                ) -> tuple[list[int], list[np.ndarray], list[dict]]:
    """Merge topics whose centroids have converged; the one with more documents keeps its id."""
    events: list[dict] = []
    size = {t: int((placed == t).sum()) for t in ids}
    while len(ids) > 1:
        c = np.asarray(centroids)
        sims = c @ c.T
        np.fill_diagonal(sims, -1)
        i, j = np.unravel_index(np.argmax(sims), sims.shape)
        if sims[i, j] < min_similarity:
            break
        big, small = (i, j) if size[ids[i]] >= size[ids[j]] else (j, i)
        events.append(dict(event="merged", topic_id=ids[small], related_topic_id=ids[big], similarity=float(sims[i, j])))
        merged = normalise((c[big] * size[ids[big]] + c[small] * size[ids[small]])[None, :])[0]
        size[ids[big]] += size[ids[small]]
        centroids[big] = merged
        del ids[small], centroids[small]
    return ids, centroids, events


def _first_seen_from_documents(state: TopicState, docs: pd.DataFrame, topic_ids: np.ndarray,
                               run_date: date, timezone: str) -> TopicState:
    """A topic registered in this run was first seen on its earliest document's date, not on the run date
    (a first run over months of history would otherwise date every topic to that night)."""
    if "created_at" not in docs or not len(docs):
        return state
    created = pd.Series(local_dates(docs["created_at"], timezone), dtype=object)
    earliest = created.groupby(np.asarray(topic_ids)).min()
    first = {t: (earliest.get(t, d) if d == run_date else d) for t, d in state.first_seen.items()}
    return dataclasses.replace(state, first_seen=first)


def run_topics(docs: pd.DataFrame, vectors: np.ndarray, tc, *, previous: TopicState | None = None,
               run_date: date | None = None, timezone: str = "UTC") -> TopicsResult:
    """The topic stage of the nightly run and of `signals eval topics` (which passes no previous state).

    Between refits, documents are placed by the stored centring and centroids: cheap and
    id-stable. A refit happens on the first run, on schedule, or when too many documents fit no
    stored topic (drift); it updates the stored topics (see update_topics).
    """
    run_date = run_date or date.today()
    langs = docs["lang"].tolist()
    lemmas = docs["lemmas"].fillna("").tolist()
    reason = refit_reason(previous, run_date, tc.refit_every_days)
    if reason is None:
        space = previous.centering().transform(vectors, langs)
        placed = previous.model().assign(space)
        if (placed.topic_ids == -1).mean() <= tc.drift_max_outlier_share:
            return TopicsResult(docs.assign(topic_id=placed.topic_ids, topic_prob=placed.similarity), space,
                                previous, [], None, 0)
        reason = "drift"
    if previous is not None and len(previous.topic_ids):
        space, state, events, n_fit = update_topics(docs, vectors, tc, previous, run_date, timezone)
        placed = state.model().assign(space)
        state = _first_seen_from_documents(state, docs, placed.topic_ids, run_date, timezone)
        return TopicsResult(docs.assign(topic_id=placed.topic_ids, topic_prob=placed.similarity), space, state,
                            events, reason, n_fit)
    centering = fit_centering(tc, vectors, langs)
    space = centering.transform(vectors, langs)
    model = TopicModel.from_config(tc)
    placed = model.fit_assign(lemmas, space, langs)
    events = [dict(event="new", topic_id=int(t), related_topic_id=None, similarity=None) for t in model.topic_ids_]
    topic_ids = placed.topic_ids
    state = TopicState(fitted_on=run_date, threshold=model.threshold_,
                       **TopicState.fitted_space(centering, space_setting(tc)),
                       topic_ids=model.topic_ids_, centroids=model.centroids_,
                       first_seen={int(t): run_date for t in model.topic_ids_},
                       next_id=int(model.topic_ids_.max()) + 1 if len(model.topic_ids_) else 0)
    state = _first_seen_from_documents(state, docs, topic_ids, run_date, timezone)
    return TopicsResult(docs.assign(topic_id=topic_ids, topic_prob=placed.similarity), space, state, events,
                        reason, int(len(model.sample_)))
