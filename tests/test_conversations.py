"""Conversation features and repeat contacts: hand-computed numbers on small frames."""
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from signals.config import REPO_ROOT, load_config
from signals.conversations import (FEATURE_COLUMNS, REPEAT_COLUMNS, conversation_features, count_repeats,
                                   repeat_contacts, tokens)
from signals.ingest import read_input
from signals.validate import validate

NAN = float("nan")


def ts(s):
    return None if s is None else datetime.fromisoformat(s).replace(tzinfo=timezone.utc)


def conv(doc_id, rows):
    return [dict(doc_id=doc_id, conversation_id=doc_id, turn_index=i, role=role, at=ts(at), text=text)
            for i, (role, at, text) in enumerate(rows)]


D = "2026-09-14T"
TURNS = pd.DataFrame(
    # A: bot → customer (burst of two) → bot handover → agent; customer restates, last word unanswered.
    conv("chat:A", [
        ("bot", D + "10:00:00", "Hei! Miten voin auttaa?"),
        ("customer", D + "10:00:10", "Laskussa on virhe, veloitettu kahdesti"),
        ("customer", D + "10:00:20", "hellooo"),
        ("bot", D + "10:00:30", "Siirrän asiantuntijalle"),
        ("agent", D + "10:05:30", "Hei, Teemu täällä"),
        ("customer", D + "10:06:00", "Kuten sanoin: laskussa on virhe, veloitettu kahdesti <EMAIL>"),
        ("agent", D + "10:07:00", "Korjaan"),
        ("customer", D + "10:08:00", "kiitos"),
    ])
    # B: agent only (e.g. an outbound message nobody answered).
    + conv("chat:B", [
        ("agent", D + "10:00:00", "Hei, soitamme huomenna"),
        ("agent", D + "10:01:00", "Kiitos"),
    ])
    # C: missing timestamps, an unknown role between, bot after the agent (no handover).
    + conv("chat:C", [
        ("customer", None, "my internet is down again"),
        ("agent", D + "12:00:00", "checking"),
        ("customer", D + "12:01:00", "still nothing here"),
        ("unknown", D + "12:01:30", "system message"),
        ("bot", D + "12:02:00", "please rate us"),
        ("customer", D + "12:03:00", "x"),
        ("bot", None, "bye"),
    ])
    # D: clock skew (reply before the question) and short acknowledgements.
    + conv("chat:D", [
        ("customer", D + "10:00:00", "ok"),
        ("bot", D + "09:59:00", "hello"),
        ("customer", D + "10:01:00", "ok"),
        ("Agent ", D + "10:02:00", "hi"),
    ])
    # E: no timestamps at all.
    + conv("chat:E", [
        ("customer", None, "where is my parcel"),
        ("agent", None, "on its way"),
    ])
)


@pytest.fixture
def feats():
    return conversation_features(TURNS).set_index("doc_id")


def test_counts_and_handover(feats):
    assert list(feats.reset_index().columns) == FEATURE_COLUMNS
    assert feats.loc["chat:A", ["turns", "customer_turns", "agent_turns", "bot_turns"]].tolist() == [8, 4, 2, 2]
    assert feats.loc["chat:C", ["turns", "customer_turns", "agent_turns", "bot_turns"]].tolist() == [7, 3, 1, 2]
    assert feats["handover"].to_dict() == {"chat:A": True, "chat:B": False, "chat:C": False,
                                           "chat:D": True, "chat:E": False}
    assert feats["handover"].dtype == bool


def test_repeats(feats):
    # A: turn 5 vs turn 1 → 5 shared of 7 tokens = 0.71 ≥ 0.6; the placeholder is ignored.
    assert feats["customer_repeats"].to_dict() == {"chat:A": 1, "chat:B": 0, "chat:C": 0, "chat:D": 0, "chat:E": 0}
    assert conversation_features(TURNS, repeat_threshold=0.8).set_index("doc_id").loc["chat:A", "customer_repeats"] == 0
    # "ok" twice is not a restatement (fewer than 3 tokens) unless asked for.
    assert conversation_features(TURNS, min_repeat_tokens=1).set_index("doc_id").loc["chat:D", "customer_repeats"] == 1


def test_tokens_and_count_repeats():
    assert tokens("Soita <PHONE> tai <EMAIL>, KIITOS!") == {"soita", "tai", "kiitos"}
    assert tokens(None) == frozenset()
    texts = ["netti ei toimi taas", "netti ei toimi edelleenkään", "netti ei toimi taas", "ihan muuta asiaa tässä"]
    # 2nd vs 1st: 3/5 = 0.6 (≥, so a repeat); 3rd equals 1st; 4th is new. Each counted once.
    assert count_repeats(texts) == 2
    assert count_repeats(texts, threshold=0.61) == 1


def test_delays(feats):
    a = feats.loc["chat:A"]
    # Waits: 10:00:10 → bot 10:00:30 (the "hellooo" burst is the same wait) = 20 s;
    # 10:06:00 → 10:07:00 = 60 s; the final "kiitos" is unanswered, so not a wait.
    assert (a["waits"], a["waits_timed"]) == (2, 2)
    assert (a["first_response_s"], a["max_response_delay_s"], a["mean_response_delay_s"],
            a["customer_wait_s_total"]) == (20.0, 60.0, 40.0, 80.0)

    c = feats.loc["chat:C"]
    # Waits: (missing) → 12:00 = NaN; 12:01 → bot 12:02 skipping the unknown turn = 60; 12:03 → (missing) = NaN.
    assert (c["waits"], c["waits_timed"]) == (3, 1)
    assert np.isnan(c["first_response_s"])  # the first wait is untimed: not replaced by a later one
    assert (c["max_response_delay_s"], c["mean_response_delay_s"], c["customer_wait_s_total"]) == (60.0, 60.0, 60.0)

    d = feats.loc["chat:D"]
    # 10:00 → bot 09:59 is negative (clock skew) → NaN; 10:01 → agent 10:02 = 60 ("Agent " is an agent).
    assert (d["waits"], d["waits_timed"]) == (2, 1)
    assert np.isnan(d["first_response_s"]) and d["max_response_delay_s"] == 60.0

    for doc in ("chat:B", "chat:E"):
        row = feats.loc[doc]
        assert row[["first_response_s", "max_response_delay_s", "mean_response_delay_s",
                    "customer_wait_s_total"]].isna().all()
    assert feats.loc["chat:B", "waits"] == 0 and feats.loc["chat:E", ["waits", "waits_timed"]].tolist() == [1, 0]


def test_features_ignore_row_order():
    expected = conversation_features(TURNS)
    for seed in range(3):
        shuffled = TURNS.sample(frac=1, random_state=seed).reset_index(drop=True)
        pd.testing.assert_frame_equal(conversation_features(shuffled), expected)


def test_features_empty_and_all_missing_times():
    empty = conversation_features(TURNS.iloc[:0])
    assert list(empty.columns) == FEATURE_COLUMNS and empty.empty
    no_times = TURNS.assign(at=None)
    out = conversation_features(no_times)
    assert out["first_response_s"].isna().all() and (out["waits_timed"] == 0).all()
    # Roles the configuration does not call "customer" (ingest.customer_roles): every turn is someone else's.
    other = conversation_features(TURNS, customer_roles=("asiakas",))
    assert (other["customer_turns"] == 0).all() and (other["customer_repeats"] == 0).all()


# ---------------------------------------------------------------- repeat contacts

def doc(doc_id, key, at, channel, source="chat"):
    return dict(doc_id=doc_id, customer_key=key, created_at=ts(at), channel=channel, source=source)


DOCS = pd.DataFrame([
    doc("x1", "c_x", "2026-09-01T00:00:00", "chat"),
    doc("x2", "c_x", "2026-09-15T00:00:00", "phone", "call"),   # exactly 14 days after x1: inclusive
    doc("x3", "c_x", "2026-09-15T00:00:01", "chat"),            # x1 now 1 s outside the window
    doc("x4", "c_x", "2026-09-15T00:00:01", "chat"),            # same instant as x3: not each other's prior
    doc("x5", "c_x", "2026-09-20T00:00:00", "chat"),
    doc("x6", "c_x", None, "chat"),                             # no time: not placed, nobody's prior
    doc("y1", "c_y", "2026-09-01T00:00:00", "web_form", "feedback"),
    doc("y2", "c_y", "2026-09-02T00:00:00", "web_form", "feedback"),
    doc("y3", "c_y", "2026-09-03T00:00:00", None, "feedback"),
    doc("a1", None, "2026-09-15T00:00:00", "chat"),
    doc("a2", float("nan"), "2026-09-15T00:00:00", "chat"),
    doc("a3", "  ", "2026-09-16T00:00:00", "chat"),
])

EXPECTED = {  # prior_contacts, prior_channels, is_repeat_contact, cross_channel_repeat
    "x1": (0, 0, False, False),
    "x2": (1, 1, True, True),
    "x3": (1, 1, True, True),
    "x4": (1, 1, True, True),
    "x5": (3, 2, True, True),   # x2 (phone), x3, x4 (chat); x1 is 19 days back
    "x6": (0, 0, False, False),
    "y1": (0, 0, False, False),
    "y2": (1, 1, True, False),
    "y3": (2, 1, True, True),   # a missing channel differs from web_form
    "a1": (0, 0, False, False),
    "a2": (0, 0, False, False),
    "a3": (0, 0, False, False),
}


def as_dict(out):
    return {r.doc_id: (r.prior_contacts, r.prior_channels, r.is_repeat_contact, r.cross_channel_repeat)
            for r in out.itertuples()}


def test_repeat_contacts_hand_computed():
    out = repeat_contacts(DOCS)
    assert list(out.columns) == REPEAT_COLUMNS
    assert out["doc_id"].tolist() == sorted(EXPECTED)
    assert as_dict(out) == EXPECTED
    assert out["is_repeat_contact"].dtype == bool and out["prior_contacts"].dtype == np.int64


def test_repeat_window_edges():
    one_day = as_dict(repeat_contacts(DOCS, window_days=1))
    assert one_day["y2"] == (1, 1, True, False)      # exactly 1 day: inclusive
    assert one_day["y3"] == (1, 1, True, True)       # y1 is 2 days back
    assert one_day["x2"] == (0, 0, False, False)
    by_source = as_dict(repeat_contacts(DOCS, channel_column="source"))
    assert by_source["x3"] == (1, 1, True, True) and by_source["y3"] == (2, 1, True, False)


def test_repeat_contacts_ignore_row_order():
    expected = repeat_contacts(DOCS)
    for seed in range(3):
        pd.testing.assert_frame_equal(repeat_contacts(DOCS.sample(frac=1, random_state=seed)), expected)


def test_repeat_contacts_match_brute_force():
    rng = np.random.default_rng(7)
    n = 400
    base = datetime(2026, 9, 1, tzinfo=timezone.utc)
    docs = pd.DataFrame(dict(
        doc_id=[f"d{i:04d}" for i in range(n)],
        customer_key=rng.choice(["c1", "c2", "c3", "c4", None], n),
        created_at=[base + timedelta(hours=int(h)) for h in rng.integers(0, 24 * 60, n)],
        channel=rng.choice(["chat", "phone", "web_form"], n),
        source="chat",
    ))
    got = as_dict(repeat_contacts(docs, window_days=7))
    for r in docs.itertuples():
        if r.customer_key is None:
            want = (0, 0, False, False)
        else:
            prior = docs[(docs.customer_key == r.customer_key) & (docs.created_at < r.created_at)
                         & (docs.created_at >= r.created_at - timedelta(days=7))]
            want = (len(prior), prior.channel.nunique(), len(prior) > 0, bool((prior.channel != r.channel).any()))
        assert got[r.doc_id] == want, r.doc_id


def test_repeat_contacts_empty():
    out = repeat_contacts(DOCS.iloc[:0])
    assert list(out.columns) == REPEAT_COLUMNS and out.empty


# ---------------------------------------------------------------- the sample corpus

def test_sample_corpus_ranges():
    v = validate(read_input(REPO_ROOT / "data" / "sample"), load_config().ingest)
    f = conversation_features(v.turns)
    assert len(f) == v.documents["source"].eq("chat").sum() > 100
    assert 0.2 < f["handover"].mean() < 1.0
    assert 0.0 < (f["customer_repeats"] > 0).mean() < 0.5
    assert (f["customer_turns"] >= 1).all()
    delays = f[["first_response_s", "max_response_delay_s", "mean_response_delay_s", "customer_wait_s_total"]]
    assert (delays.stack() >= 0).all()
    timed = f["first_response_s"].notna()
    assert (f.loc[timed, "first_response_s"] <= f.loc[timed, "max_response_delay_s"]).all()
    assert 0 < f["first_response_s"].median() < 3600

    docs = v.documents.rename(columns={"customer_id": "customer_key"})
    r = repeat_contacts(docs)
    assert len(r) == len(docs)
    assert 0.0 < r["is_repeat_contact"].mean() < 1.0
    assert r["cross_channel_repeat"].any()
    assert (r["prior_channels"] <= r["prior_contacts"]).all()
    assert not r.loc[r["doc_id"].isin(docs.loc[docs["customer_key"].isna(), "doc_id"]), "is_repeat_contact"].any()
