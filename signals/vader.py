"""An English sentiment-lexicon view for the sentiment model: VADER's scores mapped to our three classes.

VADER (Hutto & Gilbert, 2014; the `vaderSentiment` package, MIT, lexicon shipped inside it) was built
for short social-media English: it reads emoticons, emoji, "sooo good", "NOT happy" and "but" clauses,
which the e5 vectors of 1.7k training tweets only half learn. Its four scores are not our classes, so a
small logistic regression maps them (and two shapes of the compound score) to negative / neutral /
positive; it is fitted on the English training lines of the sentiment sources.

It covers English only: on Finnish it sees no words and would pull everything to neutral, so the model
mixes it in for texts whose detected language is English and leaves the rest alone.
Measured 2026-11-23 (int8 vectors; weights in signals/sentiment.py): it lifts tweet macro-recall by
5-fold CV by 0.015 (0.651 → 0.666 at lexical share 0.2), enough to give the subtitle lexical view a larger
share, which Finnish needs.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from signals.heads import activate, view_from_artefact, view_to_artefact

LANG = "en"
FEATURES = ("compound", "pos", "neg", "compound_pos", "compound_neg", "compound_zero")
# VADER's own convention: |compound| < 0.05 is neutral.
NEUTRAL_BAND = 0.05
C = 1.0


@lru_cache(maxsize=1)
def _analyser():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def features(texts: Sequence[str]) -> np.ndarray:
    """n × len(FEATURES): VADER's compound, positive and negative shares, and the compound split by sign."""
    sia = _analyser()
    out = np.zeros((len(texts), len(FEATURES)))
    for i, t in enumerate(texts):
        s = sia.polarity_scores(str(t))
        c = s["compound"]
        out[i] = (c, s["pos"], s["neg"], max(c, 0.0), max(-c, 0.0), float(abs(c) < NEUTRAL_BAND))
    return out


class VaderView:
    """English texts → 3 class probabilities (negative, neutral, positive) from VADER's scores."""

    def __init__(self, *, C: float = C, seed: int = 0):
        self.C = C
        self.seed = seed

    def fit(self, texts: Sequence[str], y: np.ndarray) -> "VaderView":
        """texts: English texts; y: class ids 0..2 (every class present)."""
        from sklearn.linear_model import LogisticRegression

        m = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, random_state=self.seed)
        m.fit(features(texts), np.asarray(y))
        if list(m.classes_) != [0, 1, 2]:
            raise ValueError("the VADER view needs class ids 0, 1, 2 with every class present")
        self.W_, self.b_ = m.coef_.T, m.intercept_
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, len(self.b_)))
        return activate(features(texts) @ self.W_ + self.b_, "softmax")

    # -- storage: plain arrays next to the head's weights, never a pickle

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"W": self.W_.astype(np.float32), "b": self.b_.astype(np.float32)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> "VaderView":
        if tuple(settings.get("features", ())) != FEATURES:
            raise ValueError(f"VADER view was saved with other features: {settings.get('features')}")
        view = cls(C=settings["C"], seed=settings["seed"])
        view.W_, view.b_ = arrays["W"].astype(np.float64), arrays["b"].astype(np.float64)
        return view

    def settings(self) -> dict[str, Any]:
        return {"C": self.C, "seed": self.seed, "features": list(FEATURES), "lang": LANG}


ARRAY_PREFIX = "vader."


def to_artefact(view: VaderView | None, weight: float) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """(arrays to add to the head's weights.npz, the `vader` entry of its model.json; None without one)."""
    return view_to_artefact(view, weight, ARRAY_PREFIX)


def from_artefact(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> tuple[VaderView | None, float]:
    return view_from_artefact(VaderView, arrays, meta.get("vader"), ARRAY_PREFIX)


def mix_english(proba: np.ndarray, view: VaderView | None, weight: float, texts: Sequence[str] | None,
                langs: Sequence[str] | None) -> np.ndarray:
    """(1 − weight) · proba + weight · the VADER view, on the rows whose language is English; other rows
    unchanged. langs: per text ("fi", "en", "other"); None → detected here with the langid stage."""
    if view is None or weight == 0:
        return proba
    if texts is None or len(texts) != len(proba):
        raise ValueError("this model also reads the texts: pass texts aligned with the embeddings")
    if langs is None:
        from signals.langid import LanguageDetector

        langs = [g.lang for g in LanguageDetector().detect_many(list(texts))]
    if len(langs) != len(proba):
        raise ValueError("pass one language per text")
    en = np.flatnonzero(np.asarray([str(l) for l in langs]) == LANG)
    out = np.array(proba, dtype=np.float64, copy=True)
    if len(en):
        out[en] = (1 - weight) * out[en] + weight * view.predict_proba([texts[i] for i in en])
    return out
