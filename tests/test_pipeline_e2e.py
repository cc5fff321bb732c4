"""End to end on the real model: sample corpus → warehouse; idempotent; crash-safe."""
import json
import os
import re
import subprocess
import sys
from datetime import date

import pytest

from pipelines.nightly import CRASH_ENV, run_nightly
from signals.config import REPO_ROOT, load_config
from signals.redact import redact
from signals.sample import generate_sample
from signals.warehouse import Warehouse

pytestmark = pytest.mark.slow
RUN_DATE = date(2026, 11, 23)
COMPARE = {
    "documents": "SELECT doc_id, text, lang, lemmas, topic_id, customer_key FROM documents ORDER BY doc_id",
    "topics": "SELECT topic_id, label, keywords_fi, keywords_en, size FROM topics ORDER BY topic_id",
    "topic_trends": "SELECT * EXCLUDE (run_date) FROM topic_trends ORDER BY ALL",
    "rejects": "SELECT * EXCLUDE (run_date) FROM rejects ORDER BY file, line",
    "turns": "SELECT doc_id, turn_index, role, text FROM turns ORDER BY doc_id, turn_index",
}


@pytest.fixture(scope="module")
def sample_input(tmp_path_factory):
    out = tmp_path_factory.mktemp("input")
    generate_sample(out, scale=0.1)
    return out


@pytest.fixture(scope="module")
def first_run(sample_input, tmp_path_factory, model_dir):
    wh_dir = tmp_path_factory.mktemp("wh")
    res = run_nightly(sample_input, RUN_DATE, load_config(), warehouse_dir=wh_dir,
                      report_dir=wh_dir / "report", log=lambda m: None,
                      progress=False)
    return res, Warehouse(wh_dir)


def snapshot(wh: Warehouse) -> dict:
    # Through JSON so list columns (keywords) compare by value, not as numpy arrays.
    return {name: json.loads(wh.query(sql).to_json(orient="split", date_format="iso")) for name, sql in COMPARE.items()}


def test_tables_populated_and_rows_balance(first_run):
    res, wh = first_run
    n = {t: int(wh.query(f"SELECT count(*) AS n FROM {t}")["n"][0])
         for t in ("runs", "documents", "turns", "rejects", "topics", "topic_trends")}
    assert all(v > 0 for v in n.values()), n
    assert res.counts["rows_read"] == n["documents"] + n["rejects"]
    for f in res.files:
        assert f["read"] == f["accepted"] + f["rejected"]
    assert set(wh.query("SELECT DISTINCT source FROM documents")["source"]) == {"feedback", "chat", "call"}
    assert {"fi", "en"} <= set(wh.query("SELECT DISTINCT lang FROM documents")["lang"])
    run = wh.query("SELECT * FROM runs").iloc[0]
    assert run["status"] == "ok" and len(run["config_hash"]) == 16 and "embedding" in run["model_ids"]
    assert res.n_topics >= 2
    cx = wh.query("SELECT source, count(*) AS n, count(customer_turns) AS with_turns, count_if(handover) AS handovers, "
                  "count(sentiment) AS scored, count_if(is_repeat_contact) AS repeats FROM documents GROUP BY source")
    cx = cx.set_index("source")
    assert cx.loc["chat", "with_turns"] == cx.loc["chat", "n"] and cx.loc["chat", "handovers"] > 0
    assert cx.loc["feedback", "with_turns"] == 0
    assert (cx["scored"] == cx["n"]).all() and cx["repeats"].sum() > 0


def test_no_raw_pii_or_customer_ids_in_warehouse(first_run):
    _, wh = first_run
    texts = wh.query("SELECT text FROM documents UNION ALL SELECT text FROM turns "
                     "UNION ALL SELECT excerpt FROM rejects UNION ALL SELECT metadata FROM documents")["text"]
    leaks = [t for t in texts if t and redact(t).counts]
    assert leaks == []
    assert wh.query("SELECT count(*) AS n FROM documents WHERE text LIKE '%<%>%'")["n"][0] > 0  # PII was there
    keys = wh.query("SELECT DISTINCT customer_key FROM documents WHERE customer_key IS NOT NULL")["customer_key"]
    assert all(re.fullmatch(r"c_[0-9a-f]{16}", k) for k in keys)


def test_rerun_same_date_is_idempotent(first_run, sample_input):
    res, wh = first_run
    before = snapshot(wh)
    again = run_nightly(sample_input, RUN_DATE, load_config(), warehouse_dir=wh.root,
                        report_dir=wh.root / "report", log=lambda m: None,
                        progress=False)
    assert again.counts["embedded_new"] == 0  # everything came from the cache
    assert snapshot(wh) == before
    assert int(wh.query("SELECT count(*) AS n FROM runs")["n"][0]) == 1


def test_killed_run_then_rerun_equals_uninterrupted(first_run, sample_input, tmp_path):
    _, reference = first_run
    wh_dir = tmp_path / "wh"
    cmd = [sys.executable, "-m", "signals.cli", "run", "--input", str(sample_input), "--date", str(RUN_DATE),
           "--warehouse", str(wh_dir), "--reports", str(wh_dir / "report"), "--quiet"]
    env = dict(os.environ, **{CRASH_ENV: "embed"})
    crashed = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert crashed.returncode == 70, crashed.stderr
    db = wh_dir / "signals.duckdb"
    assert not db.exists() or Warehouse(wh_dir).query("SELECT count(*) AS n FROM documents")["n"][0] == 0
    env.pop(CRASH_ENV)
    ok = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == ""  # --quiet: silent on success
    assert snapshot(Warehouse(wh_dir)) == snapshot(reference)


def test_bad_input_folder_fails_loudly(tmp_path):
    r = subprocess.run([sys.executable, "-m", "signals.cli", "run", "--input", str(tmp_path / "missing"),
                        "--date", "2026-11-23", "--warehouse", str(tmp_path / "wh")],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "input folder not found" in r.stderr and "Traceback" not in r.stderr


def test_a_night_with_no_accepted_row_records_its_rejects_and_fails_plainly(tmp_path):
    (tmp_path / "in" / "feedback").mkdir(parents=True)
    (tmp_path / "in" / "feedback" / "fb.csv").write_text("id,created_at,text\nf1,2026-11-01,\n")
    (tmp_path / "in" / "feedback" / "notes.txt").write_text("not input")
    r = subprocess.run([sys.executable, "-m", "signals.cli", "run", "--input", str(tmp_path / "in"), "--date",
                        "2026-11-23", "--warehouse", str(tmp_path / "wh"), "--quiet"],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == ""
    assert "no row was accepted (1 read, 1 rejected" in r.stderr
    assert "notes.txt is not read: not a .csv or .parquet file" in r.stderr   # a warning even with --quiet
    wh = Warehouse(tmp_path / "wh")
    assert wh.query("SELECT status FROM runs")["status"].tolist() == ["no_documents"]
    assert wh.query("SELECT file, line, reason FROM rejects").values.tolist() == [["feedback/fb.csv", 2, "empty text"]]


def test_next_night_keeps_topic_ids_without_refitting(first_run, sample_input):
    _, wh = first_run
    nxt = date(2026, 11, 24)
    res = run_nightly(sample_input, nxt, load_config(), warehouse_dir=wh.root, report_dir=wh.root / "report-next",
                      log=lambda m: None, progress=False)
    assert res.refit_reason is None  # placed by the stored topics: cost is embedding new texts only
    same = wh.query("SELECT avg(CASE WHEN a.topic_id = b.topic_id THEN 1.0 ELSE 0 END) AS s FROM documents a "
                    "JOIN documents b USING (doc_id) WHERE a.run_date = ? AND b.run_date = ?", [RUN_DATE, nxt])
    assert same["s"][0] >= 0.95
    model = wh.query("SELECT fitted_on, refit_reason FROM topic_model WHERE run_date = ?", [nxt]).iloc[0]
    assert str(model["fitted_on"])[:10] == str(RUN_DATE) and model["refit_reason"] is None
    events = wh.query("SELECT event FROM topic_events WHERE run_date = ?", [RUN_DATE])["event"]
    assert set(events) == {"new"}


def test_run_writes_the_report_and_signals_report_rebuilds_it(first_run, tmp_path):
    res, wh = first_run
    folder = res.report.parent
    assert res.report == res.warehouse / "report" / "report.html"   # --reports given; default <report.dir>/<date>/
    for name in ("report.html", "report.md", "signals.csv", "explorer.html"):
        assert (folder / name).stat().st_size > 0, name
    assert res.summary().splitlines()[-1] == f"report: {res.report}"
    r = subprocess.run([sys.executable, "-m", "signals.cli", "report", "--date", str(RUN_DATE), "--warehouse",
                        str(wh.root), "--out", str(tmp_path)], cwd=REPO_ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == str(tmp_path / "report.html")
    # rebuilt from the warehouse alone: the same pages as the run wrote
    for name in ("report.html", "report.md", "signals.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (folder / name).read_text(encoding="utf-8"), name
