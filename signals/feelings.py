"""Feelings per document: sentiment and emotions from the cached embeddings (no second pass) and
a lexical view of the text itself.

The heads are trained in `signals/emotion.py` and `signals/sentiment.py`; this stage only applies
them. Chat documents are the customer side of the conversation (see validate), so agent and
bot turns never colour a customer's feelings.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from signals.emotion import LABELS, NEUTRAL, EmotionModel
from signals.fact_feeling import FactFeelingModel
from signals.heads import check_embedder
from signals.sentiment import SentimentModel

EMOTION_COLUMNS = [f"emo_{label}" for label in LABELS]


def load_models(emotion_dir, sentiment_dir, embedder) -> tuple[EmotionModel, SentimentModel]:
    """Both heads, refusing ones trained on other vectors than `embedder` produces."""
    emo, sent = EmotionModel.load(emotion_dir), SentimentModel.load(sentiment_dir)
    for model in (emo, sent):
        check_embedder(model.meta, embedder)
    return emo, sent


def load_fact_feeling(model_dir, embedder) -> FactFeelingModel:
    model = FactFeelingModel.load(model_dir)
    check_embedder(model.meta, embedder)
    return model


def load_cue_head(model_dir: str | None, embedder):
    """The configured cue head (None when `feelings.cue_model` is null: rules only)."""
    if model_dir is None:
        return None
    from signals.config import resolve
    from signals.cue_head import CueHead

    model = CueHead.load(resolve(model_dir))
    check_embedder(model.meta, embedder)
    return model


def score_feelings(vectors: np.ndarray, texts: Sequence[str], emo: EmotionModel, sent: SentimentModel,
                   langs: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per vector (and its text, which the models' lexical views read, and its language, which
    decides where the sentiment model's English-only view applies; detected when not given): sentiment score in
    [-1, 1] and label, emotion probabilities, the decoded emotions (strongest first) and the dominant one
    (`neutral` when no emotion clears its threshold)."""
    if len(vectors) == 0:
        return pd.DataFrame(columns=["sentiment", "sentiment_label", "emotions", "dominant_emotion",
                                     *EMOTION_COLUMNS])
    labels, scores = sent.predict(vectors, texts, langs)
    proba = emo.predict_proba(vectors, texts)
    emotions = emo.labels_from_proba(proba)
    out = pd.DataFrame(proba, columns=EMOTION_COLUMNS)
    out.insert(0, "sentiment", scores)
    out.insert(1, "sentiment_label", labels)
    out.insert(2, "emotions", emotions)
    out.insert(3, "dominant_emotion", [e[0] if e else NEUTRAL for e in emotions])
    return out
