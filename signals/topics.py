"""Topics: BERTopic over our cached embeddings, behind a small adapter of ours.

BERTopic does reduction + clustering; everything the analyst reads (keywords per language,
labels, representative texts) is computed here from lemmas, so Finnish and English keywords
never mix and stop words are per language.
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

OUTLIER = -1
# A language needs this many documents for its own mean to be a stable estimate of its offset.
MIN_DOCS_FOR_LANGUAGE_MEAN = 20


class LanguageCentering:
    """Removes each language's mean vector, then what is left of the language offset region by region,
    and re-normalises.

    e5 places Finnish and English far apart (MODELS.md: 0 % cross-language neighbours); without
    this, topics split by language instead of by meaning. Rare languages use the overall mean.

    One mean per language is not enough: the two languages differ by a different vector in each subject,
    so after centring a Finnish complaint about a premium-number charge stayed nearer Finnish complaints
    about other charges than the English one about the same charge, and the sample corpus formed one topic
    per language for five billing matters. With `regions`, k-means on the centred vectors finds that many
    regions, and in each a ridge regression of the vectors on language (weighted by soft membership) gives the
    region's language offsets, removed from each document in proportion to its membership — Harmony's
    correction step (Korsunsky et al. 2019), done once so that it is a fixed map. The intercept is not
    penalised and the language terms are shrunk as if by `ridge` documents, so a region with one language only
    stays where it is: a subject raised in one language is not pulled toward another. Only languages with their own mean take part ("other" never: it is a mix).

    Everything fitted is kept, so later nights map new documents into the same space.
    """

    def __init__(self, *, min_docs: int = MIN_DOCS_FOR_LANGUAGE_MEAN, regions: int = 0, sigma: float = 0.1,
                 ridge: float = MIN_DOCS_FOR_LANGUAGE_MEAN, seed: int = 42):
        self.min_docs = min_docs
        self.regions = regions
        self.sigma = sigma          # softness of region membership, on the 2·(1 − cosine) scale
        self.ridge = ridge
        self.seed = seed
        self.region_centres_ = np.zeros((0, 0), dtype=np.float32)
        self.region_offsets_: dict[str, np.ndarray] = {}  # language → regions × dim

    @classmethod
    def setting(cls, center_by_language: bool, regions: int) -> str:
        """Names the configured space, stored with it, so that a changed configuration is noticed on a refit."""
        return "none" if not center_by_language else f"centre+{regions} regions" if regions else "centre"

    @classmethod
    def identity(cls, dim: int) -> "LanguageCentering":
        """Re-normalises only: for `topics.center_by_language: false`."""
        c = cls()
        c.means_, c.overall_ = {}, np.zeros(dim, dtype=np.float32)
        return c

    def fit(self, embeddings: np.ndarray, langs: Sequence[str]) -> "LanguageCentering":
        langs = np.asarray(langs)
        self.region_centres_, self.region_offsets_ = np.zeros((0, 0), dtype=np.float32), {}
        self.overall_ = embeddings.mean(axis=0) if len(embeddings) else np.zeros(embeddings.shape[1])
        self.means_ = {str(l): embeddings[langs == l].mean(axis=0)
                       for l in np.unique(langs) if (langs == l).sum() >= self.min_docs}
        if self.regions:
            self._fit_regions(self._center(embeddings, langs), langs)
        return self

    def _fit_regions(self, centred: np.ndarray, langs: np.ndarray) -> None:
        from sklearn.cluster import KMeans

        own = [l for l in self.means_ if l != "other"]
        rows = np.isin(langs, own)
        k = min(self.regions, int(rows.sum()) // 30)  # about 30 documents a region at least
        if len(own) < 2 or k < 2:
            return
        z = centred[rows].astype(np.float64)
        self.region_centres_ = normalise(KMeans(k, n_init=1, random_state=self.seed).fit(z).cluster_centers_)
        member = self._membership(z)
        design = np.vstack([np.ones(len(z))] + [(langs[rows] == l).astype(float) for l in own])
        penalty = np.diag([0.0] + [self.ridge] * len(own))
        coef = np.stack([np.linalg.solve((design * m) @ design.T + penalty, (design * m) @ z) for m in member])
        self.region_offsets_ = {l: coef[:, 1 + i, :].astype(np.float32) for i, l in enumerate(own)}

    def _membership(self, centred: np.ndarray) -> np.ndarray:
        """Soft membership, regions × documents (each column sums to 1)."""
        dist = 2 * (1 - self.region_centres_ @ centred.T)
        member = np.exp(-(dist - dist.min(axis=0)) / self.sigma)
        return member / member.sum(axis=0)

    def _center(self, embeddings: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        out = embeddings.astype(np.float32, copy=True)
        for i, lang in enumerate(langs):
            out[i] -= self.means_.get(lang, self.overall_)
        return normalise(out)

    def transform(self, embeddings: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        if not hasattr(self, "means_"):
            raise RuntimeError("LanguageCentering is not fitted; call fit first")
        out = self._center(embeddings, langs)
        if not self.region_offsets_ or not len(out):
            return out
        langs = np.asarray(langs)
        member = self._membership(out)
        for lang, offsets in self.region_offsets_.items():
            rows = langs == lang
            out[rows] -= member[:, rows].T @ offsets
        return normalise(out)


def center_by_language(embeddings: np.ndarray, langs: Sequence[str]) -> np.ndarray:
    return LanguageCentering().fit(embeddings, langs).transform(embeddings, langs)


def mutual_neighbours(a: np.ndarray, b: np.ndarray, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) where b[j] is a[i]'s most similar row in b and a[i] is b[j]'s in a.

    Blocked, so memory stays at block × len(b) similarities even for a 20,000-document fit sample.
    """
    if len(a) == 0 or len(b) == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    best_b = np.zeros(len(a), dtype=int)
    best_a, best_a_sim = np.zeros(len(b), dtype=int), np.full(len(b), -np.inf)
    for start in range(0, len(a), block):
        sims = a[start:start + block] @ b.T
        best_b[start:start + block] = sims.argmax(axis=1)
        rows = sims.argmax(axis=0)
        better = sims[rows, np.arange(len(b))] > best_a_sim
        best_a[better] = rows[better] + start
        best_a_sim[better] = sims[rows, np.arange(len(b))][better]
    i = np.flatnonzero(best_a[best_b] == np.arange(len(a)))
    return i, best_b[i]


def tie_across_languages(space: np.ndarray, langs: Sequence[str], alpha: float,
                         min_docs: int = MIN_DOCS_FOR_LANGUAGE_MEAN) -> np.ndarray:
    """Pull each cross-language pair of mutual nearest neighbours toward each other (fit time only).

    After centring, a Finnish document's nearest English neighbour is usually what it has in common
    across the language border (on SIB-200 its translation, 98 % of the time), yet density
    clustering still cuts between such pairs, so topics stay partly split by language. Adding
    `alpha` × its partner to each member of a mutual pair and re-normalising lets clusters cross
    the border. Only pairs at least as close as both members' nearest same-language neighbours are
    tied, and only languages with `min_docs` documents take part ("other" never: it is a mix);
    a one-language corpus is returned unchanged. Measured: SIB-200 translation pairs in one topic
    0.81–0.85 → 0.92–0.93 at alpha 0.7 (4 seeds). On the sample corpus the emerging app-login
    topic stays as clean as without the tie; a tie without the closeness condition (or with a
    looser one) pulled older delivery complaints into it.
    """
    langs = np.asarray(langs, dtype=object)
    names, counts = np.unique(langs, return_counts=True)
    big = [str(l) for l, n in zip(names, counts) if n >= min_docs and l != "other"]
    if alpha <= 0 or len(big) < 2:
        return space
    out = space.astype(np.float64, copy=True)
    own = {l: nearest_similarity(space[langs == l]) for l in big}
    for x, la in enumerate(big):
        for lb in big[x + 1:]:
            ia, ib = np.flatnonzero(langs == la), np.flatnonzero(langs == lb)
            i, j = mutual_neighbours(space[ia], space[ib])
            # Only pairs closer than either member's nearest same-language neighbour: there the language
            # border is all that separates them. A cross-language neighbour that is merely the closest
            # one available (common in a corpus of near-duplicates) is left alone.
            close = np.sum(space[ia[i]] * space[ib[j]], axis=1) >= np.maximum(own[la][i], own[lb][j])
            i, j = i[close], j[close]
            out[ia[i]] += alpha * space[ib[j]]
            out[ib[j]] += alpha * space[ia[i]]
    return normalise(out)


def nearest_similarity(x: np.ndarray, block: int = 2048) -> np.ndarray:
    """Each row's highest similarity to another row (blocked)."""
    out = np.full(len(x), -1.0)
    for start in range(0, len(x), block):
        sims = x[start:start + block] @ x.T
        sims[np.arange(len(sims)), np.arange(start, start + len(sims))] = -np.inf
        out[start:start + block] = sims.max(axis=1) if len(x) > 1 else -1.0
    return out


def ctfidf_keywords(lemmas: Sequence[str], topic_ids: Sequence[int], top_n: int, min_docs: int = 2,
                    recurring_only: frozenset[int] = frozenset()) -> dict[int, list[str]]:
    """Class-based TF-IDF (BERTopic's formula) over lemma strings → top words per topic. Words found in at
    least `min_docs` of the topic's documents come first: a word from one document is often that
    customer's typo or town ("puehlun", "kuopio"), not the topic's. Single-document words still fill
    the list where too few words recur (a language with two or three documents in the topic), except in
    `recurring_only` topics."""
    if len(lemmas) == 0:
        return {}
    topic_ids = np.asarray(topic_ids)
    keep = (topic_ids != OUTLIER) & np.array([bool(s.strip()) for s in lemmas], dtype=bool)
    if not keep.any():
        return {}
    lemmas = [l for l, k in zip(lemmas, keep) if k]
    topic_ids = topic_ids[keep]
    classes = np.unique(topic_ids)
    # Lemmas are already tokenised and stop-word free: split on whitespace only.
    vec = CountVectorizer(token_pattern=r"\S+", lowercase=False)
    counts = vec.fit_transform(lemmas)
    vocab = np.asarray(vec.get_feature_names_out())
    onehot = (topic_ids[:, None] == classes[None, :]).astype(np.float32)
    tf = np.asarray((counts.T @ onehot).T)  # topics × words
    avg_words = tf.sum() / len(classes)
    idf = np.log(1 + avg_words / tf.sum(axis=0))
    score = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1) * idf
    doc_freq = np.asarray(((counts > 0).T @ onehot).T)  # topics × words: documents containing the word
    recurs = doc_freq >= np.minimum(min_docs, onehot.sum(axis=0))[:, None]
    out = {}
    for row, t in enumerate(classes):
        order = np.lexsort((-score[row], ~recurs[row]))[:top_n]  # recurring words first, each by score
        only = int(t) in recurring_only  # there a word must be in min_docs documents, however few the topic has
        out[int(t)] = [str(vocab[i]) for i in order if tf[row, i] > 0 and (doc_freq[row, i] >= min_docs or not only)]
    return out


def min_cluster_size(n_docs: int, size: int, share: float, floor: int) -> int:
    """The smallest topic a fit on n_docs documents may form: `size`, or `share` of the documents when
    that is smaller, but not below `floor` (nor above `size`); share 0 = always `size`.

    One fixed size serves large corpora but starves small ones: at 15, 545 NLU++ banking requests
    formed 7 topics (NMI 0.42) and 161 hotel requests 3; at 5 they form 29 and 6 (NMI 0.66, 0.54;
    ARI rose too). Corpora of 1,500 documents or more keep `size` at a 1 % share.
    """
    if share <= 0:
        return size
    return max(min(floor, size), min(size, round(share * n_docs)))


@dataclass
class TopicAssignment:
    topic_ids: np.ndarray    # int; -1 = true outlier (fits no topic)
    similarity: np.ndarray   # cosine to the assigned topic's centroid
    clustered: np.ndarray    # bool; True = placed by the clustering itself, False = by nearest centroid


class TopicModel:
    """BERTopic (UMAP + HDBSCAN) finds the topics on a capped sample; documents are placed by nearest centroid.

    HDBSCAN's clusters define the topics (their centroids); HDBSCAN leaves many documents as noise
    (BERTopic users see 30–50 %). Every document, clustered or not, goes to its nearest topic
    centroid unless its similarity is below the `outlier_quantile` of the fitted documents' best
    similarities: those few are the true outlier pool, needs that fit no topic. One placement rule
    for the fit night and later nights means a refit does not move documents merely because
    HDBSCAN's border differed from the centroids' (stability 0.89 → 0.92 on the sample corpus), and
    placing new documents costs in proportion to their number.
    """

    def __init__(self, *, seed: int = 42, min_topic_size: int = 15, min_topic_share: float = 0.0,
                 min_topic_floor: int = 5, n_neighbors: int = 15,
                 n_components: int = 5, fit_sample_cap: int = 20000, outlier_quantile: float = 0.01,
                 max_topic_share: float = 0.5, cross_language_tie: float = 0.7):
        self.seed = seed
        self.min_topic_size = min_topic_size
        self.min_topic_share = min_topic_share
        self.min_topic_floor = min_topic_floor
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.fit_sample_cap = fit_sample_cap
        self.outlier_quantile = outlier_quantile
        self.max_topic_share = max_topic_share
        self.cross_language_tie = cross_language_tie

    @classmethod
    def from_config(cls, tc) -> "TopicModel":
        """From the `topics` section of the config."""
        return cls(seed=tc.seed, min_topic_size=tc.min_topic_size, min_topic_share=tc.min_topic_share,
                   min_topic_floor=tc.min_topic_floor, n_neighbors=tc.n_neighbors,
                   n_components=tc.n_components, fit_sample_cap=tc.fit_sample_cap,
                   outlier_quantile=tc.outlier_quantile, max_topic_share=tc.max_topic_share,
                   cross_language_tie=tc.cross_language_tie)

    def cluster_size(self, n_docs: int) -> int:
        """The smallest topic a fit on n_docs documents may form (see min_cluster_size)."""
        return min_cluster_size(n_docs, self.min_topic_size, self.min_topic_share, self.min_topic_floor)

    def _bertopic(self, n_docs: int):
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from umap import UMAP

        umap = UMAP(n_neighbors=min(self.n_neighbors, n_docs - 1), n_components=self.n_components,
                    min_dist=0.0, metric="cosine", random_state=self.seed)
        # HDBSCAN's excess-of-mass selection sometimes keeps one cluster holding nearly everything
        # (seen: 97 % of a 7-topic corpus); a "topic" that large says nothing, so cap it.
        size = self.cluster_size(n_docs)
        hdb = HDBSCAN(min_cluster_size=size, metric="euclidean", cluster_selection_method="eom",
                      max_cluster_size=max(int(self.max_topic_share * n_docs), 2 * size))
        return BERTopic(umap_model=umap, hdbscan_model=hdb,
                        vectorizer_model=CountVectorizer(token_pattern=r"\S+", lowercase=False),
                        calculate_probabilities=False, verbose=False)

    def fit(self, lemmas: Sequence[str], space: np.ndarray, langs: Sequence[str] | None = None) -> "TopicModel":
        """Cluster a sample of `space`; with `langs`, cross-language mutual neighbours in the sample
        are tied first (`cross_language_tie`), so topics form across languages. Centroids and the
        outlier threshold come from the sample's (tied) vectors, kept as `fit_space_`."""
        n = len(space)
        self.fit_space_ = np.zeros((0, space.shape[1]), dtype=np.float32)
        self.sample_ = np.arange(0)
        self.sample_labels_ = np.zeros(0, dtype=int)
        self.centroids_ = np.zeros((0, space.shape[1]), dtype=np.float32)
        self.topic_ids_ = np.zeros(0, dtype=int)
        self.threshold_ = 1.0
        # UMAP needs more points than neighbours and HDBSCAN needs room for two clusters.
        rng = np.random.default_rng(self.seed)
        sample = np.sort(rng.choice(n, size=self.fit_sample_cap, replace=False)) if n > self.fit_sample_cap \
            else np.arange(n)
        if len(sample) < max(self.n_neighbors + 2, 2 * self.cluster_size(len(sample))):
            return self
        docs = [lemmas[i] if lemmas[i].strip() else "_" for i in sample]
        fit_space = space[sample] if langs is None else \
            tie_across_languages(space[sample], np.asarray(langs, dtype=object)[sample], self.cross_language_tie)
        labels, _ = self._bertopic(len(sample)).fit_transform(docs, fit_space)
        labels = np.asarray(labels, dtype=int)
        self.sample_, self.sample_labels_, self.fit_space_ = sample, labels, fit_space
        self.topic_ids_ = np.array(sorted(set(labels.tolist()) - {OUTLIER}), dtype=int)
        if len(self.topic_ids_) == 0:
            return self
        self.centroids_ = normalise(np.stack([fit_space[labels == t].mean(axis=0) for t in self.topic_ids_]))
        # The fitted documents least similar to every topic (outlier_quantile of them) set the bar:
        # the pool is small and predictable at fit time, and grows on later nights only when new
        # documents really fit no topic, which is what triggers a drift refit.
        best = (fit_space @ self.centroids_.T).max(axis=1)
        self.threshold_ = float(np.quantile(best, self.outlier_quantile))
        return self

    def assign(self, space: np.ndarray) -> TopicAssignment:
        """Nearest centroid; below the fitted similarity threshold → outlier."""
        n = len(space)
        if len(self.topic_ids_) == 0:
            return TopicAssignment(np.full(n, OUTLIER, dtype=int), np.zeros(n), np.zeros(n, dtype=bool))
        sims = space @ self.centroids_.T
        best = np.argmax(sims, axis=1)
        sim = sims[np.arange(n), best]
        ids = np.where(sim >= self.threshold_, self.topic_ids_[best], OUTLIER)
        return TopicAssignment(ids.astype(int), sim.astype(float), np.zeros(n, dtype=bool))

    def fit_assign(self, lemmas: Sequence[str], space: np.ndarray, langs: Sequence[str] | None = None
                   ) -> TopicAssignment:
        """Fit, then place every document: the sample as clustered (HDBSCAN's noise by nearest centroid,
        in the space it was clustered in), the rest by nearest centroid."""
        self.fit(lemmas, space, langs)
        out = self.assign(space)
        if len(self.sample_):
            inner = self.assign(self.fit_space_)
            out.topic_ids[self.sample_], out.similarity[self.sample_] = inner.topic_ids, inner.similarity
        out.clustered[self.sample_[self.sample_labels_ != OUTLIER]] = True
        return out


def normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms == 0, 1, norms)).astype(np.float32)


# A language with under this share of a topic's documents speaks for it only through words its documents share.
MIN_LANGUAGE_SHARE = 0.1


def topic_label(keywords_fi: list[str], keywords_en: list[str], keywords: list[str], *, share_fi: float = 1.0,
                share_en: float = 1.0, min_share: float = MIN_LANGUAGE_SHARE) -> str:
    """Four words: two Finnish and two English keywords, then the main language's and the overall ones. A
    language holding under `min_share` of the topic's documents names none of it: one stray document's words
    would otherwise make half the label ("letter · collection" on a Finnish topic with one English text)."""
    fi = keywords_fi if share_fi >= min_share else []
    en = keywords_en if share_en >= min_share else []
    main = fi if share_fi >= share_en else en
    words: list[str] = []
    for w in fi[:2] + en[:2] + main + keywords:
        if w not in words:
            words.append(w)
        if len(words) == 4:
            break
    return " · ".join(words) if words else "(no keywords)"


def representatives(texts: Sequence[str], langs: Sequence[str], n: int, *, min_lang_share: float = MIN_LANGUAGE_SHARE,
                    max_overlap: float = 0.6) -> list[int]:
    """Positions of up to `n` texts to show for a topic, from `texts` ordered most typical first: taken in turn
    from each language that holds at least `min_lang_share` of them (most frequent first), skipping a text
    whose words overlap a chosen one's by `max_overlap` or more (Jaccard): three copies of one template say
    less than one each of three phrasings, and a bilingual topic shows both languages."""
    @functools.cache
    def words(i: int) -> frozenset[str]:  # only the few texts looked at are tokenised, not the whole topic
        return frozenset(re.findall(r"\w+", str(texts[i]).lower()))

    counts = pd.Series(list(langs), dtype=object).value_counts()
    shown_langs = [l for l, c in counts.items() if c >= min_lang_share * len(texts)] or list(counts.index[:1])
    queues = {l: iter([i for i, x in enumerate(langs) if x == l]) for l in shown_langs}
    picked: list[int] = []

    def distinct(i: int) -> bool:
        return all(len(words(i) & words(j)) < max_overlap * max(len(words(i) | words(j)), 1) for j in picked)

    while len(picked) < n and queues:
        for l in list(queues):
            i = next((i for i in queues[l] if distinct(i)), None) if len(picked) < n else None
            if i is None:
                del queues[l]
            else:
                picked.append(i)
    # Fewer distinct texts than asked: the most typical of the rest, so a topic always shows up to `n`.
    rest = (i for i in range(len(texts)) if i not in picked)
    return picked + list(itertools.islice(rest, max(n - len(picked), 0)))


def build_topics_table(docs: pd.DataFrame, embeddings: np.ndarray, *, top_n_words: int,
                       n_representative: int) -> pd.DataFrame:
    """One row per topic (outlier pool included) from documents with topic_id, lang, lemmas, text."""
    tids = docs["topic_id"].to_numpy()
    langs = docs["lang"].to_numpy()
    lemmas = docs["lemmas"].fillna("").tolist()
    shares = pd.crosstab(tids, langs, normalize="index")  # topics × languages: each language's share of the topic

    def share(lang: str) -> pd.Series:
        return shares[lang] if lang in shares else pd.Series(0.0, index=shares.index)

    # The overall list speaks for the topic's main languages: four Swedish texts in a Finnish–English topic put
    # "betalar · nästan · snabbt" at the top, as their words are rare everywhere else.
    main = shares.to_numpy()[shares.index.get_indexer(tids), shares.columns.get_indexer(langs)] >= MIN_LANGUAGE_SHARE
    overall = ctfidf_keywords([l for l, m in zip(lemmas, main) if m], tids[main], top_n_words)
    per_lang = {}
    for lang in ("fi", "en"):
        mask = langs == lang
        # A few stray documents in a language list only the words they share: one Finnish text mentioning
        # "sovellus" made the app a Finnish keyword of an English fee topic.
        minor = frozenset(int(t) for t, v in share(lang).items() if v < MIN_LANGUAGE_SHARE)
        per_lang[lang] = ctfidf_keywords([l for l, m in zip(lemmas, mask) if m], tids[mask], top_n_words,
                                         recurring_only=minor)
    rows = []
    for t in sorted(set(tids.tolist())):
        mask = tids == t
        sub = docs[mask]
        centroid = embeddings[mask].mean(axis=0)
        order = np.argsort(-(embeddings[mask] @ centroid), kind="stable")
        closest = representatives(sub["text"].iloc[order].tolist(), sub["lang"].iloc[order].tolist(),
                                  n_representative)
        closest = order[closest]
        kfi, ken, kall = per_lang["fi"].get(t, []), per_lang["en"].get(t, []), overall.get(t, [])
        share_fi, share_en = float(share("fi")[t]), float(share("en")[t])
        rows.append(dict(
            topic_id=int(t),
            label="outlier pool: needs that fit no topic" if t == OUTLIER else topic_label(
                kfi, ken, kall, share_fi=share_fi, share_en=share_en),
            keywords=kall, keywords_fi=kfi, keywords_en=ken, size=int(mask.sum()),
            share_fi=share_fi, share_en=share_en,
            share_other=float((~sub["lang"].isin(["fi", "en"])).mean()),
            representative_doc_ids=sub["doc_id"].iloc[closest].tolist(),
            representative_texts=sub["text"].iloc[closest].tolist(),
        ))
    return pd.DataFrame(rows)


def topic_trends(docs: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Documents and distinct customers per topic, ISO week (local time) and language."""
    if docs.empty:
        return pd.DataFrame(columns=["topic_id", "week_start", "lang", "docs", "customers"])
    local = pd.to_datetime(docs["created_at"], utc=True).dt.tz_convert(timezone)
    week_start = (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
    g = docs.assign(week_start=week_start).groupby(["topic_id", "week_start", "lang"], sort=True)
    return g.agg(docs=("doc_id", "size"), customers=("customer_key", "nunique")).reset_index()


def score_topics(labels: Sequence, topic_ids: Sequence[int], pair_ids: Sequence | None = None) -> dict:
    """Agreement of topics with true labels: NMI and ARI over all documents (the outlier pool counts as
    one cluster, so outliers are penalised), the outlier rate, and for translation pairs the share
    whose members share a non-outlier topic (None when no pair id occurs twice: nothing to measure). Pair ids
    are compared as written, except that a float export's "431.0" is the integer's "431"."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    topic_ids = np.asarray(topic_ids)
    out = {
        "nmi": float(normalized_mutual_info_score(labels, topic_ids)),
        "ari": float(adjusted_rand_score(labels, topic_ids)),
        "outlier_rate": float((topic_ids == OUTLIER).mean()) if len(topic_ids) else 0.0,
        "n_topics": int(len(set(topic_ids.tolist()) - {OUTLIER})),
    }
    if pair_ids is not None:
        pairs = pd.Series(list(pair_ids), dtype=object).astype(str).str.strip().str.replace(r"^(-?\d+)\.0+$", r"\1",
                                                                                           regex=True)
        groups = pd.DataFrame({"pair": pairs, "topic": topic_ids})
        groups = groups[~groups["pair"].isin(["", "nan", "None"])].groupby("pair")["topic"]
        together = groups.agg(lambda t: len(t) > 1 and t.nunique() == 1 and t.iloc[0] != OUTLIER)
        sized = groups.size() > 1
        out["pair_same_topic"] = float(together[sized].mean()) if sized.any() else None
    return out
