"""Stable topic ids: refits update the registry instead of renumbering it."""
import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from signals.config import TopicConfig
from signals.topic_registry import merge_close, run_topics, state_from_tables, state_tables

TC = TopicConfig(min_topic_size=10, n_neighbors=10, n_components=3, refit_every_days=7)
D1, D2 = date(2026, 10, 1), date(2026, 10, 12)


def corpus(centers: np.ndarray, sizes: list[int], created: list[str], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.vstack([c + rng.normal(scale=0.15, size=(n, centers.shape[1])) for c, n in zip(centers, sizes)])
    labels = np.repeat(np.arange(len(sizes)), sizes)
    docs = pd.DataFrame({"lang": ["fi", "en"] * (len(X) // 2) + ["fi"] * (len(X) % 2),
                         "lemmas": [f"w{l} yhteinen" for l in labels],
                         "created_at": pd.to_datetime(np.repeat(created, sizes), utc=True)})
    return docs, X / np.linalg.norm(X, axis=1, keepdims=True), labels


@pytest.fixture(scope="module")
def centers():
    _, _, c = make_blobs(n_samples=10, centers=5, n_features=12, center_box=(-3, 3), random_state=7,
                         return_centers=True)
    return c


def test_first_run_then_placement_keeps_ids(centers):
    docs, X, labels = corpus(centers[:3], [60, 60, 60], ["2026-09-20"] * 3, seed=1)
    first = run_topics(docs, X, TC, run_date=D1)
    assert first.refit_reason == "first run" and len(first.state.topic_ids) == 3
    assert {e["event"] for e in first.events} == {"new"}
    # Two days later: no refit, the same documents land on the same ids.
    again = run_topics(docs, X, TC, previous=first.state, run_date=date(2026, 10, 3))
    assert again.refit_reason is None and again.events == []
    assert (again.docs["topic_id"].to_numpy() == first.docs["topic_id"].to_numpy()).mean() >= 0.97


def test_refit_keeps_ids_finds_new_and_retires(centers):
    docs, X, labels = corpus(centers[:3], [60, 60, 60], ["2026-09-20"] * 3, seed=1)
    first = run_topics(docs, X, TC, run_date=D1)
    # Later window: topic 2 has vanished, a new theme (center 3) appeared after the last refit.
    docs2, X2, labels2 = corpus(centers[[0, 1, 3]], [60, 60, 50], ["2026-09-25", "2026-09-25", "2026-10-10"], seed=2)
    second = run_topics(docs2, X2, TC, previous=first.state, run_date=D2)
    assert second.refit_reason == "schedule"
    events = pd.DataFrame(second.events)
    assert sorted(events.loc[events.event == "kept", "topic_id"]) == sorted(
        first.docs.loc[labels < 2, "topic_id"].unique())
    assert events.loc[events.event == "retired", "topic_id"].tolist() == [int(first.docs.loc[labels == 2, "topic_id"].iloc[0])]
    [new_id] = events.loc[events.event == "new", "topic_id"]
    assert new_id == first.state.next_id  # new ids never reuse old ones
    assert (second.docs.loc[labels2 == 2, "topic_id"] == new_id).mean() >= 0.9
    # Same theme, same id: documents of the kept themes keep their ids.
    for old in (0, 1):
        old_id = first.docs.loc[labels == old, "topic_id"].mode()[0]
        assert (second.docs.loc[labels2 == old, "topic_id"] == old_id).mean() >= 0.9
    # First seen: a topic's earliest document, not the night it was registered; kept topics keep theirs.
    assert set(first.state.first_seen.values()) == {date(2026, 9, 20)}
    assert second.state.first_seen[new_id] == date(2026, 10, 10)
    assert all(second.state.first_seen[t] == date(2026, 9, 20) for t in second.state.topic_ids if t != new_id)


def test_a_theme_that_grows_out_of_one_topic_is_a_split():
    rng = np.random.default_rng(0)
    axis = np.eye(12) * 3

    def window(parts):  # (center, spread, n, created)
        X = np.vstack([c + rng.normal(scale=s, size=(n, 12)) for c, s, n, _ in parts])
        lemmas = [f"w{i} yhteinen" for i, (_, _, n, _) in enumerate(parts) for _ in range(n)]
        docs = pd.DataFrame({"lang": ["fi", "en"] * (len(X) // 2), "lemmas": lemmas,
                             "created_at": pd.to_datetime(np.concatenate([[d] * n for _, _, n, d in parts]), utc=True)})
        return docs, X / np.linalg.norm(X, axis=1, keepdims=True)

    # A broad topic (billing) and two tight ones; later a tight new theme at billing's edge, whose documents
    # the stored centroids had placed on billing.
    docs, X = window([(axis[0], 0.8, 80, "2026-09-20"), (axis[1], 0.3, 60, "2026-09-20"), (axis[2], 0.3, 60, "2026-09-20")])
    first = run_topics(docs, X, TC, run_date=D1)
    billing = first.docs["topic_id"].iloc[:80].mode()[0]
    docs2, X2 = window([(axis[0], 0.8, 80, "2026-09-25"), (axis[1], 0.3, 60, "2026-09-25"),
                        (axis[2], 0.3, 60, "2026-09-25"), (axis[0] + axis[3] * 5 / 3, 0.15, 40, "2026-10-10")])
    second = run_topics(docs2, X2, TC, previous=first.state, run_date=D2)
    [split] = [e for e in second.events if e["event"] != "kept"]
    assert split["event"] == "split" and split["related_topic_id"] == billing
    assert (second.docs["topic_id"].iloc[-40:] == split["topic_id"]).mean() >= 0.7


def test_drift_triggers_early_refit(centers):
    docs, X, _ = corpus(centers[:2], [60, 60], ["2026-09-20"] * 2, seed=1)
    first = run_topics(docs, X, TC, run_date=D1)
    docs2, X2, _ = corpus(centers[[0, 3, 4]], [30, 60, 60], ["2026-09-25", "2026-10-02", "2026-10-02"], seed=3)
    second = run_topics(docs2, X2, TC.model_copy(update={"refit_every_days": 30}), previous=first.state,
                        run_date=date(2026, 10, 3))
    assert second.refit_reason == "drift"


def test_merge_close_keeps_the_bigger_topic():
    a = np.array([1.0, 0, 0]); b = np.array([0.999, 0.04, 0]); c = np.array([0, 1.0, 0])
    placed = np.array([5] * 10 + [6] * 3 + [7] * 4)
    ids, cents, events = merge_close([5, 6, 7], [a, b, c], placed, 0.95)
    assert ids == [5, 7] and events[0]["event"] == "merged" and events[0]["related_topic_id"] == 5


def test_state_round_trips_through_tables(centers):
    docs, X, _ = corpus(centers[:3], [60, 60, 60], ["2026-09-20"] * 3, seed=1)
    st = run_topics(docs, X, TC, run_date=D1).state
    tables = state_tables(st, "first run", 180, {0: "x"}, {})
    back = state_from_tables(tables["topic_model"], tables["topic_registry"])
    assert back.fitted_on == st.fitted_on and back.next_id == st.next_id
    assert np.allclose(back.centroids, st.centroids, atol=1e-6) and list(back.topic_ids) == list(st.topic_ids)
    assert set(back.lang_means) == set(st.lang_means)
    # The regional language correction travels too: tonight's space is the next night's.
    assert len(st.region_offsets) == 2 and len(back.region_centres) == len(st.region_centres)
    assert back.space_setting == st.space_setting == "centre+5 regions"
    assert np.allclose(back.centering().transform(X, docs["lang"]), st.centering().transform(X, docs["lang"]),
                       atol=1e-5)


def test_a_state_stored_before_regions_loads_and_its_next_refit_fits_the_configured_space(centers):
    docs, X, _ = corpus(centers[:3], [60, 60, 60], ["2026-09-20"] * 3, seed=1)
    st = run_topics(docs, X, TC.model_copy(update={"language_regions": 0}), run_date=D1).state
    tables = state_tables(st, "first run", 180, {}, {})
    # What a warehouse written before the regional correction holds: no "__regions__" entry.
    old_json = json.loads(tables["topic_model"]["lang_means"].iloc[0])
    old_json.pop("__regions__")
    old = state_from_tables(tables["topic_model"].assign(lang_means=json.dumps(old_json)), tables["topic_registry"])
    assert old.space_setting == "centre" and not old.region_offsets
    assert np.allclose(old.centering().transform(X, docs["lang"]), st.centering().transform(X, docs["lang"]),
                       atol=1e-5)
    # Its next refit fits the space the configuration asks for, and the stored topics keep their ids.
    refit = run_topics(docs, X, TC, previous=old, run_date=D2)
    assert refit.refit_reason == "schedule" and refit.state.space_setting == "centre+5 regions"
    assert set(refit.state.region_offsets) == {"fi", "en"}
    assert {e["event"] for e in refit.events} == {"kept"}
    assert (refit.docs["topic_id"].to_numpy() == run_topics(docs, X, TC, previous=old, run_date=D2)
            .docs["topic_id"].to_numpy()).all()
    first_ids = run_topics(docs, X, TC.model_copy(update={"language_regions": 0}), run_date=D1).docs["topic_id"]
    assert (refit.docs["topic_id"].to_numpy() == first_ids.to_numpy()).mean() > 0.95
    # Turned off again: the next refit drops the regions.
    off = run_topics(docs, X, TC.model_copy(update={"language_regions": 0}), previous=refit.state,
                     run_date=date(2026, 10, 20))
    assert off.state.space_setting == "centre" and not off.state.region_offsets


def test_registry_dates_are_local_dates(centers):
    # 22:30 UTC on 19 September is 01:30 on 20 September in Helsinki, where the run date is reckoned.
    docs, X, _ = corpus(centers[:3], [60, 60, 60], ["2026-09-19T22:30:00Z"] * 3, seed=1)
    utc = run_topics(docs, X, TC, run_date=D1)
    local = run_topics(docs, X, TC, run_date=D1, timezone="Europe/Helsinki")
    assert set(utc.state.first_seen.values()) == {date(2026, 9, 19)}
    assert set(local.state.first_seen.values()) == {date(2026, 9, 20)}
