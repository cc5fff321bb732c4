"""Lexical view: n-gram TF-IDF head, its storage as plain arrays, and mixing with the embedding head."""

import numpy as np
import pytest

from signals.lexical import LexicalHead, mix

ANGRY = ["olen vihainen", "vihaisena soitan", "tosi vihaista touhua", "I am angry", "so angry today",
         "angry customer here", "olin vihainen eilen", "angry again"]
CALM = ["lasku tuli ajallaan", "osoite on muuttunut", "please update my address", "the bill arrived",
        "tilaus numero kaksi", "my order number", "laskun eräpäivä", "the invoice date"]


def fitted() -> LexicalHead:
    texts = ANGRY + CALM
    Y = np.array([[1, 0]] * len(ANGRY) + [[0, 1]] * len(CALM))
    return LexicalHead(seed=0).fit(texts * 3, np.vstack([Y] * 3))


def test_unseen_inflection_shares_character_pieces():
    head = fitted()
    p = head.predict_proba(["vihaisia asiakkaita", "laskun osoite"])
    assert p[0, 0] > 0.5 > p[1, 0]
    assert p[1, 1] > p[0, 1]


def test_round_trip_through_plain_arrays(tmp_path):
    head = fitted()
    np.savez_compressed(tmp_path / "lex.npz", **head.to_arrays())
    with np.load(tmp_path / "lex.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    again = LexicalHead.from_arrays(arrays, head.settings())
    texts = ["vihaisia asiakkaita", "angry", "", "totally new words"]
    assert np.allclose(again.predict_proba(texts), head.predict_proba(texts), atol=1e-6)
    assert head.predict_proba([]).shape == (0, 2)
    with pytest.raises(ValueError, match="n-gram settings"):
        LexicalHead.from_arrays(arrays, {**head.settings(), "char_ngrams": [1, 3]})


def test_mix_weights_and_needs_texts():
    head = fitted()
    emb = np.array([[0.2, 0.8], [0.6, 0.4]])
    texts = ["olen vihainen", "the bill arrived"]
    assert mix(emb, None, 0.5, None) is emb and mix(emb, head, 0.0, None) is emb
    mixed = mix(emb, head, 0.4, texts)
    assert np.allclose(mixed, 0.6 * emb + 0.4 * head.predict_proba(texts))
    with pytest.raises(ValueError, match="pass texts"):
        mix(emb, head, 0.4, None)
    with pytest.raises(ValueError, match="pass texts"):
        mix(emb, head, 0.4, texts[:1])
