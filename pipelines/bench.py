"""Benchmark: our topic path against plain BERTopic, on the same documents, in one run.

    python -m pipelines.bench [--sizes 5000,20000] [--out FILE] [--config FILE]

For each size N the documents are the first N validated documents of a synthetic sample corpus
(`signals.sample`) generated just large enough for N. The generator's files come in the order
calls, chats, feedback, so the corpus is sized snugly (scale ≈ N / 1,600) rather than generously:
the first N documents then keep the real mix of sources and lengths. Texts are not redacted.

Two paths run on those texts, each in a fresh interpreter (so one path's memory cannot hide the
other's and neither inherits the other's warm caches):

- **ours**: language detection → spaCy lemmas → embedding with the configured fast backend
  (`make_embedder`, int8 ONNX by default; no embedding cache: every text is embedded fresh) →
  our topic stage fitted fresh (`topic_registry.run_topics`, or `topics.model_topics` before it);
- **baseline**: sentence-transformers fp32 embeddings of the same local model
  (`Embedder.from_config`) → `BERTopic()` with its default settings, `fit_transform(texts, vectors)`.

Stage wall times: `langid`, `nlp` (ours only), `embed_load` (building the model plus one warm-up
text), `embed` (encoding all N texts) and `topics`. Overall docs/s is N over the sum of all stages;
embedding docs/s is N over `embed` alone. Peak RSS is the worker's own high-water mark
(`VmHWM` on Linux: `ru_maxrss` of a child started by fork + exec also counts the parent's pages
at the fork, so it is recorded but only used where VmHWM is unavailable; the parent imports only
the standard library to keep that gap small). Ours runs first for each size, so any warm-cache
advantage (page cache, numba) goes to the baseline.

Output: a table, the ratios against the baseline of the same run (overall speed-up, embedding
speed-up with the acceptance target ≥ 2.5×, peak-RSS ratio) and, last, one JSON line with
everything; `--out` writes the same JSON to a file. Timings on a shared machine vary: the JSON
records the load average before and after, and CPU seconds per stage (`stages_cpu_s`, giving an
embedding speed-up by CPU time as a cross-check of the wall-time one).

Only the standard library is imported at module level; models and pandas are loaded in workers.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
PATHS = ("ours", "baseline")
DEFAULT_SIZES = (5000, 20000)
# Acceptance of the int8 backend: embedding throughput at least this many times fp32's.
EMBED_SPEEDUP_TARGET = 2.5
# Validated documents per unit of `generate_sample(scale=…)` (1,616 at scale 1.0).
DOCS_PER_SCALE = 1600
STAGES = ("langid", "nlp", "embed_load", "embed", "topics")


# ----------------------------------------------------------------------------- pure logic

def parse_sizes(text: str) -> list[int]:
    """"5000,20000" → [5000, 20000]; sizes must be positive integers, duplicates are dropped."""
    sizes: list[int] = []
    for part in text.split(","):
        part = part.strip().replace("_", "")
        if not part:
            continue
        try:
            n = int(part)
        except ValueError:
            raise ValueError(f"not a document count: {part!r} (expected e.g. 5000,20000)") from None
        if n <= 0:
            raise ValueError(f"sizes must be positive, got {n}")
        if n not in sizes:
            sizes.append(n)
    if not sizes:
        raise ValueError("no sizes given (expected e.g. 5000,20000)")
    return sizes


def sample_scale(n_docs: int, attempt: int = 0) -> float:
    """Scale for `generate_sample` so the corpus just holds `n_docs`; each retry asks for 10 % more."""
    return round(n_docs / DOCS_PER_SCALE * (1.02 + 0.10 * attempt), 4)


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return round(num / den, 3)


def derive(run: dict) -> dict:
    """A worker's raw measurement → the same plus totals and throughput."""
    if run.get("error"):
        return dict(run)
    stages = run["stages_s"]
    n = run["n_docs"]
    total = sum(stages.values())
    embed = stages.get("embed")
    return {**run,
            "total_s": round(total, 3),
            "docs_per_s": round(n / total, 1) if total > 0 else None,
            "embed_docs_per_s": round(n / embed, 1) if embed else None}


def summarise(results: Iterable[dict], *, meta: dict | None = None,
              embed_target: float = EMBED_SPEEDUP_TARGET) -> dict:
    """Raw per-(path, size) results → runs grouped by size with ratios of ours against the baseline.

    Ratios are "how many times better ours is": speed-ups are baseline time / our time; the RSS ratio
    is ours / baseline (below 1 means we use less memory). A missing or failed path gives None.
    """
    by_size: dict[int, dict[str, dict]] = {}
    for r in results:
        by_size.setdefault(int(r["n_docs"]), {})[r["path"]] = derive(r)
    sizes = {}
    for n in sorted(by_size):
        runs = by_size[n]
        ours, base = runs.get("ours", {}), runs.get("baseline", {})
        ok = bool(ours) and bool(base) and not ours.get("error") and not base.get("error")
        stage = lambda run, name, key="stages_s": run.get(key, {}).get(name) if ok else None  # noqa: E731
        ratios = {
            "speedup_overall": _ratio(base.get("total_s"), ours.get("total_s")) if ok else None,
            "speedup_embed": _ratio(stage(base, "embed"), stage(ours, "embed")),
            # CPU seconds instead of wall: a cross-check when other work shares the machine.
            "speedup_embed_cpu": _ratio(stage(base, "embed", "stages_cpu_s"), stage(ours, "embed", "stages_cpu_s")),
            "speedup_topics": _ratio(stage(base, "topics"), stage(ours, "topics")),
            "rss_ratio": _ratio(ours.get("peak_rss_mb"), base.get("peak_rss_mb")) if ok else None,
        }
        sizes[str(n)] = {
            "n_docs": n,
            **{p: runs[p] for p in PATHS if p in runs},
            "ratios": ratios,
            "embed_target_met": (ratios["speedup_embed"] >= embed_target) if ratios["speedup_embed"] is not None
            else None,
        }
    met = [s["embed_target_met"] for s in sizes.values()]
    return {
        "benchmark": "silent-signals topics: ours vs plain BERTopic",
        "embed_speedup_target": embed_target,
        "embed_target_met": all(met) if met and None not in met else None,
        "sizes": sizes,
        "meta": meta or {},
    }


def _fmt(value, spec: str, missing: str = "–") -> str:
    return missing if value is None else format(value, spec)


def format_table(summary: dict) -> str:
    """Compact human-readable table of a `summarise` result."""
    head = (f"{'docs':>7}  {'path':<8}  {'langid+nlp':>10}  {'load':>6}  {'embed':>7}  {'topics':>7}  "
            f"{'total':>7}  {'docs/s':>7}  {'emb docs/s':>10}  {'peak MB':>7}  {'topics#':>7}  {'outliers':>8}")
    lines = [head, "-" * len(head)]
    target = summary.get("embed_speedup_target", EMBED_SPEEDUP_TARGET)
    for key, size in summary["sizes"].items():
        for path in PATHS:
            r = size.get(path)
            if r is None:
                continue
            if r.get("error"):
                lines.append(f"{size['n_docs']:>7}  {path:<8}  FAILED: {str(r['error']).splitlines()[-1][:90]}")
                continue
            st = r["stages_s"]
            pre = st["langid"] + st["nlp"] if "langid" in st and "nlp" in st else None
            lines.append(
                f"{size['n_docs']:>7}  {path:<8}  {_fmt(pre, '10.1f'):>10}  {_fmt(st.get('embed_load'), '6.1f'):>6}  "
                f"{_fmt(st.get('embed'), '7.1f'):>7}  {_fmt(st.get('topics'), '7.1f'):>7}  "
                f"{_fmt(r.get('total_s'), '7.1f'):>7}  {_fmt(r.get('docs_per_s'), '7.1f'):>7}  "
                f"{_fmt(r.get('embed_docs_per_s'), '10.1f'):>10}  {_fmt(r.get('peak_rss_mb'), '7.0f'):>7}  "
                f"{_fmt(r.get('n_topics'), '7d'):>7}  {_fmt(r.get('outlier_share'), '8.1%'):>8}")
        q = size["ratios"]
        met = size.get("embed_target_met")
        verdict = "n/a" if met is None else ("met" if met else "NOT met")
        lines.append(f"{'':>7}  ours vs baseline: overall {_fmt(q['speedup_overall'], '.2f')}×, "
                     f"embedding {_fmt(q['speedup_embed'], '.2f')}× (target ≥ {target:g}×: {verdict}; "
                     f"by CPU time {_fmt(q.get('speedup_embed_cpu'), '.2f')}×), "
                     f"topics {_fmt(q['speedup_topics'], '.2f')}×, peak RSS {_fmt(q['rss_ratio'], '.2f')}×")
    lines.append("times in seconds (wall); load = building the embedding model + one warm-up text; "
                 "speed-ups = baseline time / our time; peak RSS ratio = ours / baseline")
    load = summary.get("meta", {}).get("loadavg_start"), summary.get("meta", {}).get("loadavg_end")
    cpus = summary.get("meta", {}).get("cpu_count")
    if all(load) and cpus:
        lines.append(f"load average (1 min) {load[0][0]:g} → {load[1][0]:g} on {cpus} CPUs"
                     + ("  ← the machine was busy: wall-time ratios are noisy" if max(load[0][0], load[1][0]) > cpus
                        else ""))
    return "\n".join(lines)


# ----------------------------------------------------------------------------- workers (fresh processes)

def peak_rss_mb() -> tuple[float | None, float]:
    """(VmHWM of this process in MB or None where /proc is missing, ru_maxrss in MB)."""
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ru_mb = ru / 1024 / 1024 if sys.platform == "darwin" else ru / 1024  # bytes on macOS, KiB on Linux
    hwm = None
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) / 1024
                    break
    except OSError:
        pass
    return hwm, ru_mb


@contextmanager
def _timed(stages: dict[str, float], name: str, cpu: dict[str, float] | None = None):
    """Wall seconds of the block into `stages[name]`; this process's CPU seconds into `cpu[name]`."""
    t0, c0 = time.perf_counter(), time.process_time()
    yield
    stages[name] = round(time.perf_counter() - t0, 3)
    if cpu is not None:
        cpu[name] = round(time.process_time() - c0, 3)


def prepare_corpus(n_docs: int, work_dir: Path, config: str | None = None, max_attempts: int = 5) -> list[str]:
    """Texts of the first `n_docs` validated documents of a sample corpus generated just large enough."""
    from signals.config import load_config
    from signals.ingest import read_input
    from signals.sample import generate_sample
    from signals.validate import validate

    cfg = load_config(config)
    for attempt in range(max_attempts):
        out = work_dir / f"corpus-{n_docs}-{attempt}"
        generate_sample(out, scale=sample_scale(n_docs, attempt))
        texts = validate(read_input(out), cfg.ingest).documents["text"].tolist()
        if len(texts) >= n_docs:
            return texts[:n_docs]
    raise RuntimeError(f"sample corpus too small for {n_docs} documents after {max_attempts} attempts")


def _topic_stats(topic_ids) -> dict:
    ids = [int(t) for t in topic_ids]
    return {"n_topics": len(set(ids) - {-1}),
            "outlier_share": round(sum(t == -1 for t in ids) / len(ids), 4) if ids else 0.0}


def _our_topic_stage() -> tuple[str, Callable]:
    """Our topic stage as the nightly run uses it, fitted fresh (no stored state): `docs → docs with topic_id`.

    `topic_registry.run_topics` where it exists (stable ids across nights), else the earlier
    `topics.model_topics`.
    """
    try:
        from signals import topic_registry
    except ImportError:
        topic_registry = None
    if topic_registry is not None and hasattr(topic_registry, "run_topics"):
        return "topic_registry.run_topics", lambda docs, vectors, tc: topic_registry.run_topics(docs, vectors, tc).docs
    from signals import topics

    return "topics.model_topics", lambda docs, vectors, tc: topics.model_topics(docs, vectors, tc)[0]


def run_ours(texts: Sequence[str], cfg) -> dict:
    from signals.offline import enforce_offline

    enforce_offline()
    import pandas as pd

    from signals import embed, langid, nlp

    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}
    texts = list(texts)
    with _timed(stages, "langid", cpu):
        docs = langid.assign_languages(pd.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": texts}),
                                       cfg.langid.targets)
    with _timed(stages, "nlp", cpu):
        docs = nlp.preprocess(docs, nlp.Preprocessor.from_config(cfg.nlp))
    with _timed(stages, "embed_load", cpu):
        embedder = embed.make_embedder(cfg.embedding)
        embedder.encode(["warm-up"])
    with _timed(stages, "embed", cpu):
        vectors = embedder.encode(texts)  # no cache: every text embedded fresh
    with _timed(stages, "topics", cpu):
        stage_name, topic_stage = _our_topic_stage()
        out = topic_stage(docs, vectors, cfg.topics)
    return {"stages_s": stages, "stages_cpu_s": cpu, **_topic_stats(out["topic_id"]), "topic_stage": stage_name,
            "embedding": {"backend": cfg.embedding.backend, "model_id": embedder.model_id},
            "languages": docs["lang"].value_counts().to_dict()}


def run_baseline(texts: Sequence[str], cfg) -> dict:
    from signals.offline import enforce_offline

    enforce_offline()  # BERTopic() gets no embedding model, and nothing may reach a hub anyway
    from signals.embed import Embedder

    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}
    texts = list(texts)
    with _timed(stages, "embed_load", cpu):
        embedder = Embedder.from_config(cfg.embedding)  # fp32 reference, the same local model
        embedder.encode(["warm-up"])
    with _timed(stages, "embed", cpu):
        vectors = embedder.encode(texts)
    with _timed(stages, "topics", cpu):
        from bertopic import BERTopic

        topic_ids, _probs = BERTopic().fit_transform(texts, vectors)
    return {"stages_s": stages, "stages_cpu_s": cpu, **_topic_stats(topic_ids),
            "embedding": {"backend": "sentence-transformers", "model_id": embedder.model_id}}


RUNNERS: dict[str, Callable[[Sequence[str], object], dict]] = {"ours": run_ours, "baseline": run_baseline}


def _versions() -> dict:
    from importlib import metadata

    out = {}
    for pkg in ("bertopic", "sentence-transformers", "torch", "onnxruntime", "umap-learn", "hdbscan", "spacy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def worker(path: str, texts_file: Path, result_file: Path, config: str | None) -> None:
    """Runs one path on the texts in `texts_file` and writes its measurement to `result_file`."""
    from signals.config import load_config

    cfg = load_config(config)
    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    cpu0 = time.process_time()
    res = RUNNERS[path](texts, cfg)
    hwm, ru = peak_rss_mb()
    res.update(path=path, n_docs=len(texts), cpu_s=round(time.process_time() - cpu0, 1),
               peak_rss_mb=round(hwm if hwm is not None else ru, 1), ru_maxrss_mb=round(ru, 1),
               versions=_versions())
    result_file.write_text(json.dumps(res), encoding="utf-8")


def worker_prepare(n_docs: int, texts_file: Path, config: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="signals-bench-corpus-") as tmp:
        texts = prepare_corpus(n_docs, Path(tmp), config)
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")


# ----------------------------------------------------------------------------- driver

def _spawn(args: list[str]) -> tuple[int, float]:
    """Runs `python -m pipelines.bench ARGS` in a fresh interpreter; its output goes to our stderr."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipelines.bench", *args], cwd=REPO_ROOT,
                          stdout=sys.stderr, stderr=sys.stderr)
    return proc.returncode, round(time.perf_counter() - t0, 1)


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run_benchmark(sizes: Sequence[int], *, config: str | None = None,
                  log: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True)) -> dict:
    meta = {"started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "git_commit": _git_commit(),
            "python": platform.python_version(), "platform": platform.platform(), "cpu_count": os.cpu_count(),
            "loadavg_start": _loadavg(), "config": config or "configs/nightly.yaml", "order": list(PATHS)}
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="signals-bench-") as tmp:
        tmp = Path(tmp)
        cfg_args = ["--config", config] if config else []
        for n in sizes:
            texts_file = tmp / f"texts-{n}.json"
            log(f"[bench] {n} docs: generating the sample corpus …")
            rc, _ = _spawn(["--worker", "prepare", "--n", str(n), "--texts", str(texts_file), *cfg_args])
            if rc != 0:
                raise RuntimeError(f"preparing the {n}-document corpus failed (exit {rc})")
            for path in PATHS:
                log(f"[bench] {n} docs: {path} …")
                result_file = tmp / f"result-{path}-{n}.json"
                rc, wall = _spawn(["--worker", path, "--texts", str(texts_file), "--result", str(result_file),
                                   *cfg_args])
                if rc == 0 and result_file.is_file():
                    res = json.loads(result_file.read_text(encoding="utf-8"))
                    res["process_s"] = wall
                else:
                    res = {"path": path, "n_docs": n, "error": f"worker exited with status {rc}", "process_s": wall}
                log(f"[bench] {n} docs: {path} done in {wall:.0f}s")
                results.append(res)
    meta["loadavg_end"] = _loadavg()
    meta["versions"] = next((r["versions"] for r in results if r.get("versions")), {})
    for r in results:
        r.pop("versions", None)
    return summarise(results, meta=meta)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipelines.bench",
                                 description="Time our topic path against plain BERTopic on the same documents.")
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                    help="comma-separated document counts (default %(default)s)")
    ap.add_argument("--out", type=Path, help="also write the JSON summary to this file")
    ap.add_argument("--config", help="configuration file (default configs/nightly.yaml)")
    # Internal: one worker process per (path, size).
    ap.add_argument("--worker", choices=("prepare", *PATHS), help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--texts", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker == "prepare":
        worker_prepare(args.n, args.texts, args.config)
        return 0
    if args.worker:
        worker(args.worker, args.texts, args.result, args.config)
        return 0

    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as exc:
        ap.error(str(exc))
    summary = run_benchmark(sizes, config=args.config)
    print(format_table(summary))
    line = json.dumps(summary, ensure_ascii=False, sort_keys=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(line + "\n", encoding="utf-8")
    print(line, flush=True)
    failed = [f"{p}@{n}" for n, s in summary["sizes"].items() for p in PATHS if s.get(p, {}).get("error")]
    if failed:
        print(f"error: failed runs: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
