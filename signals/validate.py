"""Validate raw records into the `documents` / `turns` tables and a `rejects` table.

Nothing is dropped silently: every record read becomes exactly one document or one reject,
so `rows read = accepted + rejected` holds per file. Texts are still raw here; the pipeline
redacts them before anything is stored.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from signals.config import IngestConfig
from signals.ingest import InputFile, RawRecord

DEFAULT_CHANNEL = {"feedback": "feedback", "chat": "chat", "call": "phone"}
CONFIG_SECTION = {"feedback": "feedback", "chat": "chats", "call": "calls"}
EXCERPT_CHARS = 160


@dataclass
class FileStats:
    source: str
    file: str
    encoding: str
    read: int = 0
    accepted: int = 0
    rejected: int = 0


@dataclass
class Validated:
    documents: pd.DataFrame            # one row per accepted document, raw text
    turns: pd.DataFrame                # chat turns of accepted conversations, raw text
    rejects: pd.DataFrame              # one row per rejected record, raw excerpt
    files: list[FileStats] = field(default_factory=list)


class Reject(Exception):
    """A record fails validation; the message is the human-readable reason."""


# Finnish date and time as spreadsheets and CRMs write them: "14.9.2026", "14.09.2026 10:22", "14.9.2026 klo 10.22".
# Day first: with dots the order is never month first.
FINNISH_TIMESTAMP = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(?:klo\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?")


def parse_timestamp(value: Any, tz: ZoneInfo, what: str) -> datetime:
    """ISO 8601 with or without zone, or a Finnish d.m.yyyy [hh:mm[:ss]]; naive times are local
    (Europe/Helsinki by default). Returns UTC."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise Reject(f"missing {what}")
    try:
        m = FINNISH_TIMESTAMP.fullmatch(text)
        ts = datetime(*(int(g) for g in (m[3], m[2], m[1], m[4] or 0, m[5] or 0, m[6] or 0))) if m \
            else datetime.fromisoformat(text)
    except ValueError:
        raise Reject(f"unparseable {what} {text[:40]!r} (expected ISO 8601, e.g. 2026-09-14T10:22:00+03:00, "
                     "or 14.9.2026 10:22)") from None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=tz)
    return ts.astimezone(timezone.utc)


# Control characters other than tab and line breaks (NUL from a broken export, form feeds) carry no words and
# break downstream tools (a NUL ends a C string), so they are dropped from texts.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: Any, limit: int) -> str:
    text = "" if value is None else _CONTROL.sub("", str(value)).strip()
    if not text:
        raise Reject("empty text")
    if len(text) > limit:
        raise Reject(f"text has {len(text)} characters, over the limit of {limit}")
    return text


def _rating(value: Any) -> float | None:
    text = "" if value is None else str(value).strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Reject(f"rating {text[:20]!r} is not a number") from None


def _clean(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _column_names(fields: dict[str, Any], wanted: list[str]) -> dict[str, str]:
    """Each wanted column → the name the file uses for it: the same name, or else the one name that
    differs from it only in case ("ID", "Text" in spreadsheet exports). Absent columns are left out."""
    folded: dict[str, list[str]] = {}
    for name in fields:
        folded.setdefault(name.casefold(), []).append(name)
    out = {}
    for w in wanted:
        same = folded.get(w.casefold(), [])
        if w in fields or len(same) == 1:
            out[w] = w if w in fields else same[0]
    return out


def _tabular(rec: RawRecord, cfg: IngestConfig, tz: ZoneInfo) -> dict:
    """A feedback or call-note row → document fields."""
    section = CONFIG_SECTION[rec.source]
    cols = getattr(cfg, section)
    f = rec.fields or {}
    names = _column_names(f, [cols.id, cols.created_at, cols.text, cols.customer_id, "channel", "rating", "segment"])
    for col in (cols.id, cols.created_at, cols.text):
        if col not in names:
            raise Reject(f"column {col!r} missing (map your column name under ingest.{section} in the config)")

    def get(col: str) -> Any:
        return f.get(names[col]) if col in names else None

    source_id = _clean(get(cols.id))
    if source_id is None:
        raise Reject("missing id")
    return dict(
        source_id=source_id,
        created_at=parse_timestamp(get(cols.created_at), tz, "created_at"),
        text=_text(get(cols.text), cfg.max_text_chars),
        customer_id=_clean(get(cols.customer_id)),
        # Lower case: "Chat" and "chat" are one channel for repeat contacts, segments and the report.
        channel=(_clean(get("channel")) or DEFAULT_CHANNEL[rec.source]).lower(),
        segment=_clean(get("segment")),
        rating=_rating(get("rating")),
        metadata={k: v for k, v in f.items() if k not in names.values() and _clean(v) is not None},
    )


def _chat(rec: RawRecord, cfg: IngestConfig, tz: ZoneInfo) -> tuple[dict, list[dict]]:
    """A conversation → its customer-side document plus all its turns."""
    c = cfg.chats
    f = rec.fields or {}
    source_id = _clean(f.get(c.conversation_id))
    if source_id is None:
        raise Reject(f"missing {c.conversation_id}")
    started = parse_timestamp(f.get(c.started_at), tz, c.started_at)
    raw_turns = f.get(c.turns)
    if not isinstance(raw_turns, list) or not raw_turns:
        raise Reject(f"{c.turns!r} must be a non-empty list of turns")
    turns = []
    for i, t in enumerate(raw_turns):
        if not isinstance(t, dict):
            raise Reject(f"turn {i} is not an object")
        at = parse_timestamp(t.get(c.at), tz, f"turn {i} {c.at}") if _clean(t.get(c.at)) else None
        turns.append(dict(turn_index=i, role=(_clean(t.get(c.role)) or "unknown").lower(), at=at,
                          text=_clean(t.get(c.text)) or ""))
    customer_roles = {r.lower() for r in cfg.customer_roles}
    customer_texts = [t["text"] for t in turns if t["role"] in customer_roles and t["text"]]
    if not customer_texts:
        raise Reject("conversation has no customer turn")
    known = {c.conversation_id, c.customer_id, c.started_at, c.channel, c.turns, "segment"}
    doc = dict(
        source_id=source_id,
        created_at=started,
        text=_text("\n".join(customer_texts), cfg.max_text_chars),
        customer_id=_clean(f.get(c.customer_id)),
        channel=(_clean(f.get(c.channel)) or DEFAULT_CHANNEL["chat"]).lower(),
        segment=_clean(f.get("segment")),
        rating=None,
        metadata={k: v for k, v in f.items() if k not in known},
    )
    return doc, turns


def _excerpt(rec: RawRecord) -> str:
    """The record's fields as "name: value | …" on one line, longer than the stored excerpt: it is cut to
    EXCERPT_CHARS only after redaction (`excerpts`), because a cut through a phone number or e-mail would
    leave a fragment no pattern recognises, and JSON escapes ("\n0401234567") would hide a number's start."""
    if rec.fields is None:
        return ""
    text = " | ".join(f"{k}: {v}" for k, v in rec.fields.items())
    return " ".join(text.split())[:EXCERPT_CHARS * 4]


def excerpts(values: pd.Series, redact_text) -> list[str | None]:
    """Stored reject excerpts: redacted first, then cut to EXCERPT_CHARS."""
    return [None if v is None else redact_text(str(v))[:EXCERPT_CHARS] for v in values]


def validate(files: list[InputFile], cfg: IngestConfig, run_date: date | None = None) -> Validated:
    """Records → documents, turns and rejects. With `run_date`, a record dated after that day (local time) is
    rejected: a run is the state as of its date, so a backfill never sees later feedback."""
    tz = ZoneInfo(cfg.timezone)
    not_after = (datetime.combine(run_date + timedelta(days=1), time(0), tz).astimezone(timezone.utc)
                 if run_date is not None else None)
    docs: list[dict] = []
    turns: list[dict] = []
    rejects: list[dict] = []
    stats: list[FileStats] = []
    first_seen: dict[tuple[str, str], str] = {}  # (source, id) → "file:line", ids are unique per source

    for inp in files:
        st = FileStats(inp.source, inp.file, inp.encoding)
        stats.append(st)
        for rec in inp.records:
            st.read += 1
            source_id = None
            try:
                if rec.error:
                    raise Reject(rec.error)
                if rec.source == "chat":
                    doc, doc_turns = _chat(rec, cfg, tz)
                else:
                    doc, doc_turns = _tabular(rec, cfg, tz), []
                source_id = doc["source_id"]
                if not_after is not None and doc["created_at"] >= not_after:
                    raise Reject(f"dated {doc['created_at'].astimezone(tz):%Y-%m-%d %H:%M}, after the run date "
                                 f"{run_date}: it belongs to a later run")
                key = (rec.source, source_id)
                if key in first_seen:
                    raise Reject(f"duplicate id {source_id!r} (first seen at {first_seen[key]})")
                first_seen[key] = f"{rec.file}:{rec.line}"
            except Reject as exc:
                st.rejected += 1
                if source_id is None and rec.fields:
                    section = getattr(cfg, CONFIG_SECTION[rec.source])
                    id_col = section.conversation_id if rec.source == "chat" else section.id
                    source_id = _clean(rec.fields.get(id_col))
                rejects.append(dict(source=rec.source, file=rec.file, line=rec.line,
                                    source_id=source_id, reason=str(exc), excerpt=_excerpt(rec)))
                continue
            st.accepted += 1
            doc_id = f"{rec.source}:{source_id}"
            doc.update(doc_id=doc_id, source=rec.source, source_file=rec.file, source_line=rec.line,
                       metadata=json.dumps(doc["metadata"], ensure_ascii=False, sort_keys=True, default=str))
            docs.append(doc)
            turns += [dict(t, doc_id=doc_id, conversation_id=source_id) for t in doc_turns]

    return Validated(
        documents=pd.DataFrame(docs, columns=["doc_id", "source", "source_file", "source_line", "source_id",
                                              "customer_id", "created_at", "channel", "segment", "rating",
                                              "text", "metadata"]),
        turns=pd.DataFrame(turns, columns=["doc_id", "conversation_id", "turn_index", "role", "at", "text"]),
        rejects=pd.DataFrame(rejects, columns=["source", "file", "line", "source_id", "reason", "excerpt"]),
        files=stats,
    )
