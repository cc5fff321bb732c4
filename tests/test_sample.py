"""Sample corpus generator: deterministic, realistic, planted signals, exactly the planted bad rows."""
import json
import random
import re
import time
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from signals.config import REPO_ROOT, load_config
from signals.ingest import read_input
from signals.redact import redact
from signals.sample import (CALLS_FILE, CHATS_FILE, FEEDBACK_FILE, LEGACY_FILE, THEMES, generate_sample, main,
                            make_card, make_hetu, make_iban, profile_table, weekly_counts)
from signals.validate import validate

FILES = (FEEDBACK_FILE, LEGACY_FILE, CHATS_FILE, CALLS_FILE)
COMMITTED = REPO_ROOT / "data" / "sample"
START = date(2026, 8, 31)
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    out = tmp_path_factory.mktemp("full")
    t0 = time.perf_counter()
    summary = generate_sample(out)
    return out, summary, time.perf_counter() - t0


@pytest.fixture(scope="module")
def validated(full):
    return validate(read_input(full[0]), load_config().ingest)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("small")
    summary = generate_sample(out, scale=0.1)
    return out, summary, validate(read_input(out), load_config().ingest)


def file_bytes(folder):
    return {f: (folder / f).read_bytes() for f in FILES}


def planted(summary):
    return sorted((b["file"], b["line"]) for b in summary["bad_rows"])


def rejected(v):
    return sorted((r.file, int(r.line)) for r in v.rejects.itertuples())


def week_of(ts) -> int:
    return (ts.tz_convert(HELSINKI).date() - START).days // 7


def test_same_seed_gives_byte_identical_files(full, tmp_path):
    out, summary, _ = full
    assert generate_sample(tmp_path) == summary
    assert file_bytes(tmp_path) == file_bytes(out)


def test_another_seed_gives_another_corpus(tmp_path):
    generate_sample(tmp_path / "a", seed=1, scale=0.1)
    generate_sample(tmp_path / "b", seed=2, scale=0.1)
    assert file_bytes(tmp_path / "a") != file_bytes(tmp_path / "b")


def test_committed_sample_equals_a_fresh_generation(full):
    fresh = file_bytes(full[0])
    for f in FILES:
        assert (COMMITTED / f).read_bytes() == fresh[f], f"data/sample/{f} differs: run `make sample`, never edit it"


def test_readme_matches_the_generated_corpus(full):
    readme = (COMMITTED / "README.md").read_text(encoding="utf-8")
    assert profile_table(full[1]) in readme
    for b in full[1]["bad_rows"]:
        assert f"| `{b['file']}` | {b['line']} |" in readme


def test_generation_is_fast(full):
    assert full[2] < 5


def test_encodings(full):
    out = full[0]
    legacy = (out / LEGACY_FILE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        legacy.decode("utf-8")
    assert "ä" in legacy.decode("cp1252") and "ö" in legacy.decode("cp1252")
    calls = (out / CALLS_FILE).read_bytes()
    assert calls.startswith(b"\xef\xbb\xbfid,created_at,text,")
    for data in file_bytes(out).values():
        assert b"\r" not in data
    assert {i.file: i.encoding for i in read_input(out)} == {
        FEEDBACK_FILE: "utf-8", LEGACY_FILE: "cp1252", CHATS_FILE: "utf-8", CALLS_FILE: "utf-8-bom"}


def test_validation_rejects_exactly_the_planted_bad_rows(full, validated):
    summary = full[1]
    assert rejected(validated) == planted(summary) and len(planted(summary)) == 6
    reasons = " | ".join(validated.rejects.reason)
    for expected in ("empty text", "unparseable created_at '32.13.2026'", "duplicate id", "invalid JSON",
                     "no customer turn", "over the limit of 5000"):
        assert expected in reasons
    assert len(validated.documents) == summary["documents"]["total"]
    by_source = validated.documents.source.value_counts().to_dict()
    assert by_source == {s: summary["documents"][s] for s in ("feedback", "chat", "call")}


def test_counts_near_targets(full, validated):
    s, docs = full[1], validated.documents
    d = s["documents"]
    assert 1450 <= d["total"] <= 1750
    assert 820 <= d["feedback"] <= 980 and 300 <= d["chat"] <= 400 and 300 <= d["call"] <= 400
    assert 0.07 <= s["files"][LEGACY_FILE]["rows"] / d["feedback"] <= 0.14
    langs = s["languages"]
    assert 0.50 <= langs["fi"] / d["total"] <= 0.62 and 0.35 <= langs["en"] / d["total"] <= 0.47
    assert 10 <= langs["sv"] <= 60
    per_customer = docs.dropna(subset=["customer_id"]).groupby("customer_id")
    assert 360 <= per_customer.ngroups <= 440
    assert (per_customer.size() >= 2).sum() >= 100                    # repeat contacts
    assert (per_customer.source.nunique() >= 2).sum() >= 50           # across channels
    assert docs.customer_id.dropna().str.fullmatch(r"CUST-\d{6}").all()


def test_fields_and_timestamps_are_in_range(full, validated):
    docs = validated.documents
    fb = docs[docs.source == "feedback"]
    assert set(fb.channel) == {"web_form", "app_review", "email_survey", "nps"}
    assert set(fb.rating.dropna()) <= {1.0, 2.0, 3.0, 4.0, 5.0} and fb.rating.isna().any()
    assert set(fb.segment.dropna()) == {"consumer", "business", "premium"}
    assert set(docs[docs.source == "chat"].channel) == {"chat", "app_chat"}
    local = docs.created_at.dt.tz_convert(HELSINKI)
    assert local.min().date() >= START and local.max().date() < START + timedelta(weeks=12)
    raw = (full[0] / FEEDBACK_FILE).read_text(encoding="utf-8")
    assert re.search(r"\n[^,]+,2026-\d\d-\d\dT[\d:]+\+0[23]:00,", raw)       # with zone
    assert re.search(r"\n[^,]+,2026-\d\d-\d\d \d\d:\d\d,", raw)              # naive


def test_chats_are_realistic_conversations(full, validated):
    lines = (full[0] / CHATS_FILE).read_text(encoding="utf-8").splitlines()
    convs = []
    for line in lines:
        try:
            convs.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    assert len(convs) == len(lines) - 1
    roles = [[t["role"] for t in c["turns"]] for c in convs]
    assert all(r[0] == "bot" for r in roles)
    assert sum("agent" in r for r in roles) > 0.6 * len(convs)
    assert sum(r.count("customer") >= 2 for r in roles) > 0.3 * len(convs)
    for c in convs:
        times = [datetime.fromisoformat(t["at"]) for t in c["turns"]]
        assert times == sorted(times) and times[0] == datetime.fromisoformat(c["started_at"])
    assert validated.turns.doc_id.nunique() == len(convs) - 1       # minus the one without a customer turn


def test_emerging_theme_rises_and_fading_theme_falls(full, validated):
    t = full[1]["themes"]
    app, dl = t["app_login"], t["delivery"]
    assert sum(app[:8]) <= 2 and all(a < b for a, b in zip(app[-4:], app[-3:])) and app[-1] >= 30
    assert all(a >= b for a, b in zip(dl[2:], dl[3:])) and sum(dl[:4]) >= 100 and sum(dl[8:]) == 0
    for name in ("billing", "connection", "praise"):
        mean = sum(t[name]) / len(t[name])
        assert 0.75 * mean <= min(t[name]) and max(t[name]) <= 1.25 * mean
    assert all(3 <= n <= 5 for n in t["einvoice"])
    # the signal is in the texts, not only in the bookkeeping: keyword counts per week follow it
    docs = validated.documents
    weeks = docs.created_at.map(week_of)
    app_kw = Counter(weeks[docs.text.str.contains(r"kaatu|crash|krasch|kirjautu|log ?in|logga in", case=False)])
    assert sum(app_kw[w] for w in range(7)) <= 3
    assert app_kw[8] < app_kw[9] < app_kw[10] < app_kw[11]
    dl_kw = Counter(weeks[docs.text.str.contains(r"toimitus|toimitet|deliver|leverans", case=False)])
    assert sum(dl_kw[w] for w in range(4)) > 5 * sum(dl_kw[w] for w in range(8, 12))


def test_exact_duplicate_texts_are_rare(validated):
    texts = validated.documents.text
    assert 1 - texts.nunique() / len(texts) < 0.03


def test_pii_present_and_checksum_valid(validated):
    texts = validated.documents.text
    found = [redact(t).counts for t in texts]
    share = sum(1 for c in found if c) / len(texts)
    assert 0.03 <= share <= 0.08
    assert set().union(*found) == {"EMAIL", "PHONE", "HETU", "IBAN", "CARD"}


def test_identifier_makers_are_valid():
    rng = random.Random(0)
    for _ in range(300):
        h = make_hetu(rng)
        assert h[6] in "-A" and "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(h[:6] + h[7:10]) % 31] == h[10]
        iban = make_iban(rng).replace(" ", "")
        digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
        assert iban.startswith("FI") and len(iban) == 18 and int(digits) % 97 == 1
        card = [int(ch) for ch in make_card(rng).replace(" ", "")]
        assert len(card) == 16 and sum(sum(divmod(d * (1 + i % 2), 10)) for i, d in enumerate(reversed(card))) % 10 == 0


def test_finnish_is_colloquial_and_notes_are_terse(validated):
    texts = " ".join(validated.documents.text).lower()
    for marker in ("mun ", "ei toimi yhtään", "taas kerran", "as. ", "soittopyyntö", "kuluttajaneuvon"):
        assert marker in texts


def test_small_scale_still_covers_everything(small):
    out, s, v = small
    assert 130 <= len(v.documents) <= 200
    assert set(v.documents.source) == {"feedback", "chat", "call"}
    assert s["languages"]["fi"] >= 20 and s["languages"]["en"] >= 20
    assert all(sum(counts) >= 3 for counts in s["themes"].values()), s["themes"]
    assert rejected(v) == planted(s)
    app = s["themes"]["app_login"]
    assert app[-4:] == sorted(app[-4:]) and app[-1] > app[-4]


def test_weekly_counts_keep_totals_and_stretch():
    for theme in THEMES:
        assert abs(sum(weekly_counts(theme, 12, 0.1)) - sum(theme.weekly) * 0.1) <= 0.5 + 1e-9
        assert len(weekly_counts(theme, 20, 1.0)) == 20
    app = weekly_counts(next(t for t in THEMES if t.name == "app_login"), 20, 1.0)
    assert app[:10] == [0] * 10 and app[-1] == 35


def test_cli(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--scale", "0.05", "--seed", "7"]) == 0
    assert all((tmp_path / f).is_file() for f in FILES)
    assert "app_login" in capsys.readouterr().out
    assert main(["--out", str(tmp_path), "--start", "2026-09-01"]) == 2
