"""The feelings stage applies the committed heads to cached vectors."""
import numpy as np
import pytest

from signals.config import REPO_ROOT, load_config
from signals.embed import Embedder, make_embedder
from signals.feelings import EMOTION_COLUMNS, load_models, score_feelings

MODELS = REPO_ROOT / "models"


@pytest.fixture(scope="module")
def setup(model_dir):
    embedder = make_embedder(load_config().embedding)
    emo, sent = load_models(MODELS / "emotion", MODELS / "sentiment", embedder)
    return embedder, emo, sent


def test_obvious_feelings_fi_en(setup):
    embedder, emo, sent = setup
    texts = ["Olen todella vihainen, tämä on skandaali!", "Kiitos, olette ihania ja palvelu oli loistavaa!",
             "I am furious, this is a disgrace!", "Thank you so much, you were wonderful!"]
    out = score_feelings(embedder.encode(texts), texts, emo, sent)
    assert list(out["sentiment_label"]) == ["negative", "positive", "negative", "positive"]
    assert out["sentiment"].between(-1, 1).all()
    assert out.loc[0, "dominant_emotion"] in {"anger", "disgust"} and out.loc[2, "dominant_emotion"] in {"anger", "disgust"}
    assert out.loc[1, "dominant_emotion"] in {"joy", "trust"}
    assert ((out[EMOTION_COLUMNS] >= 0) & (out[EMOTION_COLUMNS] <= 1)).all().all()


def test_empty_input(setup):
    _, emo, sent = setup
    assert score_feelings(np.zeros((0, 384), dtype=np.float32), [], emo, sent).empty


def test_heads_refuse_other_embeddings(model_dir):
    other = Embedder(model_dir=model_dir, model_id="some-other-model", prefix="query: ")
    with pytest.raises(ValueError, match="trained on other embeddings"):
        load_models(MODELS / "emotion", MODELS / "sentiment", other)
