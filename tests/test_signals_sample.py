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
                report_dir=root / "report",
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


def test_quotes_only_from_topics_above_the_quote_threshold_and_redacted(wh):
    q = wh.query("SELECT q.*, s.customers, d.text AS doc_text FROM signal_quotes q JOIN signals s USING (topic_id) "
                 "JOIN documents d USING (doc_id)")
    assert len(q) > 0
    k_quote = load_config().signals.quote_min_customers
    assert (q["customers"] >= k_quote).all()
    assert (q["text"] == q["doc_text"]).all()                    # the redacted text, nothing else
    assert not q["text"].str.contains(r"@|\b\d{6}[-+A]\d{3}[0-9A-Y]\b", regex=True).any()


def test_sample_actions_show_the_fading_and_the_emerging_topic(wh):
    f = wh.query("SELECT * FROM action_followup ORDER BY action_date")
    assert len(f) == 2, f
    courier, hotfix = f.iloc[0], f.iloc[1]
    # delivery was fading when the (example) courier contract started: fewer documents after
    assert courier["docs_per_period_after"] < courier["docs_per_period_before"]
    # the app login topic kept growing after the (example) hotfix date
    assert hotfix["docs_per_period_after"] > hotfix["docs_per_period_before"]
    assert hotfix["topic_id"] in topics_mentioning(wh, "sovellus", "app")


def test_segment_and_trend_tables_are_consistent(wh):
    seg = wh.query("SELECT * FROM signal_segments")
    assert {"lang", "channel"} <= set(seg["dimension"])
    shown = seg[~seg["suppressed"]]
    assert ((shown["customers"] >= 5) | (shown["customers"] == 0)).all()
    for dim in ("lang", "channel"):                               # no line with a single blank cell
        part = seg[seg["dimension"] == dim]
        for col in ("topic_id", "value"):
            assert not (part.groupby(col)["suppressed"].sum() == 1).any()
    periods = wh.query("SELECT * FROM signal_periods")
    assert periods.groupby("topic_id")["period_start"].nunique().nunique() == 1   # every topic, every week
    emerging = wh.query("SELECT topic_id FROM signals ORDER BY priority DESC LIMIT 1")["topic_id"][0]
    weekly = periods[periods["topic_id"] == emerging].sort_values("period_start")["docs"].fillna(0).tolist()
    assert weekly[-1] > weekly[0]
