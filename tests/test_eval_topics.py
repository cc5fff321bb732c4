"""`signals eval topics` on the shared SIB-200 translation pairs: the tie's effect, measured (CI only)."""
import pytest

from tests.conftest import needs_shared
from pipelines.evaluate import evaluate_topics


@pytest.mark.slow
def test_translations_share_topics_and_the_tie_is_what_does_it(cfg, model_dir):
    path = needs_shared("topics", "sib200_fi_en.csv")
    tied, _ = evaluate_topics(path, cfg)
    plain, _ = evaluate_topics(path, cfg.model_copy(update={
        "topics": cfg.topics.model_copy(update={"cross_language_tie": 0.0})}))
    assert tied["pair_same_topic"] >= 0.88 and tied["outlier_rate"] <= 0.05
    assert tied["pair_same_topic"] > plain["pair_same_topic"] + 0.03
