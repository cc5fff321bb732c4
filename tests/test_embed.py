"""Embeddings on the real locally built model, and the content-hash cache."""
import hashlib

import numpy as np
import pytest

from signals.config import load_config
from signals.embed import BACKENDS, Embedder, EmbeddingCache, embed_documents, make_embedder
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
    v1, new1 = embed_documents(texts, [h(t) for t in texts], embedder, cache)
    assert new1 == 2
    v2, new2 = embed_documents(texts, [h(t) for t in texts], embedder, cache)
    assert new2 == 0 and np.allclose(v1, v2)
    assert np.allclose(v1[0], v1[2])
    more = texts + ["kiitos avusta"]
    _, new3 = embed_documents(more, [h(t) for t in more], embedder, cache)
    assert new3 == 1


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
