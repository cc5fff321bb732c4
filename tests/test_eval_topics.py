"""`signals eval topics` on the shared SIB-200 translation pairs: the tie's effect, measured (CI only); and
`signals eval stability` on our own sample corpus."""
import pytest

from signals.config import REPO_ROOT
from tests.conftest import needs_shared
from pipelines.evaluate import evaluate_stability, evaluate_topics


@pytest.mark.slow
def test_translations_share_topics_and_the_tie_is_what_does_it(cfg, model_dir):
    path = needs_shared("topics", "sib200_fi_en.csv")
    tied, _ = evaluate_topics(path, cfg)
    plain, _ = evaluate_topics(path, cfg.model_copy(update={
        "topics": cfg.topics.model_copy(update={"cross_language_tie": 0.0})}))
    assert tied["pair_same_topic"] >= 0.88 and tied["outlier_rate"] <= 0.05
    assert tied["pair_same_topic"] > plain["pair_same_topic"] + 0.03


@pytest.mark.slow
def test_topic_and_theme_ids_survive_a_refit_on_the_sample_corpus(cfg, model_dir, tmp_path):
    cfg = cfg.model_copy(update={"warehouse": cfg.warehouse.model_copy(update={"dir": str(tmp_path)})})
    got = evaluate_stability(REPO_ROOT / "data" / "sample", cfg)
    assert got["stability"] >= 0.9 and got["theme_stability"] >= 0.9   # measured: 0.946–0.968, 0.976–0.982
    assert 1 < got["themes_run1"] < got["topics_run1"] and got["events"].get("new", 0) >= 1
