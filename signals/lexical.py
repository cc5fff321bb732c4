"""A lexical view of a text next to its embedding: word and character n-gram TF-IDF + logistic regression.

The e5 vectors are frozen and shared by every stage; they carry the gist of a text but blur the words
that carry a feeling ("ärsyttää", "vitun", "kiitti", "gutted"). A small linear model over the words
themselves, and over character n-grams (Finnish inflects and compounds, so "ärsyttävää" and
"ärsytti" share pieces), adds what the vectors blur. Averaged with the embedding head on XED's
held-out split it raised emotion macro-F1 from 0.418 to 0.443 (English) and from 0.331 to 0.369
(Finnish); see models/emotion/MODEL_CARD.md and models/sentiment/MODEL_CARD.md.

Texts are normalised with `clean_subtitle_text` both in training and in use, so the model cannot learn
XED's collection artefacts (tokenised English, comma-free neutral lines) and sees customer text in the
same form. The vocabulary is capped, which keeps the committed artefact at a few MB. It needs no
second embedding pass: it reads the text the pipeline already has.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from signals.heads import activate, clean_subtitle_text, view_from_artefact, view_to_artefact

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
# 10k word and 20k character n-grams: validation macro-F1 equal to uncapped (77k) within 0.005.
MAX_WORD_FEATURES = 10_000
MAX_CHAR_FEATURES = 20_000
C = 2.0


def _vectorisers(word_vocab=None, char_vocab=None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(ngram_range=WORD_NGRAMS, min_df=2, sublinear_tf=True,
                           max_features=MAX_WORD_FEATURES, vocabulary=word_vocab)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, min_df=2, sublinear_tf=True,
                           max_features=MAX_CHAR_FEATURES, vocabulary=char_vocab)
    return word, char


class LexicalHead:
    """Texts → probabilities from logistic regression on n-gram TF-IDF: independent per label
    (one-vs-rest, sigmoid) for a 0/1 label matrix, or one distribution (softmax) for class ids."""

    def __init__(self, *, C: float = C, class_weight: str | None = None, seed: int = 0):
        self.C = C
        self.class_weight = class_weight
        self.seed = seed

    def fit(self, texts: Sequence[str], y: np.ndarray) -> "LexicalHead":
        """texts: n strings; y: n×k 0/1 label matrix (multi-label) or n class ids 0..k-1 (multi-class)."""
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(y)
        norm = [clean_subtitle_text(str(t)) for t in texts]
        self.word_, self.char_ = _vectorisers()
        F = self._stack(self.word_.fit_transform(norm), self.char_.fit_transform(norm))

        def model() -> LogisticRegression:
            return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000,
                                      random_state=self.seed)
        if y.ndim == 2:
            fits = [model().fit(F, y[:, j]) for j in range(y.shape[1])]
            self.W_ = np.array([m.coef_[0] for m in fits]).T
            self.b_ = np.array([m.intercept_[0] for m in fits])
            self.output_ = "sigmoid"
        else:
            m = model().fit(F, y)
            if list(m.classes_) != list(range(len(m.classes_))) or len(m.classes_) < 3:
                raise ValueError("multi-class targets must be 0..k-1 (k ≥ 3) with every class present")
            self.W_, self.b_, self.output_ = m.coef_.T, m.intercept_, "softmax"
        return self

    @staticmethod
    def _stack(a, b):
        from scipy.sparse import hstack

        return hstack([a, b]).tocsr()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        norm = [clean_subtitle_text(str(t)) for t in texts]
        if not norm:
            return np.zeros((0, self.W_.shape[1]))
        z = np.asarray(self._stack(self.word_.transform(norm), self.char_.transform(norm)) @ self.W_) + self.b_
        return activate(z, self.output_)

    # -- storage: plain arrays (strings and floats), never a pickle

    def settings(self) -> dict[str, Any]:
        return {"C": self.C, "class_weight": self.class_weight, "seed": self.seed, "output": self.output_,
                "word_ngrams": list(WORD_NGRAMS), "char_ngrams": list(CHAR_NGRAMS)}

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {"W": self.W_.astype(np.float32), "b": self.b_.astype(np.float32)}
        for name, vec in (("word", self.word_), ("char", self.char_)):
            vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            arrays[f"{name}_vocab"] = np.array(vocab, dtype=str)
            arrays[f"{name}_idf"] = vec.idf_.astype(np.float32)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> "LexicalHead":
        if [tuple(settings.get("word_ngrams", ())), tuple(settings.get("char_ngrams", ()))] != [WORD_NGRAMS, CHAR_NGRAMS]:
            raise ValueError(f"lexical head was saved with other n-gram settings: {settings}")
        head = cls(C=settings["C"], class_weight=settings.get("class_weight"), seed=settings["seed"])
        head.output_ = settings["output"]
        vocabs = {name: {str(t): i for i, t in enumerate(arrays[f"{name}_vocab"])} for name in ("word", "char")}
        head.word_, head.char_ = _vectorisers(vocabs["word"], vocabs["char"])
        head.word_.idf_ = arrays["word_idf"].astype(np.float64)
        head.char_.idf_ = arrays["char_idf"].astype(np.float64)
        head.W_ = arrays["W"].astype(np.float64)
        head.b_ = arrays["b"].astype(np.float64)
        return head


ARRAY_PREFIX = "lex."


def to_artefact(lexical: LexicalHead | None, weight: float) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """(arrays to add to a head's weights.npz, the `lexical` entry of its model.json; None without one)."""
    return view_to_artefact(lexical, weight, ARRAY_PREFIX)


def from_artefact(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> tuple[LexicalHead | None, float]:
    """The lexical head and its weight stored by `to_artefact` (None, 0.0 when the model has none)."""
    return view_from_artefact(LexicalHead, arrays, meta.get("lexical"), ARRAY_PREFIX)


def mix(embedding_proba: np.ndarray, lexical: LexicalHead | None, weight: float,
        texts: Sequence[str] | None) -> np.ndarray:
    """(1 − weight) · embedding-head probabilities + weight · lexical probabilities (the embedding
    head alone when there is no lexical head). A model with a lexical head needs the texts."""
    if lexical is None or weight == 0:
        return embedding_proba
    if texts is None or len(texts) != len(embedding_proba):
        raise ValueError("this model also reads the texts: pass texts aligned with the embeddings")
    return (1 - weight) * embedding_proba + weight * lexical.predict_proba(texts)
