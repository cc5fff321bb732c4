"""Warehouse writes: replace-by-date, atomic, same types in DuckDB and Parquet."""
from datetime import date, datetime, timezone

import duckdb
import pandas as pd
import pytest

from signals import schemas
from signals.warehouse import Warehouse, WarehouseError

D1, D2 = date(2026, 11, 22), date(2026, 11, 23)


def tables(n_docs: int, run_id: str = "r") -> dict[str, pd.DataFrame]:
    out = {s.name: s.empty().drop(columns=["run_date"]) for s in schemas.ALL}
    out["documents"] = pd.DataFrame([{c: None for c in schemas.DOCUMENTS.names if c != "run_date"}
                                     | {"doc_id": f"feedback:{i}", "text": "hei", "topic_id": 0,
                                        "created_at": datetime(2026, 9, 1, tzinfo=timezone.utc)}
                                     for i in range(n_docs)])
    out["topics"] = pd.DataFrame([dict(topic_id=0, label="lasku", theme_id=0, keywords=["lasku"], keywords_fi=["lasku"],
                                       keywords_en=[], size=n_docs, share_fi=1.0, share_en=0.0, share_other=0.0,
                                       representative_doc_ids=["feedback:0"], representative_texts=["hei"])])
    out["theme_signals"] = pd.DataFrame([{c: None for c in schemas.THEME_SIGNALS.names if c != "run_date"}
                                         | dict(theme_id=0, label="lasku", n_topics=2, topic_ids=[0, 3],
                                                keywords_fi=["lasku"], keywords_en=[])])
    out["runs"] = pd.DataFrame([{c: None for c in schemas.RUNS.names if c != "run_date"} | {"run_id": run_id}])
    return out


def count(wh: Warehouse, table: str, d: date) -> int:
    return int(wh.query(f"SELECT count(*) AS n FROM {table} WHERE run_date = ?", [d])["n"][0])


def test_rewriting_a_date_replaces_it_and_keeps_others(tmp_path):
    wh = Warehouse(tmp_path)
    wh.write_run(D1, tables(3))
    wh.write_run(D2, tables(5))
    wh.write_run(D2, tables(4))
    assert count(wh, "documents", D1) == 3 and count(wh, "documents", D2) == 4
    assert count(wh, "runs", D2) == 1
    parquet = tmp_path / "parquet" / "run_date=2026-11-23" / "documents.parquet"
    assert len(pd.read_parquet(parquet)) == 4
    assert not list((tmp_path / "parquet").glob(".*"))  # no temporary leftovers


def test_types_survive_empty_lists(tmp_path):
    wh = Warehouse(tmp_path)
    wh.write_run(D1, tables(2))
    t = wh.query("SELECT keywords_en, keywords_fi FROM topics")
    assert list(t["keywords_en"][0]) == [] and list(t["keywords_fi"][0]) == ["lasku"]
    parquet = tmp_path / "parquet" / "run_date=2026-11-22" / "topics.parquet"
    kinds = {r[0]: r[1] for r in duckdb.connect().execute(f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()}
    assert kinds["keywords_en"] == "VARCHAR[]" and kinds["run_date"] == "DATE"
    themes = wh.query("SELECT topic_ids, keywords_en FROM theme_signals")
    assert list(themes["topic_ids"][0]) == [0, 3] and list(themes["keywords_en"][0]) == []


def test_failed_write_leaves_previous_state(tmp_path):
    wh = Warehouse(tmp_path)
    wh.write_run(D1, tables(3))
    bad = tables(7)
    bad["topic_trends"] = pd.DataFrame([dict(topic_id="not-a-number", week_start=None, lang="fi", docs=1,
                                             customers=1)])
    with pytest.raises(Exception):
        wh.write_run(D1, bad)
    assert count(wh, "documents", D1) == 3     # both stores as they were, and no half-built folder left
    assert len(pd.read_parquet(tmp_path / "parquet" / "run_date=2026-11-22" / "documents.parquet")) == 3
    assert not list((tmp_path / "parquet").glob(".*"))


def test_missing_table_is_refused(tmp_path):
    t = tables(1)
    del t["turns"]
    with pytest.raises(WarehouseError, match="missing"):
        Warehouse(tmp_path).write_run(D1, t)


def test_older_warehouse_gets_new_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "signals.duckdb"))
    con.execute("CREATE TABLE documents (run_date DATE, doc_id VARCHAR, text VARCHAR)")
    con.execute("INSERT INTO documents VALUES ('2026-11-01', 'feedback:old', 'vanha')")
    con.close()
    wh = Warehouse(tmp_path)
    wh.write_run(D1, tables(2))
    got = wh.query("SELECT doc_id, topic_id FROM documents ORDER BY run_date, doc_id")
    assert got["doc_id"].tolist() == ["feedback:old", "feedback:0", "feedback:1"]


def test_a_write_waits_for_another_process_to_close_the_file_then_fails_plainly(tmp_path, monkeypatch):
    import subprocess
    import sys
    import time

    from signals import warehouse

    wh = Warehouse(tmp_path)
    wh.write_run(D1, tables(1))
    hold = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True); "
            "time.sleep(float(sys.argv[2]))")
    monkeypatch.setattr(warehouse, "LOCK_WAIT_S", 30.0)
    p = subprocess.Popen([sys.executable, "-c", hold, str(wh.db_path), "2"], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "open"
    t0 = time.monotonic()
    wh.write_run(D1, tables(2))   # waits for the reader, then writes
    assert time.monotonic() - t0 > 0.5 and count(wh, "documents", D1) == 2
    p.wait()
    monkeypatch.setattr(warehouse, "LOCK_WAIT_S", 1.0)
    p = subprocess.Popen([sys.executable, "-c", hold, str(wh.db_path), "20"], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseError, match="another process holds it open"):
            wh.write_run(D1, tables(5))
    finally:
        p.kill()
    assert count(wh, "documents", D1) == 2
    assert len(pd.read_parquet(tmp_path / "parquet" / "run_date=2026-11-22" / "documents.parquet")) == 2


def test_a_warehouse_path_that_is_a_file_fails_early(tmp_path):
    (tmp_path / "wh").write_text("")
    with pytest.raises(WarehouseError, match="is a file, not a folder"):
        Warehouse(tmp_path / "wh").check_writable()
