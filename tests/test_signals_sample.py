"""The planted trends of our sample corpus come out as the expected signal classes (real pipeline)."""
from datetime import date

import pytest

from pipelines.nightly import run_nightly
from signals.config import REPO_ROOT, load_config
from signals.warehouse import Warehouse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wh(tmp_path_factory, model_dir):
    root = tmp_path_factory.mktemp("wh")
    run_nightly(REPO_ROOT / "data" / "sample", date(2026, 11, 23), load_config(), warehouse_dir=root,
                log=lambda m: None, progress=False)
    return Warehouse(root)


def topics_mentioning(wh, fi: str, en: str):
    return wh.query("SELECT topic_id, size FROM topics WHERE list_contains(keywords_fi, ?) OR "
                    "list_contains(keywords_en, ?) ORDER BY size DESC", [fi, en])["topic_id"].tolist()


def test_emerging_issue_is_flagged_in_top_three(wh):
    signals = wh.query("SELECT * FROM signals ORDER BY priority DESC")
    app = topics_mentioning(wh, "sovellus", "app")
    assert app, "no topic about the app"
    flagged = signals[signals["topic_id"].isin(app)]
    assert set(flagged["signal_class"]) <= {"weak", "strong"}, flagged[["topic_id", "rule"]]
    assert signals["topic_id"].head(3).isin(app).any()
    assert "both languages" in flagged["explanation"].iloc[0]


def test_vanished_topic_is_fading_and_stable_large_topic_not_flagged(wh):
    signals = wh.query("SELECT * FROM signals").set_index("topic_id")
    delivery = topics_mentioning(wh, "paketti", "delivery") + topics_mentioning(wh, "toimitus", "parcel")
    assert signals.loc[delivery[0], "signal_class"] == "fading"
    well_known = signals[signals["signal_class"] == "well_known"]
    assert len(well_known) >= 1 and (well_known["priority"] == 0).all()


def test_small_cells_are_suppressed(wh):
    signals = wh.query("SELECT * FROM signals")
    shown = signals[~signals["suppressed"]]
    assert ((shown["customers"] >= 5) | (shown["customers"] == 0)).all()  # an empty cell reveals no one
    hidden = signals[signals["suppressed"]]
    assert hidden["docs"].isna().all() and hidden["explanation"].str.startswith("suppressed").all()
