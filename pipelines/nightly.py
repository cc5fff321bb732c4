"""The nightly run: input folder → validated, redacted, enriched documents → topics → warehouse.

Each stage is a function from `signals/`; this module only wires them, times them and
reports progress. Nothing is written until the final stage, which replaces the run date's
outputs atomically, so a crash at any point leaves the previous good state and a re-run
(helped by the embedding cache) gives the same result.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from signals import (actions, conversations, cues, embed, feelings, ingest, langid, metrics, nlp, redact, report,
                     themes, topic_registry, topics, validate)
from signals.config import REPO_ROOT, Config, resolve
from signals.warehouse import TABLES, Warehouse

STAGES = ("ingest", "validate", "redact", "langid", "nlp", "conversations", "embed", "feelings", "topics", "signals",
          "write", "report")
# Test hook: exit abruptly after the named stage, to prove a crashed run leaves no partial state.
CRASH_ENV = "SIGNALS_CRASH_AFTER"


@dataclass
class RunResult:
    run_date: date
    run_id: str
    warehouse: Path
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    files: list[dict] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    n_topics: int = 0
    outlier_share: float = 0.0
    refit_reason: str | None = None
    top_signals: list = field(default_factory=list)
    report: Path | None = None

    def summary(self) -> str:
        lines = [f"run {self.run_date} ({self.run_id}) → {self.warehouse}",
                 f"  read {self.counts['rows_read']} rows: {self.counts['documents']} documents, "
                 f"{self.counts['rejected']} rejected",
                 "  documents per source: " + ", ".join(f"{k} {v}" for k, v in sorted(self.sources.items())),
                 "  languages: " + ", ".join(f"{k} {v}" for k, v in sorted(self.languages.items())),
                 f"  topics: {self.n_topics} (outlier pool {self.outlier_share:.1%}; "
                 f"{'refit: ' + self.refit_reason if self.refit_reason else 'placed by stored topics'}), "
                 f"embedded {self.counts['embedded_new']} new texts, {self.counts['embedded_cached']} from cache",
                 "  time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())]
        lines += [f"  topic {tid} [{label}]: {text}" for tid, label, text in self.top_signals]
        lines.append(f"report: {self.report}")
        return "\n".join(lines)


def git_commit() -> str:
    """HEAD, with "-dirty" when tracked files differ from it: a run's outputs must name the code that made them."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def _redacted_rejects(rejects: pd.DataFrame) -> pd.DataFrame:
    return rejects.assign(excerpt=validate.excerpts(rejects["excerpt"], lambda t: redact.redact(t).text))


def _run_row(res: RunResult, started: datetime, status: str, cfg: Config, model_ids: dict) -> pd.DataFrame:
    return pd.DataFrame([dict(
        run_id=res.run_id, started_at=started, finished_at=datetime.now(timezone.utc), status=status,
        config_hash=cfg.content_hash(), git_commit=git_commit(), model_ids=json.dumps(model_ids),
        input_files=json.dumps(res.files), counts=json.dumps(res.counts), timings=json.dumps(res.timings))])


def _write_empty_run(wh: Warehouse, run_date: date, res: RunResult, started: datetime, cfg: Config,
                     rejects: pd.DataFrame) -> None:
    """A night on which no row was accepted still records its run and rejects (replacing that date's earlier
    outputs), so the rejects can be read; every other table is empty for the date and later nights build on
    the last date that had documents."""
    tables = {name: schema.empty() for name, schema in TABLES.items()}
    tables.update(runs=_run_row(res, started, "no_documents", cfg, {}), rejects=rejects)
    wh.write_run(run_date, tables)


def run_nightly(input_dir: Path, run_date: date, cfg: Config, *, warehouse_dir: Path | None = None,
                report_dir: Path | None = None, log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
                progress: bool = True) -> RunResult:
    """One nightly run: every stage, then the warehouse write, then the report built from the warehouse
    (into ``report_dir``, default ``<report.dir>/<run_date>/``) exactly as `signals report` rebuilds it."""
    started = datetime.now(timezone.utc)
    wh = Warehouse(warehouse_dir or resolve(cfg.warehouse.dir), cfg.warehouse.duckdb_file)
    res = RunResult(run_date, uuid.uuid4().hex[:12], wh.root)
    # Set-up mistakes fail here, before an hour of work, not at the stage that first needs them.
    wh.check_writable()
    done_actions = actions.load_actions(resolve(cfg.signals.actions)) if cfg.signals.actions else []

    @contextmanager
    def stage(name: str):
        log(f"[{STAGES.index(name) + 1}/{len(STAGES)}] {name} …")
        t0 = time.perf_counter()
        yield
        res.timings[name] = round(time.perf_counter() - t0, 3)
        if os.environ.get(CRASH_ENV) == name:
            log(f"{CRASH_ENV}={name}: exiting abruptly (test hook)")
            os._exit(70)

    with stage("ingest"):
        files = ingest.read_input(Path(input_dir))
        ignored = ingest.ignored_input_files(Path(input_dir))
        for rel, why in ignored:
            # Even with --quiet: a file dropped into the wrong place is data that silently goes missing.
            print(f"warning: {Path(input_dir) / rel} is not read: {why}", file=sys.stderr)
    with stage("validate"):
        v = validate.validate(files, cfg.ingest, run_date)
        res.files = [vars(f) for f in v.files] + [{"file": rel, "ignored": why} for rel, why in ignored]
        res.counts.update(rows_read=sum(f.read for f in v.files), documents=len(v.documents),
                          rejected=len(v.rejects))
        for f in v.files:
            if f.rejected:
                log(f"  {f.file}: {f.rejected} of {f.read} rows rejected (see the rejects table)")
    if v.documents.empty:
        _write_empty_run(wh, run_date, res, started, cfg, _redacted_rejects(v.rejects))
        raise ingest.InputError(f"{input_dir}: no row was accepted ({res.counts['rows_read']} read, "
                                f"{res.counts['rejected']} rejected; their reasons are in the rejects table "
                                f"of {wh.db_path} for {run_date})")
    with stage("redact"):
        key = redact.pseudonym_key(var=cfg.privacy.key_env)
        docs = redact.redact_documents(v.documents, key)
        turns = redact.redact_column(v.turns, "text")
        rejects = _redacted_rejects(v.rejects)
        res.counts["pii_redacted"] = int(docs["pii_redacted"].sum()) if len(docs) else 0
    with stage("langid"):
        docs = langid.assign_languages(docs, cfg.langid.targets)
        res.languages = docs["lang"].value_counts().to_dict()
        res.sources = docs["source"].value_counts().to_dict()
    with stage("nlp"):
        docs = nlp.preprocess(docs, nlp.Preprocessor.from_config(cfg.nlp))
    with stage("conversations"):
        cc = cfg.conversations
        chat = conversations.conversation_features(turns, repeat_threshold=cc.repeat_similarity,
                                                   customer_roles=cfg.ingest.customer_roles)
        repeats = conversations.repeat_contacts(docs, window_days=cc.repeat_window_days)
        docs = docs.merge(chat.drop(columns=["turns"]), on="doc_id", how="left").merge(repeats, on="doc_id",
                                                                                     how="left")
    with stage("embed"):
        embedder = embed.make_embedder(cfg.embedding)
        cache = embed.EmbeddingCache(wh.root / "cache" / "embeddings", embedder.cache_key)
        # Sentence vectors come out of the same forward pass, for the fact-vs-feeling share.
        embedded = embed.embed_documents(docs["text"].tolist(), docs["text_hash"].tolist(), embedder, cache,
                                         progress=progress, sentence_spans=docs["sentence_spans"].tolist())
        vectors, n_new = embedded.vectors, embedded.n_new
        res.counts.update(embedded_new=n_new, embedded_cached=len(set(docs["text_hash"])) - n_new)
    with stage("feelings"):
        emo, sent = feelings.load_models(resolve(cfg.feelings.emotion_model), resolve(cfg.feelings.sentiment_model),
                                         embedder)
        scored = feelings.score_feelings(vectors, docs["text"].tolist(), emo, sent, docs["lang"].tolist())
        fact_feeling = feelings.load_fact_feeling(resolve(cfg.feelings.fact_feeling_model), embedder)
        scored.insert(4, "feeling_share", fact_feeling.shares(embedded.sentences, docs["lang"].tolist()))
        detector = cues.CueDetector.from_yaml(resolve(cfg.feelings.cues),
                                              head=feelings.load_cue_head(cfg.feelings.cue_model, embedder))
        flags = detector.detect(docs["text"].tolist(), docs["lang"].tolist(), docs["marked_lemmas"].tolist(), vectors)
        flags = flags[[c for c in flags.columns if not c.endswith("_score")]]
        docs = pd.concat([docs.reset_index(drop=True), scored, flags], axis=1)
    with stage("topics"):
        tc = cfg.topics
        stored_model, stored_registry = wh.latest_before("topic_model", run_date), wh.latest_before("topic_registry",
                                                                                                   run_date)
        previous = topic_registry.state_from_tables(stored_model, stored_registry)
        tr = topic_registry.run_topics(docs, vectors, tc, previous=previous, run_date=run_date,
                                      timezone=cfg.ingest.timezone)
        docs = tr.docs
        topic_table = topics.build_topics_table(docs, tr.space, top_n_words=tc.top_n_words,
                                                n_representative=tc.n_representative)
        theme_of = themes.carry_themes(themes.stored_themes(stored_model, stored_registry, tc.theme_quantile),
                                       tr.state.topic_ids, tr.state.centroids, tc.theme_quantile)
        topic_table["theme_id"] = themes.theme_ids(topic_table["topic_id"], theme_of)
        trends = topics.topic_trends(docs, cfg.ingest.timezone)
        last_seen = pd.Series(topic_registry.local_dates(docs["created_at"], cfg.ingest.timezone)).groupby(
            docs["topic_id"].to_numpy()).max().to_dict()
        state = topic_registry.state_tables(tr.state, tr.refit_reason, tr.n_fit_docs,
                                            dict(zip(topic_table["topic_id"], topic_table["label"])), last_seen)
        # Themes are carried in the registry, so tomorrow's start from tonight's (see themes.carry_themes).
        state["topic_registry"]["theme_id"] = themes.theme_ids(state["topic_registry"]["topic_id"], theme_of)
        state["topic_model"]["theme_quantile"] = tc.theme_quantile
        events = pd.DataFrame(tr.events, columns=["event", "topic_id", "related_topic_id", "similarity"])
        res.n_topics = int((topic_table["topic_id"] != topics.OUTLIER).sum()) if len(topic_table) else 0
        res.outlier_share = float((docs["topic_id"] == topics.OUTLIER).mean()) if len(docs) else 0.0
        res.refit_reason = tr.refit_reason
    with stage("signals"):
        sc = cfg.signals
        labels = dict(zip(topic_table["topic_id"], topic_table["label"]))
        complete = metrics.in_complete_periods(docs["created_at"], run_date, period=sc.period,
                                               timezone=cfg.ingest.timezone)
        res.counts["unfinished_period_docs"] = int((~complete).sum())
        if not complete.all():
            log(f"  {int((~complete).sum())} documents of the unfinished {'week' if sc.period == 'W' else 'month'} "
                "are stored and count in trends from the run that completes it")
        trend_docs = docs[complete].reset_index(drop=True)
        options = dict(period=sc.period, window=sc.window, timezone=cfg.ingest.timezone, k=sc.min_customers,
                       quote_min_customers=sc.quote_min_customers, quotes_per_topic=sc.quotes_per_topic,
                       keyword_min_docs=sc.keyword_min_docs)
        signal_tables = metrics.signal_tables(trend_docs, labels, **options)
        signal_tables["theme_signals"] = themes.theme_signals(docs, tr.space, theme_of, complete,
                                                              top_n_words=tc.top_n_words, **options)
        signal_tables["action_followup"] = actions.action_followup(
            trend_docs, done_actions, topic_table, period=sc.period, periods=sc.followup_periods,
            timezone=cfg.ingest.timezone, k=sc.min_customers)
        signal_rows = signal_tables["signals"]
        res.top_signals = signal_rows[signal_rows["signal_class"].isin(["weak", "strong"])].head(3)[
            ["topic_id", "label", "explanation"]].values.tolist()
    with stage("write"):
        res.counts.update(turns=len(turns), topics=res.n_topics)
        run_row = _run_row(res, started, "ok", cfg, {
            "embedding": embedder.model_id, "finnish_nlp": cfg.nlp.finnish_model, "langid": "langdetect-1.0.9-profiles",
            "emotion": emo.meta.get("trained_on"), "sentiment": sent.meta.get("trained_on")})
        wh.write_run(run_date, {"runs": run_row, "documents": docs, "turns": turns, "rejects": rejects,
                                "topics": topic_table, "topic_trends": trends, "topic_events": events, **signal_tables, **state})
    with stage("report"):
        res.report = report.build_report(cfg, run_date, warehouse_dir=wh.root, out_dir=report_dir)["html"]
    return res
