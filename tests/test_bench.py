"""The benchmark's pure parts (sizes, ratios, table), plus one small real run (slow).

No timing assertions: speed targets belong to the benchmark's output, not to the tests.
"""
import json
import subprocess
import sys

import pytest

from pipelines import bench
from signals.config import REPO_ROOT, load_config


def raw(path: str, n: int, *, embed: float, topics: float, rss: float, pre: float = 0.0, **extra) -> dict:
    stages = {"embed_load": 1.0, "embed": embed, "topics": topics}
    if path == "ours":
        stages = {"langid": pre / 2, "nlp": pre / 2, **stages}
    cpu = {k: 2 * v for k, v in stages.items()}
    return {"path": path, "n_docs": n, "stages_s": stages, "stages_cpu_s": cpu, "peak_rss_mb": rss, "n_topics": 7,
            "outlier_share": 0.25, **extra}


RESULTS = [
    raw("ours", 1000, embed=10.0, topics=8.0, rss=900.0, pre=6.0),       # total 25
    raw("baseline", 1000, embed=30.0, topics=19.0, rss=1200.0),          # total 50
]


def test_parse_sizes():
    assert bench.parse_sizes("5000,20000") == [5000, 20000]
    assert bench.parse_sizes(" 5_000, 300 ,5000,") == [5000, 300]
    for bad in ("", "0", "-5", "abc", "1.5"):
        with pytest.raises(ValueError):
            bench.parse_sizes(bad)


def test_sample_scale_is_snug_and_grows_on_retry():
    assert bench.sample_scale(1600) == pytest.approx(1.02)
    assert bench.sample_scale(16000) == pytest.approx(10.2)
    assert bench.sample_scale(5000, 1) > bench.sample_scale(5000, 0)


def test_derive_totals_and_throughput():
    d = bench.derive(RESULTS[0])
    assert d["total_s"] == pytest.approx(25.0)
    assert d["docs_per_s"] == pytest.approx(40.0)
    assert d["embed_docs_per_s"] == pytest.approx(100.0)  # embedding throughput excludes model loading
    assert RESULTS[0].get("total_s") is None  # input untouched


def test_summarise_ratios_against_the_same_runs_baseline():
    s = bench.summarise(RESULTS, meta={"k": "v"})
    size = s["sizes"]["1000"]
    assert set(size) >= {"ours", "baseline", "ratios", "embed_target_met"}
    q = size["ratios"]
    assert q["speedup_overall"] == pytest.approx(2.0)    # 50 s / 25 s
    assert q["speedup_embed"] == pytest.approx(3.0)      # 30 s / 10 s
    assert q["speedup_embed_cpu"] == pytest.approx(3.0)  # 60 CPU s / 20 CPU s
    assert q["speedup_topics"] == pytest.approx(19 / 8, abs=1e-3)
    assert q["rss_ratio"] == pytest.approx(0.75)         # ours / baseline
    assert size["embed_target_met"] is True and s["embed_target_met"] is True
    assert s["embed_speedup_target"] == bench.EMBED_SPEEDUP_TARGET and s["meta"] == {"k": "v"}
    json.dumps(s)  # the summary is the JSON line: it must serialise


def test_summarise_target_missed_and_sizes_sorted():
    results = [raw("baseline", 300, embed=20.0, topics=5.0, rss=1000.0),
               raw("ours", 300, embed=10.0, topics=5.0, rss=1000.0),
               *RESULTS]
    s = bench.summarise(results)
    assert list(s["sizes"]) == ["300", "1000"]
    assert s["sizes"]["300"]["ratios"]["speedup_embed"] == pytest.approx(2.0)
    assert s["sizes"]["300"]["embed_target_met"] is False
    assert s["embed_target_met"] is False


def test_summarise_missing_or_failed_path_gives_no_ratios():
    failed = {"path": "baseline", "n_docs": 1000, "error": "worker exited with status 137"}
    for results in ([RESULTS[0]], [RESULTS[0], failed]):
        s = bench.summarise(results)
        size = s["sizes"]["1000"]
        assert all(v is None for v in size["ratios"].values())
        assert size["embed_target_met"] is None and s["embed_target_met"] is None
    table = bench.format_table(bench.summarise([RESULTS[0], failed]))
    assert "FAILED: worker exited with status 137" in table and "n/a" in table


def test_format_table():
    table = bench.format_table(bench.summarise(RESULTS))
    lines = table.splitlines()
    ours = next(l for l in lines if l.split()[:2] == ["1000", "ours"])
    base = next(l for l in lines if l.split()[:2] == ["1000", "baseline"])
    assert ours.split()[2:6] == ["6.0", "1.0", "10.0", "8.0"]      # langid+nlp, load, embed, topics
    assert ours.split()[-3:] == ["900", "7", "25.0%"]
    assert base.split()[2] == "–"                                   # the baseline has no langid/nlp stage
    assert "overall 2.00×" in table and "embedding 3.00×" in table and "target ≥ 2.5×: met" in table
    assert "peak RSS 0.75×" in table and "by CPU time 3.00×" in table
    busy = bench.summarise(RESULTS, meta={"cpu_count": 2, "loadavg_start": [3.5, 3, 3], "loadavg_end": [1.0, 2, 2]})
    assert "machine was busy" in bench.format_table(busy)
    assert "busy" not in bench.format_table(bench.summarise(RESULTS, meta={
        "cpu_count": 2, "loadavg_start": [0.5, 1, 1], "loadavg_end": [1.5, 1, 1]}))


def test_peak_rss_is_measured():
    hwm, ru = bench.peak_rss_mb()
    assert ru > 0 and (hwm is None or hwm > 0)


def test_cli_rejects_bad_sizes(capsys):
    with pytest.raises(SystemExit) as exc:
        bench.main(["--sizes", "0"])
    assert exc.value.code == 2
    assert "positive" in capsys.readouterr().err


@pytest.mark.slow
def test_small_real_run(tmp_path, model_dir):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "pipelines.bench", "--sizes", "200", "--out", str(out)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-1]
    summary = json.loads(last)
    assert json.loads(out.read_text(encoding="utf-8")) == summary
    size = summary["sizes"]["200"]
    for path in ("ours", "baseline"):
        run = size[path]
        assert "error" not in run and run["n_docs"] == 200
        assert {"embed", "topics"} <= set(run["stages_s"]) and run["peak_rss_mb"] > 0
        assert isinstance(run["n_topics"], int) and 0.0 <= run["outlier_share"] <= 1.0
    assert {"langid", "nlp"} <= set(size["ours"]["stages_s"])
    assert size["ours"]["embedding"]["backend"] == load_config().embedding.backend
    assert size["baseline"]["embedding"]["backend"] == "sentence-transformers"
    assert all(v is not None for v in size["ratios"].values())
    assert "ours vs baseline" in proc.stdout
