"""Column contracts of every table the pipeline writes.

Each table is declared once here, with DuckDB types, so the warehouse DDL, the Parquet
files and the tests agree on one definition.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Schema:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type)

    @property
    def names(self) -> list[str]:
        return [c for c, _ in self.columns]

    def ddl(self, table: str | None = None) -> str:
        cols = ", ".join(f'"{c}" {t}' for c, t in self.columns)
        return f'CREATE TABLE IF NOT EXISTS "{table or self.name}" ({cols})'

    def conform(self, df: pd.DataFrame) -> pd.DataFrame:
        """Column order of the schema; a missing column is a programming error, not bad input."""
        missing = [c for c in self.names if c not in df.columns]
        if missing:
            raise KeyError(f"table {self.name!r} is missing columns {missing}")
        return df[self.names].reset_index(drop=True)

    def empty(self) -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in self.names})


DOCUMENTS = Schema("documents", (
    ("run_date", "DATE"),
    ("doc_id", "VARCHAR"),
    ("source", "VARCHAR"),          # feedback | chat | call
    ("source_file", "VARCHAR"),
    ("source_line", "INTEGER"),
    ("source_id", "VARCHAR"),
    ("customer_key", "VARCHAR"),    # keyed pseudonym, never the raw id
    ("created_at", "TIMESTAMPTZ"),
    ("channel", "VARCHAR"),
    ("segment", "VARCHAR"),
    ("rating", "DOUBLE"),
    ("text", "VARCHAR"),            # redacted
    ("text_hash", "VARCHAR"),
    ("n_chars", "INTEGER"),
    ("pii_redacted", "INTEGER"),
    ("lang", "VARCHAR"),            # fi | en | other
    ("lang_confidence", "DOUBLE"),
    ("n_sentences", "INTEGER"),
    ("n_tokens", "INTEGER"),
    ("lemmas", "VARCHAR"),          # content lemmas, space separated, for keywords
    ("sentiment", "DOUBLE"),        # P(positive) − P(negative), in [-1, 1]
    ("sentiment_label", "VARCHAR"), # negative | neutral | positive
    ("emotions", "VARCHAR[]"),      # decoded Plutchik emotions, strongest first, or [neutral]
    ("dominant_emotion", "VARCHAR"),
    ("feeling_share", "DOUBLE"),    # share of the sentences that carry an emotion (fact vs feeling)
    *((f"emo_{e}", "DOUBLE") for e in ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise",
                                       "trust", "neutral")),
    *((f"cue_{c}", "BOOLEAN") for c in ("repeat_contact", "broken_promise", "escalation", "churn_threat",
                                        "unresolved", "waiting_time", "praise", "channel_switch")),
    ("customer_turns", "INTEGER"),  # chats only (NULL otherwise), see signals/conversations.py
    ("handover", "BOOLEAN"),        # bot → agent
    ("customer_repeats", "INTEGER"),
    ("first_response_s", "DOUBLE"),
    ("max_response_delay_s", "DOUBLE"),
    ("prior_contacts", "INTEGER"),  # same customer, any channel, within conversations.repeat_window_days
    ("is_repeat_contact", "BOOLEAN"),
    ("cross_channel_repeat", "BOOLEAN"),
    ("topic_id", "INTEGER"),        # -1 = outlier pool
    ("topic_prob", "DOUBLE"),       # cosine to the topic's centroid
    ("metadata", "VARCHAR"),        # extra input columns as JSON, redacted
))

TURNS = Schema("turns", (
    ("run_date", "DATE"),
    ("doc_id", "VARCHAR"),
    ("conversation_id", "VARCHAR"),
    ("turn_index", "INTEGER"),
    ("role", "VARCHAR"),
    ("at", "TIMESTAMPTZ"),
    ("text", "VARCHAR"),            # redacted
))

REJECTS = Schema("rejects", (
    ("run_date", "DATE"),
    ("source", "VARCHAR"),
    ("file", "VARCHAR"),
    ("line", "INTEGER"),
    ("source_id", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("excerpt", "VARCHAR"),         # first characters of the row, redacted
))

TOPICS = Schema("topics", (
    ("run_date", "DATE"),
    ("topic_id", "INTEGER"),
    ("label", "VARCHAR"),
    ("theme_id", "INTEGER"),        # the group of related topics it belongs to (see signals/themes.py)
    ("keywords", "VARCHAR[]"),
    ("keywords_fi", "VARCHAR[]"),
    ("keywords_en", "VARCHAR[]"),
    ("size", "INTEGER"),
    ("share_fi", "DOUBLE"),
    ("share_en", "DOUBLE"),
    ("share_other", "DOUBLE"),
    ("representative_doc_ids", "VARCHAR[]"),
    ("representative_texts", "VARCHAR[]"),
))

TOPIC_TRENDS = Schema("topic_trends", (
    ("run_date", "DATE"),
    ("topic_id", "INTEGER"),
    ("week_start", "DATE"),
    ("lang", "VARCHAR"),
    ("docs", "INTEGER"),
    ("customers", "INTEGER"),
))

TOPIC_REGISTRY = Schema("topic_registry", (   # active topics after each run: what keeps ids stable
    ("run_date", "DATE"),
    ("topic_id", "INTEGER"),
    ("centroid", "FLOAT[]"),        # in the language-centred embedding space
    ("label", "VARCHAR"),
    ("first_seen", "DATE"),
    ("last_seen", "DATE"),
    ("theme_id", "INTEGER"),        # carried from night to night (see signals/themes.py)
))

TOPIC_MODEL = Schema("topic_model", (         # the fitted topic space each run used
    ("run_date", "DATE"),
    ("fitted_on", "DATE"),          # last refit; later nights assign by nearest centroid
    ("refit_reason", "VARCHAR"),    # first run | schedule | drift | NULL (no refit tonight)
    ("threshold", "DOUBLE"),        # below this similarity a document is a true outlier
    ("n_fit_docs", "INTEGER"),
    ("next_topic_id", "INTEGER"),
    ("lang_means", "VARCHAR"),      # JSON: the language centring vectors
    ("theme_quantile", "DOUBLE"),   # the setting the registry's themes were grouped under
))

TOPIC_EVENTS = Schema("topic_events", (
    ("run_date", "DATE"),
    ("event", "VARCHAR"),           # new | kept | split | merged | retired
    ("topic_id", "INTEGER"),
    ("related_topic_id", "INTEGER"),
    ("similarity", "DOUBLE"),
))

SIGNALS = Schema("signals", (                  # the leadership metric table, one row per topic
    ("run_date", "DATE"),
    ("period_start", "DATE"),       # the latest period (week) in the data
    ("topic_id", "INTEGER"),
    ("label", "VARCHAR"),
    ("signal_class", "VARCHAR"),    # weak | strong | latent | well_known | fading | noise
    ("priority", "DOUBLE"),
    ("docs", "DOUBLE"),             # in the recent window; NULL when suppressed
    ("customers", "DOUBLE"),
    ("growth", "DOUBLE"),           # per period, recent window vs the topic's own past
    ("share_window", "DOUBLE"),
    ("slope_docs", "DOUBLE"),
    ("dov_rate", "DOUBLE"),         # Yoon's degree of visibility, increasing rate
    ("burst_in_window", "BOOLEAN"), # Kleinberg burst
    ("net_sentiment", "DOUBLE"),    # % positive − % negative, recent window
    ("negative_share", "DOUBLE"),
    ("top_emotion", "VARCHAR"),
    ("problem_cue_rate", "DOUBLE"),
    ("repeat_contact_rate", "DOUBLE"),
    ("langs", "VARCHAR"),
    ("channels", "VARCHAR"),
    ("rule", "VARCHAR"),            # the classification rule and the inputs that led to the class
    ("explanation", "VARCHAR"),
    ("suppressed", "BOOLEAN"),      # fewer than k distinct customers: numbers blanked
    ("is_new", "BOOLEAN"),          # no documents before the window
    ("first_period", "DATE"),       # first period with documents
    ("sentiment_change", "DOUBLE"), # net_sentiment now − the topic's own past (points)
    ("emotion_mix", "VARCHAR"),     # JSON {emotion: share of documents}, recent window
    ("emotion_shift", "VARCHAR"),   # JSON {emotion: share now − share in the past}
    ("effort_rate", "DOUBLE"),      # cue_repeat_contact
    ("broken_promise_rate", "DOUBLE"),
    ("escalation_rate", "DOUBLE"),
    ("churn_threat_rate", "DOUBLE"),
    ("fi_en_gap", "DOUBLE"),        # net_sentiment fi − en; NULL unless both have ≥ k customers
    ("n_channels", "INTEGER"),
    ("rating_impact", "DOUBLE"),    # mean rating of all rated docs − mean without this topic's docs
    ("rated_docs", "INTEGER"),
    ("keyword_alerts", "VARCHAR"),  # growing keywords inside the topic, e.g. "hinta (new), lasku (3.0×)"
    ("feeling_share", "DOUBLE"),    # mean share of emotional sentences (fact vs feeling), recent window
))

# Per theme (a group of related topics): the signal metrics of its documents taken together.
THEME_SIGNALS = Schema("theme_signals", (
    ("run_date", "DATE"),
    ("theme_id", "INTEGER"),        # its lowest topic id when it formed
    ("label", "VARCHAR"),
    ("n_topics", "INTEGER"),
    ("topic_ids", "INTEGER[]"),
    ("topics_left_out", "INTEGER[]"),  # suppressed topics the figures leave out (themes.left_out_topics)
    ("keywords_fi", "VARCHAR[]"),
    ("keywords_en", "VARCHAR[]"),
    *((c, t) for c, t in SIGNALS.columns if c not in ("run_date", "topic_id", "label")),
))

SIGNAL_PERIODS = Schema("signal_periods", (    # per topic x period: what the report's trend charts draw
    ("run_date", "DATE"),
    ("topic_id", "INTEGER"),
    ("period_start", "DATE"),
    ("docs", "DOUBLE"),             # NULL when suppressed
    ("customers", "DOUBLE"),
    ("share", "DOUBLE"),
    ("net_sentiment", "DOUBLE"),
    ("negative_share", "DOUBLE"),
    ("problem_cue_rate", "DOUBLE"),
    ("burst", "BOOLEAN"),
    ("suppressed", "BOOLEAN"),
))

SIGNAL_SEGMENTS = Schema("signal_segments", (  # per topic x segment value, recent window: segment gaps
    ("run_date", "DATE"),
    ("topic_id", "INTEGER"),
    ("dimension", "VARCHAR"),       # lang | channel | segment
    ("value", "VARCHAR"),
    ("docs", "DOUBLE"),             # NULL when suppressed
    ("customers", "DOUBLE"),
    ("share_of_topic", "DOUBLE"),   # of the topic's documents in the window
    ("share_of_segment", "DOUBLE"), # of all documents of this segment value in the window
    ("growth", "DOUBLE"),           # per period, as in signals, within the segment
    ("net_sentiment", "DOUBLE"),
    ("negative_share", "DOUBLE"),
    ("problem_cue_rate", "DOUBLE"),
    ("gap", "DOUBLE"),              # net_sentiment − the topic's net_sentiment over all segments
    ("suppressed", "BOOLEAN"),
))

KEYWORD_SIGNALS = Schema("keyword_signals", (  # per topic x keyword (lemma): new complaints in old topics
    ("run_date", "DATE"),
    ("topic_id", "INTEGER"),
    ("keyword", "VARCHAR"),
    ("lang", "VARCHAR"),            # the language most of its documents are in
    ("docs", "DOUBLE"),             # recent window; NULL when suppressed
    ("customers", "DOUBLE"),
    ("docs_past", "DOUBLE"),
    ("share_in_topic", "DOUBLE"),   # of the topic's recent documents
    ("growth", "DOUBLE"),
    ("is_new", "BOOLEAN"),
    ("signal_class", "VARCHAR"),    # weak | strong | latent | well_known | fading
    ("net_sentiment", "DOUBLE"),
    ("suppressed", "BOOLEAN"),
))

SIGNAL_QUOTES = Schema("signal_quotes", (      # evidence: redacted texts, only from large enough topics
    ("run_date", "DATE"),
    ("topic_id", "INTEGER"),
    ("rank", "INTEGER"),
    ("doc_id", "VARCHAR"),
    ("created_at", "TIMESTAMPTZ"),
    ("source", "VARCHAR"),
    ("channel", "VARCHAR"),
    ("lang", "VARCHAR"),
    ("sentiment_label", "VARCHAR"),
    ("dominant_emotion", "VARCHAR"),
    ("text", "VARCHAR"),            # redacted
))

ACTION_FOLLOWUP = Schema("action_followup", (  # configs/actions.yaml: the topic before vs after each action
    ("run_date", "DATE"),
    ("action_date", "DATE"),
    ("topic_id", "INTEGER"),
    ("label", "VARCHAR"),
    ("action", "VARCHAR"),
    ("owner", "VARCHAR"),
    ("periods_before", "INTEGER"),
    ("periods_after", "INTEGER"),   # 0 while the action is newer than a full period
    ("docs_per_period_before", "DOUBLE"),
    ("docs_per_period_after", "DOUBLE"),
    ("customers_before", "DOUBLE"),
    ("customers_after", "DOUBLE"),
    ("net_sentiment_before", "DOUBLE"),
    ("net_sentiment_after", "DOUBLE"),
    ("negative_share_before", "DOUBLE"),
    ("negative_share_after", "DOUBLE"),
    ("problem_cue_rate_before", "DOUBLE"),
    ("problem_cue_rate_after", "DOUBLE"),
    ("suppressed", "BOOLEAN"),      # either side from fewer than k customers
))

RUNS = Schema("runs", (
    ("run_date", "DATE"),
    ("run_id", "VARCHAR"),
    ("started_at", "TIMESTAMPTZ"),
    ("finished_at", "TIMESTAMPTZ"),
    ("status", "VARCHAR"),
    ("config_hash", "VARCHAR"),
    ("git_commit", "VARCHAR"),
    ("model_ids", "VARCHAR"),       # JSON
    ("input_files", "VARCHAR"),     # JSON: per file rows read / accepted / rejected, encoding
    ("counts", "VARCHAR"),          # JSON: rows per stage
    ("timings", "VARCHAR"),         # JSON: seconds per stage
))

ALL = (RUNS, DOCUMENTS, TURNS, REJECTS, TOPICS, TOPIC_TRENDS, TOPIC_REGISTRY, TOPIC_MODEL, TOPIC_EVENTS, SIGNALS,
       THEME_SIGNALS, SIGNAL_PERIODS, SIGNAL_SEGMENTS, KEYWORD_SIGNALS, SIGNAL_QUOTES, ACTION_FOLLOWUP)
