"""Ingest + validation: every row becomes a document or a reject with file, line and reason."""
import json

import pytest

from signals.ingest import InputError, decode, read_input
from signals.validate import validate
from tests.conftest import write_csv, write_jsonl

FB_HEADER = ["id", "created_at", "text", "customer_id", "channel", "rating", "segment", "store"]


def chat(cid, turns, started="2026-09-14T10:00:00+03:00", **extra):
    return {"conversation_id": cid, "customer_id": "CUST-1", "started_at": started, "channel": "chat",
            "turns": turns, **extra}


@pytest.fixture
def bad_input(tmp_path):
    write_csv(tmp_path / "feedback" / "fb.csv", FB_HEADER, [
        ["f1", "2026-09-14T10:22:00+03:00", "Lasku on väärin", "CUST-1", "web_form", "2", "consumer", "Kamppi"],
        ["f2", "2026-09-14 10:22", "Great service, thanks", "CUST-2", "", "", "", ""],
        ["f3", "2026-09-15", "   ", "CUST-3", "", "", "", ""],                       # empty text
        ["f4", "32.13.2026", "Sovellus kaatuu", "CUST-4", "", "", "", ""],          # bad date
        ["f1", "2026-09-16", "duplicate of f1", "CUST-5", "", "", "", ""],          # duplicate id
        ["f5", "2026-09-16", "x" * 6001, "CUST-6", "", "", "", ""],                 # too long
        ["f6", "2026-09-16", "Multi\nline, \"quoted\" text", "CUST-6", "", "abc", "", ""],  # bad rating
    ])
    write_jsonl(tmp_path / "chats" / "c.jsonl", [
        chat("c1", [{"role": "bot", "at": "2026-09-14T10:00:05+03:00", "text": "Hei! Miten voin auttaa?"},
                    {"role": "customer", "at": "2026-09-14T10:00:30+03:00", "text": "Netti ei toimi"},
                    {"role": "agent", "at": "2026-09-14T10:05:00+03:00", "text": "Tarkistan asian"},
                    {"role": "customer", "at": "2026-09-14T10:06:00+03:00", "text": "Kiitos"}]),
        '{"conversation_id": "c2", "turns": [',                                     # broken JSON
        chat("c3", [{"role": "bot", "at": "2026-09-14T10:00:05+03:00", "text": "Hei!"}]),  # no customer turn
        chat("c4", [{"role": "customer", "at": "yesterday", "text": "hello"}]),   # bad turn time
    ])
    write_csv(tmp_path / "calls" / "calls.csv", ["id", "created_at", "text", "customer_id", "agent_id", "outcome"], [
        ["k1", "2026-09-20T09:00:00Z", "Asiakas soitti, lasku virheellinen", "CUST-1", "A7", "resolved"],
    ])
    return tmp_path


def test_rows_in_equal_accepted_plus_rejected(bad_input, cfg):
    v = validate(read_input(bad_input), cfg.ingest)
    for f in v.files:
        assert f.read == f.accepted + f.rejected, f
    assert sum(f.read for f in v.files) == len(v.documents) + len(v.rejects) == 12
    assert sorted(v.documents["doc_id"]) == ["call:k1", "chat:c1", "feedback:f1", "feedback:f2"]


def test_each_bad_row_has_file_line_and_reason(bad_input, cfg):
    rej = validate(read_input(bad_input), cfg.ingest).rejects
    by = {(r.file, r.line): r.reason for r in rej.itertuples()}
    assert by[("feedback/fb.csv", 4)] == "empty text"
    assert "unparseable created_at '32.13.2026'" in by[("feedback/fb.csv", 5)]
    assert "duplicate id 'f1' (first seen at feedback/fb.csv:2)" == by[("feedback/fb.csv", 6)]
    assert "over the limit of 5000" in by[("feedback/fb.csv", 7)]
    assert "rating 'abc' is not a number" == by[("feedback/fb.csv", 8)]  # the multi-line row starts on line 8
    assert by[("chats/c.jsonl", 2)].startswith("invalid JSON")
    assert by[("chats/c.jsonl", 3)] == "conversation has no customer turn"
    assert "unparseable turn 0 at 'yesterday'" in by[("chats/c.jsonl", 4)]
    assert set(rej.loc[rej["file"] == "chats/c.jsonl", "source_id"].dropna()) == {"c3", "c4"}


def test_chat_document_is_customer_side_and_turns_are_kept(bad_input, cfg):
    v = validate(read_input(bad_input), cfg.ingest)
    doc = v.documents.set_index("doc_id").loc["chat:c1"]
    assert doc["text"] == "Netti ei toimi\nKiitos"
    assert list(v.turns["role"]) == ["bot", "customer", "agent", "customer"]
    assert set(v.turns["doc_id"]) == {"chat:c1"}


def test_timestamps_naive_are_helsinki_and_stored_utc(bad_input, cfg):
    docs = validate(read_input(bad_input), cfg.ingest).documents.set_index("doc_id")
    assert docs.loc["feedback:f1", "created_at"].isoformat() == "2026-09-14T07:22:00+00:00"
    assert docs.loc["feedback:f2", "created_at"].isoformat() == "2026-09-14T07:22:00+00:00"  # naive, EEST
    assert docs.loc["call:k1", "created_at"].isoformat() == "2026-09-20T09:00:00+00:00"


@pytest.mark.parametrize("text,utc", [
    ("14.9.2026 10:22", "2026-09-14T07:22:00+00:00"), ("14.09.2026 klo 10.22", "2026-09-14T07:22:00+00:00"),
    ("1.1.2026", "2025-12-31T22:00:00+00:00"),  # midnight in Helsinki, winter time
])
def test_finnish_dates_are_read_day_first(text, utc):
    from zoneinfo import ZoneInfo

    from signals.validate import Reject, parse_timestamp

    assert parse_timestamp(text, ZoneInfo("Europe/Helsinki"), "created_at").isoformat() == utc
    for bad in ("31.2.2026", "14.9.26", "9/14/2026"):
        with pytest.raises(Reject, match="unparseable created_at"):
            parse_timestamp(bad, ZoneInfo("Europe/Helsinki"), "created_at")


def test_extra_columns_kept_as_metadata_and_defaults(bad_input, cfg):
    docs = validate(read_input(bad_input), cfg.ingest).documents.set_index("doc_id")
    assert json.loads(docs.loc["feedback:f1", "metadata"]) == {"store": "Kamppi"}
    assert docs.loc["feedback:f1", "rating"] == 2.0
    assert docs.loc["feedback:f2", "channel"] == "feedback"   # empty channel → source default
    assert docs.loc["call:k1", "channel"] == "phone"
    assert json.loads(docs.loc["call:k1", "metadata"]) == {"agent_id": "A7", "outcome": "resolved"}


def test_cp1252_and_bom_files_decode(tmp_path, cfg):
    write_csv(tmp_path / "feedback" / "legacy.csv", ["id", "created_at", "text"],
              [["a", "2026-09-01", "Päivitys rikkoi sovelluksen, äänestän jaloillani"]], encoding="cp1252")
    write_csv(tmp_path / "calls" / "bom.csv", ["id", "created_at", "text"],
              [["b", "2026-09-01", "Asiakas pyysi hyvitystä"]], encoding="utf-8-sig")
    files = read_input(tmp_path)
    assert {f.file: f.encoding for f in files} == {"calls/bom.csv": "utf-8-bom", "feedback/legacy.csv": "cp1252"}
    docs = validate(files, cfg.ingest).documents.set_index("doc_id")
    assert docs.loc["feedback:a", "text"] == "Päivitys rikkoi sovelluksen, äänestän jaloillani"
    assert docs.loc["call:b", "text"] == "Asiakas pyysi hyvitystä"  # BOM not glued to the header


def test_decode_prefers_utf8():
    assert decode("hyvä".encode("utf-8")) == ("hyvä", "utf-8")
    assert decode("hyvä".encode("cp1252")) == ("hyvä", "cp1252")


def test_column_mapping_from_config(tmp_path, cfg):
    write_csv(tmp_path / "feedback" / "crm.csv", ["FeedbackID", "Timestamp", "Comment"],
              [["x1", "2026-09-01T12:00:00", "Toimii hyvin"]])
    unmapped = validate(read_input(tmp_path), cfg.ingest)
    assert "column 'id' missing" in unmapped.rejects["reason"].iloc[0]
    cfg.ingest.feedback.id, cfg.ingest.feedback.created_at, cfg.ingest.feedback.text = "FeedbackID", "Timestamp", "Comment"
    mapped = validate(read_input(tmp_path), cfg.ingest)
    assert list(mapped.documents["doc_id"]) == ["feedback:x1"]


def test_parquet_feedback_is_read(tmp_path, cfg):
    import pandas as pd

    (tmp_path / "feedback").mkdir()
    pd.DataFrame({"id": ["p1", "p2"], "created_at": ["2026-09-01", "bad"], "text": ["Hyvä", "Huono"]}).to_parquet(
        tmp_path / "feedback" / "fb.parquet")
    v = validate(read_input(tmp_path), cfg.ingest)
    assert list(v.documents["doc_id"]) == ["feedback:p1"]
    assert v.rejects.iloc[0]["line"] == 2


def test_a_file_that_cannot_be_read_is_one_reject_and_the_others_go_on(tmp_path, cfg):
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "broken.parquet").write_bytes(b"not a parquet file")
    write_csv(tmp_path / "feedback" / "fb.csv", ["id", "created_at", "text"], [["f1", "2026-09-01", "Hyvä palvelu"]])
    v = validate(read_input(tmp_path), cfg.ingest)
    assert list(v.documents["doc_id"]) == ["feedback:f1"]
    (rej,) = v.rejects.itertuples()
    assert (rej.file, rej.line) == ("calls/broken.parquet", 0) and rej.reason.startswith("cannot read file:")
    assert sum(f.read for f in v.files) == len(v.documents) + len(v.rejects)


def test_spreadsheet_exports_semicolons_header_case_and_a_doubled_column(tmp_path, cfg):
    fb = tmp_path / "feedback"
    fb.mkdir()
    # Excel in a Finnish locale: semicolons, decimal commas, "ID"/"Text" headers.
    (fb / "excel.csv").write_bytes("ID;Created_At;Text;Rating\ne1;2026-09-01;Lasku, taas väärin;4,5\n".encode("cp1252"))
    (fb / "doubled.csv").write_text("id,created_at,text,text\nd1,2026-09-01,a,b\n", encoding="utf-8")
    v = validate(read_input(tmp_path), cfg.ingest)
    (doc,) = v.documents.itertuples()
    assert (doc.doc_id, doc.text, doc.rating) == ("feedback:e1", "Lasku, taas väärin", 4.5)
    (rej,) = v.rejects.itertuples()
    assert (rej.file, rej.line) == ("feedback/doubled.csv", 2) and "['text'] more than once" in rej.reason


def test_missing_or_empty_input_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="input folder not found"):
        read_input(tmp_path / "nope")
    with pytest.raises(InputError, match="no input files"):
        read_input(tmp_path)


def test_a_huge_cell_is_a_reject_not_a_crash_and_a_runaway_quote_names_its_lines(tmp_path, cfg):
    fb = tmp_path / "feedback"
    fb.mkdir()
    write_csv(fb / "long.csv", ["id", "created_at", "text"], [["l1", "2026-09-01", "x" * 140_000],
                                                              ["l2", "2026-09-01", "Hyvä palvelu"]])
    (fb / "quote.csv").write_text('id,created_at,text\nq1,2026-09-01,ok\nq2,2026-09-01,"never closed\n'
                                  'q3,2026-09-01,swallowed\nq4,2026-09-01,swallowed too\n', encoding="utf-8")
    v = validate(read_input(tmp_path), cfg.ingest)
    assert sorted(v.documents["doc_id"]) == ["feedback:l2", "feedback:q1"]
    by = {(r.file, r.line): r.reason for r in v.rejects.itertuples()}
    assert "140000 characters, over the limit" in by[("feedback/long.csv", 2)]
    assert "lines 3–5 were read as this one row" in by[("feedback/quote.csv", 3)]


def test_a_json_line_may_hold_unicode_line_separators(tmp_path, cfg):
    write_jsonl(tmp_path / "chats" / "c.jsonl", [
        chat("c1", [{"role": "customer", "at": "2026-09-14T10:00:30+03:00", "text": "eka rivi\u2028toka rivi"}]),
        chat("c2", [{"role": "customer", "at": "2026-09-14T10:00:30+03:00", "text": "Netti ei toimi"}])])
    v = validate(read_input(tmp_path), cfg.ingest)
    assert sorted(v.documents["doc_id"]) == ["chat:c1", "chat:c2"] and v.rejects.empty


def test_files_a_run_would_not_read_are_listed_with_a_reason(tmp_path, cfg):
    from signals.ingest import ignored_input_files

    write_csv(tmp_path / "feedback" / "UPPER.CSV", ["id", "created_at", "text"], [["u1", "2026-09-01", "Hei"]])
    (tmp_path / "feedback" / "notes.txt").write_text("x")
    (tmp_path / "feedback" / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    (tmp_path / "feedback" / "2026").mkdir()
    (tmp_path / "feedback" / "2026" / "old.csv").write_text("id,created_at,text\n")
    (tmp_path / "surveys").mkdir()
    (tmp_path / ".DS_Store").write_text("")
    (tmp_path / "README.md").write_text("what this drop holds")   # documentation beside the folders: no warning
    assert list(validate(read_input(tmp_path), cfg.ingest).documents["doc_id"]) == ["feedback:u1"]
    ignored = dict(ignored_input_files(tmp_path))
    assert set(ignored) == {"feedback/notes.txt", "feedback/gone.csv", "feedback/2026/old.csv", "surveys"}
    assert "not a .csv or .parquet file" in ignored["feedback/notes.txt"]
    assert "broken link" in ignored["feedback/gone.csv"] and "input folders" in ignored["surveys"]


def test_rows_dated_after_the_run_date_are_rejected_and_control_characters_dropped(tmp_path, cfg):
    from datetime import date

    write_csv(tmp_path / "feedback" / "fb.csv", ["id", "created_at", "text"], [
        ["d1", "2026-10-01T23:59:00+03:00", "hello\x00 world"],   # the run date's last minute, Helsinki time
        ["d2", "2026-10-02T00:01:00+03:00", "Tomorrow's feedback"]])
    v = validate(read_input(tmp_path), cfg.ingest, date(2026, 10, 1))
    assert list(v.documents["text"]) == ["hello world"]
    (rej,) = v.rejects.itertuples()
    assert rej.line == 3 and "after the run date 2026-10-01" in rej.reason
    assert len(validate(read_input(tmp_path), cfg.ingest).documents) == 2   # no run date: nothing held back


def test_a_quote_never_closed_does_not_pass_the_rest_of_the_file_off_as_one_text(tmp_path, cfg):
    (tmp_path / "feedback").mkdir()
    (tmp_path / "feedback" / "q.csv").write_text('id,created_at,text\nq1,2026-09-01,"ok, fine"\n'
                                                 'q2,2026-09-01,"never closed\nq3,2026-09-01,swallowed\n')
    v = validate(read_input(tmp_path), cfg.ingest)
    assert list(v.documents["doc_id"]) == ["feedback:q1"]
    (rej,) = v.rejects.itertuples()
    assert rej.line == 3 and rej.reason == "a quote opened here is never closed: lines 3–4 were read as this one row"


def test_chat_roles_and_channels_match_ignoring_case(tmp_path, cfg):
    write_jsonl(tmp_path / "chats" / "c.jsonl", [
        chat("c1", [{"role": "Customer", "at": "2026-09-14T10:00:30+03:00", "text": "Netti ei toimi"},
                    {"role": "AGENT", "at": "2026-09-14T10:01:30+03:00", "text": "Tarkistan"}], channel="Chat")])
    v = validate(read_input(tmp_path), cfg.ingest)
    (doc,) = v.documents.itertuples()
    assert doc.text == "Netti ei toimi" and doc.channel == "chat"
    assert v.turns["role"].tolist() == ["customer", "agent"]
