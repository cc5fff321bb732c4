"""Actions file and before/after follow-up, on hand-made documents."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from signals import actions

MONDAY = pd.Timestamp("2026-01-05 10:00", tz="UTC")
TOPICS = pd.DataFrame({"topic_id": [0, 1, -1], "label": ["lasku · invoice", "toimitus · delivery", "pool"],
                       "size": [50, 80, 3], "keywords": [["lasku", "invoice"], ["toimitus", "lasku"], []],
                       "keywords_fi": [["lasku"], ["toimitus"], []], "keywords_en": [["invoice"], ["delivery"], []]})


def docs_for(weekly: list[int], *, topic=1, negative_until_week=4) -> pd.DataFrame:
    rows = []
    for week, n in enumerate(weekly):
        for i in range(n):
            rows.append({"topic_id": topic, "created_at": MONDAY + pd.Timedelta(weeks=week, hours=i),
                         "customer_key": f"c{week}-{i}",
                         "sentiment_label": "negative" if week < negative_until_week else "positive",
                         "cue_repeat_contact": week < negative_until_week and i % 2 == 0})
    return pd.DataFrame(rows)


def write(tmp_path, text: str):
    p = tmp_path / "actions.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_load_actions_by_id_or_keyword_and_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="none.yaml"):
        actions.load_actions(tmp_path / "none.yaml")
    got = actions.load_actions(write(tmp_path, "actions:\n  - {date: 2026-02-02, topic: 1, action: fix}\n"
                                               "  - {date: 2026-02-09, keyword: Lasku, action: letter, owner: CX}\n"))
    assert [a.topic for a in got] == [1, None] and got[1].owner == "CX"
    assert got[0].date == dt.date(2026, 2, 2)
    assert [actions.resolve_topic(a, TOPICS) for a in got] == [1, 1]     # largest topic with 'lasku'


@pytest.mark.parametrize("entry, fragment", [
    ("{date: 2026-02-02, action: fix}", "exactly one of"),
    ("{date: 2026-02-02, topic: 1, keyword: x, action: fix}", "exactly one of"),
    ("{date: someday, topic: 1, action: fix}", "date"),
    ("{date: 2026-02-02, topic: 1}", "action"),
    ("{date: 2026-02-02, topic: 1, action: fix, when: now}", "when"),
])
def test_bad_action_names_file_and_entry(tmp_path, entry, fragment):
    path = write(tmp_path, f"actions:\n  - {{date: 2026-01-01, topic: 0, action: ok}}\n  - {entry}\n")
    with pytest.raises(ValueError) as exc:
        actions.load_actions(path)
    assert str(path) in str(exc.value) and "action #2" in str(exc.value) and fragment in str(exc.value)


def test_followup_before_and_after_by_hand():
    docs = docs_for([10, 10, 10, 10, 6, 6, 6, 6])       # the action is on Monday of week 5 (index 4)
    acts = [actions.Action(date=dt.date(2026, 2, 2), keyword="toimitus", action="new courier")]
    row = actions.action_followup(docs, acts, TOPICS, periods=3, k=5).iloc[0]
    assert row["topic_id"] == 1 and row["label"] == "toimitus · delivery"
    assert row["periods_before"] == 3 and row["periods_after"] == 3
    assert row["docs_per_period_before"] == 10 and row["docs_per_period_after"] == 6
    assert row["customers_before"] == 30 and row["customers_after"] == 18
    assert row["net_sentiment_before"] == -100 and row["net_sentiment_after"] == 100
    assert row["negative_share_before"] == 1 and row["negative_share_after"] == 0
    assert row["problem_cue_rate_before"] == pytest.approx(0.5) and row["problem_cue_rate_after"] == 0
    assert not row["suppressed"]


def test_followup_blanks_a_small_side_and_reports_unknown_keyword():
    docs = docs_for([10, 10, 10, 10, 1, 1])
    acts = [actions.Action(date=dt.date(2026, 2, 2), topic=1, action="fix"),
            actions.Action(date=dt.date(2026, 2, 2), keyword="nothing", action="fix")]
    out = actions.action_followup(docs, acts, TOPICS, periods=4, k=5)
    small, unknown = out.iloc[0], out.iloc[1]
    assert small["suppressed"] and np.isnan(small["customers_after"]) and np.isnan(small["net_sentiment_after"])
    assert small["customers_before"] == 40 and small["periods_after"] == 2
    assert pd.isna(unknown["topic_id"]) and "nothing" in unknown["label"]
    assert unknown["docs_per_period_before"] == 0 and not unknown["suppressed"]


def test_shipped_actions_file_is_valid():
    from signals.config import load_config, resolve

    assert actions.load_actions(resolve(load_config().signals.actions))
