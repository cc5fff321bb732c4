"""Embeddings on the real locally built model, and the content-hash cache."""
import hashlib

import numpy as np
import pytest

from signals.config import load_config
from signals.embed import BACKENDS, Embedder, EmbeddingCache, TokenStates, embed_documents, make_embedder
from signals.modelbuild import MIN_INT8_MEAN_COSINE


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def embedder(request, model_dir):
    """Every registered backend must honour the same contract."""
    cfg = load_config().embedding.model_copy(update={"backend": request.param, "batch_size": 8})
    return make_embedder(cfg)


def h(t: str) -> str:
    return hashlib.sha256(t.encode()).hexdigest()


def test_vectors_are_normalised_and_cross_lingual(embedder):
    v = embedder.encode(["Sovellus kaatuu kirjautuessa", "The app crashes at login", "My invoice is wrong"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]  # its translation ranks above another English topic


def test_batch_function_shape_for_ray_data(embedder):
    out = embedder({"text": np.array(["hei", "hello"]), "doc_id": np.array(["a", "b"])})
    assert out["embedding"].shape == (2, 384) and list(out["doc_id"]) == ["a", "b"]


def test_cache_embeds_each_text_once(tmp_path, embedder):
    cache = EmbeddingCache(tmp_path, embedder.cache_key)
    texts = ["netti ei toimi", "slow internet", "netti ei toimi"]
    first = embed_documents(texts, [h(t) for t in texts], embedder, cache)
    assert first.n_new == 2 and first.sentences is None
    again = embed_documents(texts, [h(t) for t in texts], embedder, cache)
    assert again.n_new == 0 and np.allclose(first.vectors, again.vectors)
    assert np.allclose(first.vectors[0], first.vectors[2])
    more = texts + ["kiitos avusta"]
    assert embed_documents(more, [h(t) for t in more], embedder, cache).n_new == 1


TWO_SENTENCES = "Sovellus kaatuu aina kirjautuessa. Olen todella turhautunut ja vihainen!"
TWO_SPANS = [(0, 34), (35, 72)]


def test_sentence_vectors_come_from_the_document_pass(embedder):
    assert TWO_SENTENCES[slice(*TWO_SPANS[1])] == "Olen todella turhautunut ja vihainen!"
    docs, sentences = embedder.encode_with_sentences([TWO_SENTENCES, "Short one."], [TWO_SPANS, [(0, 10)]])
    assert np.allclose(docs, embedder.encode([TWO_SENTENCES, "Short one."]), atol=1e-3)
    assert sentences[0].shape == (2, 384) and sentences[1].shape == (1, 384)
    assert np.allclose(sentences[1][0], docs[1])  # one sentence: its vector is the document's
    # In context each sentence stays close to its standalone vector, but context pulls it toward its
    # neighbours (why the fact-vs-feeling head is trained on in-context vectors, not standalone ones).
    alone = embedder.encode([TWO_SENTENCES[a:b] for a, b in TWO_SPANS])
    assert np.diag(sentences[0] @ alone.T).min() > 0.85
    assert float(sentences[0][0] @ sentences[0][1]) < 0.995 and (sentences[0] @ docs[0]).max() < 0.999
    assert np.allclose(np.linalg.norm(sentences[0], axis=1), 1, atol=1e-5)


def test_token_ends_assign_a_leading_space_to_the_following_sentence():
    # Tokens: <s> (special), "▁query" in the prefix, "▁Hi" ending at 2, "." at 3, "▁Yes" (starts at the
    # space, ends at 7), "." at 8, </s>. Sentence 2 is characters 4..8.
    states = TokenStates(np.eye(7, dtype=np.float32), np.array([-1, -1, 2, 3, 7, 8, -1]))
    a, b = states.pooled_spans([(0, 3), (4, 8)])
    assert np.flatnonzero(a).tolist() == [0, 1, 2, 3, 6] and np.flatnonzero(b).tolist() == [0, 1, 4, 5, 6]
    # A span cut off by truncation (no tokens of its own) falls back to the whole text.
    assert np.allclose(states.pooled_spans([(50, 60)])[0], states.pooled())


def test_sentence_vectors_are_cached_with_the_documents(tmp_path, embedder):
    cache = EmbeddingCache(tmp_path, embedder.cache_key)
    texts, spans = [TWO_SENTENCES, "Kiitos avusta."], [TWO_SPANS, [(0, 14)]]
    first = embed_documents(texts, [h(t) for t in texts], embedder, cache, sentence_spans=spans)
    assert first.n_new == 2 and [s.shape[0] for s in first.sentences] == [2, 1]
    again = embed_documents(texts, [h(t) for t in texts], embedder, cache, sentence_spans=spans)
    assert again.n_new == 0 and np.allclose(first.sentences[0], again.sentences[0])
    # A document cached without its sentences (e.g. by an older version) is encoded once more, then cached.
    other = EmbeddingCache(tmp_path / "b", embedder.cache_key)
    embed_documents(texts, [h(t) for t in texts], embedder, other)
    assert embed_documents(texts, [h(t) for t in texts], embedder, other, sentence_spans=spans).n_new == 1
    assert embed_documents(texts, [h(t) for t in texts], embedder, other, sentence_spans=spans).n_new == 0


def test_batch_composition_does_not_change_vectors(embedder):
    texts = ["lyhyt", "Tämä on vähän pidempi lause laskutuksesta ja hyvityksistä", "short one"]
    together = embedder.encode(texts)
    alone = np.vstack([embedder.encode([t]) for t in texts])
    # Dynamic int8 quantisation scales activations per batch, so vectors move a little (cos ≈ 0.996);
    # the cache makes each text's vector fixed once computed.
    assert np.sum(together * alone, axis=1).min() >= 0.99


def test_int8_agrees_with_fp32(model_dir):
    cfg = load_config().embedding
    texts = ["Sovellus kaatuu kirjautuessa", "I was charged twice", "Toimitus on myöhässä", "Great service!"]
    fp32 = make_embedder(cfg.model_copy(update={"backend": "sentence-transformers"})).encode(texts)
    int8 = make_embedder(cfg.model_copy(update={"backend": "onnx-int8"})).encode(texts)
    assert np.mean(np.sum(fp32 * int8, axis=1)) >= MIN_INT8_MEAN_COSINE


def test_cache_key_changes_with_what_changes_vectors(model_dir):
    cfg = load_config().embedding
    a = Embedder(model_dir=model_dir, model_id="m", prefix="query: ")
    b = Embedder(model_dir=model_dir, model_id="m", prefix="passage: ")
    assert a.cache_key != b.cache_key
    backends = {make_embedder(cfg.model_copy(update={"backend": name})).cache_key for name in BACKENDS}
    assert len(backends) == len(BACKENDS)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="make setup"):
        Embedder(model_dir=tmp_path, model_id="m").encode(["x"])
