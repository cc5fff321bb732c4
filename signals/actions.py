"""Actions and follow-up: what leadership did about a topic, and what the topic did afterwards.

``configs/actions.yaml`` records decisions ("on date D we did X about topic T"); for each one the
report compares the topic's metrics over the ``followup_periods`` full periods before the action's
period with the periods from the action's period on (up to the same number, as far as the data goes):
documents per period, distinct customers, net sentiment, negative share and problem-cue rate. A side
built from fewer than k distinct customers is suppressed, as everywhere in reporting.

Topic ids are stable across nightly runs (see ``signals/topic_registry.py``), so an action recorded
against a topic id keeps pointing at the same topic.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from signals import metrics

COLUMNS = ["action_date", "topic_id", "label", "action", "owner", "periods_before", "periods_after",
           "docs_per_period_before", "docs_per_period_after", "customers_before", "customers_after",
           "net_sentiment_before", "net_sentiment_after", "negative_share_before", "negative_share_after",
           "problem_cue_rate_before", "problem_cue_rate_after", "suppressed"]


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    # Either the topic id shown in the report, or a keyword of the topic (its largest topic with that
    # keyword is meant): a keyword survives a rebuilt warehouse, an id is exact.
    topic: int | None = None
    keyword: str | None = Field(None, min_length=1)
    action: str = Field(min_length=1)
    owner: str = ""

    @model_validator(mode="after")
    def _one_target(self):
        if (self.topic is None) == (self.keyword is None):
            raise ValueError("give exactly one of 'topic' (an id) or 'keyword'")
        return self


def resolve_topic(action: Action, topics: pd.DataFrame) -> int | None:
    """The topic an action is about: its id, or the largest topic with the keyword (None if none has it)."""
    if action.topic is not None:
        return action.topic
    word = action.keyword.casefold()
    hits = [(int(r.size), int(r.topic_id)) for r in topics.itertuples(index=False)
            if r.topic_id != metrics.OUTLIER and any(str(k).casefold() == word for k in _keywords(r))]
    return max(hits)[1] if hits else None


def _keywords(row) -> list:
    out = []
    for col in ("keywords", "keywords_fi", "keywords_en"):
        v = getattr(row, col, None)
        if v is not None and not isinstance(v, float):
            out += list(v)
    return out


def load_actions(path: str | Path) -> list[Action]:
    """Actions from YAML (``actions: [{date, topic, action, owner}]``). A missing file is an error (a mistyped
    path would otherwise drop every follow-up without a word), and so is a malformed entry, named with the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"actions file not found: {path} (set signals.actions to null for none)")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("actions", []), list):
        raise ValueError(f"{path}: expected a mapping with a list under 'actions'")
    out = []
    for i, entry in enumerate(raw.get("actions") or [], start=1):
        try:
            out.append(Action.model_validate(entry))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"])) or "entry"
            raise ValueError(f"{path}: action #{i}: {where}: {first['msg']}") from None
    return out


def _side(part: pd.DataFrame, n_periods: int) -> dict:
    labels = part["sentiment_label"].astype(str)
    return {
        "docs_per_period": len(part) / n_periods if n_periods else np.nan,
        "customers": float(metrics.distinct_customers(part["customer_key"])),
        "net_sentiment": metrics.net_sentiment(labels),
        "negative_share": float((labels == "negative").mean()) if len(part) else np.nan,
        "problem_cue_rate": float(metrics.any_problem_cue(part).mean()) if len(part) else np.nan,
    }


def action_followup(docs: pd.DataFrame, actions: list[Action], topics: pd.DataFrame, *, period: str = "W",
                    periods: int = 4, timezone: str = "Europe/Helsinki", k: int = 5) -> pd.DataFrame:
    """One row per action: the topic's metrics before vs after (module docstring). ``topics`` is the run's
    topics table (topic_id, label, size, keywords…). A side from fewer than ``k`` customers is blanked."""
    if not actions or docs.empty:
        return pd.DataFrame(columns=COLUMNS)
    labels = dict(zip(topics["topic_id"], topics["label"]))
    starts = metrics.period_start(docs["created_at"], period=period, timezone=timezone)
    all_periods = metrics.period_range(starts.min(), starts.max(), period)
    rows = []
    for a in actions:
        tid = resolve_topic(a, topics)
        action_period = metrics.period_start(pd.Series([pd.Timestamp(a.date, tz=timezone)]), period=period,
                                             timezone=timezone).iloc[0]
        before = [p for p in all_periods if p < action_period][-periods:]
        after = [p for p in all_periods if p >= action_period][:periods]
        topic = docs[docs["topic_id"].astype(int) == tid] if tid is not None else docs.iloc[:0]
        tstarts = starts.loc[topic.index]
        row = {"action_date": a.date, "topic_id": tid, "action": a.action, "owner": a.owner,
               "label": labels.get(tid) if tid is not None else f"(no topic has the keyword '{a.keyword}')",
               "periods_before": len(before), "periods_after": len(after), "suppressed": False}
        for side, span in (("before", before), ("after", after)):
            values = _side(topic[tstarts.isin(span).to_numpy()], len(span))
            if 0 < values["customers"] < k:
                values = dict.fromkeys(values, np.nan)
                row["suppressed"] = True
            row.update({f"{m}_{side}": v for m, v in values.items()})
        rows.append(row)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["topic_id"] = out["topic_id"].astype("Int64")  # NULL, not NaN, when no topic has the keyword
    return out
