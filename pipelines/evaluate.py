"""Evaluation runs: the nightly stages applied to a labelled CSV, scored against its labels."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pandas as pd

from signals import embed, langid, nlp, themes, topic_registry, topics
from signals.config import Config, resolve
from signals.heads import read_labelled_csv


def evaluate_topics(path: str | Path, cfg: Config, *, progress: bool = False) -> tuple[dict, pd.DataFrame]:
    """Topics on a `text,lang,label[,pair_id]` CSV with the nightly topic stages; our own language
    detection is used, not the lang column. Returns (scores, per-topic table)."""
    df = read_labelled_csv(path, "label", optional=("pair_id",))
    t0 = time.perf_counter()
    texts = df["text"].tolist()
    docs = langid.assign_languages(pd.DataFrame({"doc_id": [str(i) for i in range(len(df))], "text": texts}),
                                   cfg.langid.targets)
    docs = nlp.preprocess(docs, nlp.Preprocessor.from_config(cfg.nlp))
    embedder = embed.make_embedder(cfg.embedding)
    cache = embed.EmbeddingCache(resolve(cfg.warehouse.dir) / "cache" / "embeddings", embedder.cache_key)
    hashes = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    embedded = embed.embed_documents(texts, hashes, embedder, cache, progress=progress)
    vectors, n_new = embedded.vectors, embedded.n_new
    result = topic_registry.run_topics(docs, vectors, cfg.topics)  # no stored state: always a fresh fit
    docs, space = result.docs, result.space
    elapsed = time.perf_counter() - t0
    scores = topics.score_topics(df["label"].tolist(), docs["topic_id"].to_numpy(),
                                 df["pair_id"].tolist() if "pair_id" in df.columns else None)
    scores.update(n_docs=len(df), rejected=df.attrs["rejected"], docs_per_s=round(len(df) / elapsed, 1), embedded_new=n_new)
    table = topics.build_topics_table(docs.assign(customer_key=None), space, top_n_words=cfg.topics.top_n_words,
                                      n_representative=1)
    majority = docs.assign(label=df["label"].to_numpy()).groupby("topic_id")["label"].agg(
        lambda s: f"{s.value_counts().index[0]} ({s.value_counts().iloc[0] / len(s):.0%})")
    table = table.assign(majority_label=table["topic_id"].map(majority))
    return scores, table


def format_topic_report(scores: dict, table: pd.DataFrame, max_rows: int = 40) -> str:
    lines = [f"{'topic':>5}  {'size':>5}  {'fi%':>4}  {'en%':>4}  {'majority label':<32}  label"]
    for r in table.sort_values("size", ascending=False).head(max_rows).itertuples():
        lines.append(f"{r.topic_id:>5}  {r.size:>5}  {r.share_fi:>4.0%}  {r.share_en:>4.0%}  "
                     f"{str(r.majority_label)[:32]:<32}  {r.label}")
    if len(table) > max_rows:
        lines.append(f"… {len(table) - max_rows} more topics")
    lines.append("")
    lines += [f"{k:>16}: {v:.3f}" if isinstance(v, float) else f"{k:>16}: {v}" for k, v in scores.items()]
    return "\n".join(lines)


def evaluate_stability(input_dir: str | Path, cfg: Config, *, overlap_weeks: int | None = None) -> dict:
    """Topic-id stability over two runs on overlapping windows of one input folder.

    Run 1 fits on the earlier window; run 2 refits (forced) on the later window with run 1's
    registry, as a nightly refit would. Stability = share of documents present in both windows
    that keep their topic id (true outliers included: staying an outlier counts as keeping); `theme_stability`
    is the same for theme ids, carried over the refit as the nightly run carries them.
    """
    from signals import ingest, redact, validate

    v = validate.validate(ingest.read_input(Path(input_dir)), cfg.ingest)
    docs = redact.redact_documents(v.documents, redact.pseudonym_key(var=cfg.privacy.key_env))
    docs = nlp.preprocess(langid.assign_languages(docs, cfg.langid.targets), nlp.Preprocessor.from_config(cfg.nlp))
    embedder = embed.make_embedder(cfg.embedding)
    cache = embed.EmbeddingCache(resolve(cfg.warehouse.dir) / "cache" / "embeddings", embedder.cache_key)
    vectors = embed.embed_documents(docs["text"].tolist(), docs["text_hash"].tolist(), embedder, cache).vectors

    created = pd.to_datetime(docs["created_at"], utc=True)
    start, end = created.min(), created.max()
    third = (end - start) / 3
    first = (created <= start + 2 * third).to_numpy()   # weeks 1–8 of 12
    second = (created > start + third).to_numpy()       # weeks 5–12 of 12
    both = first & second
    tc = cfg.topics.model_copy(update={"refit_every_days": 0})
    run1 = topic_registry.run_topics(docs[first], vectors[first], tc, run_date=(start + 2 * third).date())
    run2 = topic_registry.run_topics(docs[second], vectors[second], tc, previous=run1.state, run_date=end.date())
    ids1 = pd.Series(run1.docs["topic_id"].to_numpy(), index=docs.index[first])
    ids2 = pd.Series(run2.docs["topic_id"].to_numpy(), index=docs.index[second])
    common = docs.index[both]
    kept = float((ids1.loc[common] == ids2.loc[common]).mean()) if len(common) else 0.0
    # The same measure for theme ids, carried over the refit as the nightly run does.
    first_themes = themes.group_topics(run1.state.topic_ids, run1.state.centroids, tc.theme_quantile)
    theme_maps = [first_themes, themes.carry_themes(first_themes, run2.state.topic_ids, run2.state.centroids,
                                                    tc.theme_quantile)]
    t1, t2 = (pd.Series(themes.theme_ids(ids.loc[common], m), index=common) for ids, m in zip((ids1, ids2), theme_maps))
    events = pd.DataFrame(run2.events)
    return {"stability": kept, "theme_stability": float((t1 == t2).mean()) if len(common) else 0.0,
            "n_common": int(len(common)), "n_run1": int(first.sum()), "n_run2": int(second.sum()),
            "topics_run1": int(len(run1.state.topic_ids)), "topics_run2": int(len(run2.state.topic_ids)),
            "themes_run1": len(set(theme_maps[0].values())), "themes_run2": len(set(theme_maps[1].values())),
            "events": events["event"].value_counts().to_dict() if len(events) else {}}
