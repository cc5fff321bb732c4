"""Conversation features of chats and repeat contacts across all sources.

Pure pandas/numpy functions, no I/O. Both return one row per ``doc_id``, sorted by
``doc_id``, so the output does not depend on the order of the input rows.

Definitions (these numbers go into the leadership report; change them here only)
------------------------------------------------------------------------------

Roles. A turn's role is stripped and lower-cased, then classified as *customer*
(``customer_roles``, default ``customer``), *agent* (``agent_roles``, default ``agent``)
or *bot* (``bot_roles``, default ``bot``). Any other role (``unknown``, typos) is counted
in ``turns`` but is neither a customer message nor a reply. Turns are ordered by
``turn_index``, never by timestamp: timestamps may be missing or skewed.

``conversation_features(turns)`` columns:

* ``turns``, ``customer_turns``, ``agent_turns``, ``bot_turns`` – counts by role.
* ``handover`` – True when some bot turn is followed (later ``turn_index``) by an agent
  turn: the bot passed the conversation to a human.
* ``customer_repeats`` – number of customer turns that restate an earlier customer turn
  of the same conversation: the token-set Jaccard similarity with at least one earlier
  customer turn is ``>= repeat_threshold`` (default 0.6). Tokens are lower-cased word
  tokens (``\\w+``, so ä/ö/å are letters); redaction placeholders such as ``<EMAIL>`` are
  removed first. Turns with fewer than ``min_repeat_tokens`` (default 3) tokens are never
  repeats and never the original of one, so "ok", "kiitos" or a "hellooo" nudge is not a
  restatement. Each repeating turn counts once, however many earlier turns it matches.
  Similarity only: phrases such as "again/taas/uudestaan/edelleen" are *not* counted.
* Response waits. A *wait* starts at the first customer turn after the start of the
  conversation or after the previous agent/bot reply, and ends at the next agent or bot
  turn (consecutive customer messages are one wait, measured from the first of them).
  A wait with no reply after it (the customer wrote last) is not a wait.
  Its length is ``at(reply) - at(first customer turn)`` in seconds; it is NaN ("not
  timed") when either timestamp is missing or the difference is negative (clock skew).

  - ``waits`` – number of waits; ``waits_timed`` – how many of them have a length.
  - ``first_response_s`` – the first wait: from the first customer turn to the first
    agent/bot reply after it. NaN if that wait is not timed or does not exist (it is
    not replaced by a later wait).
  - ``max_response_delay_s``, ``mean_response_delay_s``, ``customer_wait_s_total`` –
    max, mean and sum over the timed waits; NaN when there is none. When
    ``waits_timed < waits`` the total covers only the timed waits.

  Bot replies count as replies, so ``first_response_s`` is usually the bot's answer;
  the human wait after a handover shows in ``max_response_delay_s``.

``repeat_contacts(docs, window_days=14)`` columns:

* ``prior_contacts`` – documents (any source) of the same ``customer_key`` created in the
  window ``[created_at - window_days, created_at)``: a contact exactly ``window_days``
  earlier *is* counted (inclusive), one at the very same instant is *not* (strictly
  earlier), so two documents with equal timestamps are never each other's prior.
* ``prior_channels`` – number of distinct channels among those prior documents.
* ``is_repeat_contact`` – ``prior_contacts >= 1``.
* ``cross_channel_repeat`` – at least one prior document has a channel other than this
  document's channel. A missing channel is its own value ``"(none)"``.
* Anonymous documents (``customer_key`` None/NaN/empty) and documents without
  ``created_at`` get 0/0/False/False and are nobody's prior contact.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

DEFAULT_REPEAT_THRESHOLD = 0.6
DEFAULT_MIN_REPEAT_TOKENS = 3
DEFAULT_WINDOW_DAYS = 14
NO_CHANNEL = "(none)"

FEATURE_COLUMNS = [
    "doc_id", "turns", "customer_turns", "agent_turns", "bot_turns", "handover",
    "customer_repeats", "waits", "waits_timed", "first_response_s",
    "max_response_delay_s", "mean_response_delay_s", "customer_wait_s_total",
]
REPEAT_COLUMNS = ["doc_id", "prior_contacts", "prior_channels", "is_repeat_contact", "cross_channel_repeat"]

_PLACEHOLDER = re.compile(r"<[A-Z_]+>")
_WORD = re.compile(r"\w+")

_CUSTOMER, _AGENT, _BOT, _OTHER = 0, 1, 2, 3


def tokens(text: object) -> frozenset[str]:
    """Lower-cased word tokens of a turn with redaction placeholders removed."""
    if not isinstance(text, str) or not text:
        return frozenset()
    return frozenset(_WORD.findall(_PLACEHOLDER.sub(" ", text).lower()))


def count_repeats(texts: Iterable[object], threshold: float = DEFAULT_REPEAT_THRESHOLD,
                  min_tokens: int = DEFAULT_MIN_REPEAT_TOKENS) -> int:
    """Number of texts whose token-set Jaccard with some earlier text is >= threshold."""
    seen: list[frozenset[str]] = []
    n = 0
    for text in texts:
        tok = tokens(text)
        if len(tok) < min_tokens:
            continue
        if any(len(tok & s) >= threshold * len(tok | s) - 1e-9 for s in seen):
            n += 1
        seen.append(tok)
    return n


def _seconds(at: pd.Series) -> np.ndarray:
    """UTC timestamps as float seconds since the epoch, NaN where missing."""
    ns = at.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[ns]")
    out = ns.view("int64").astype("float64") / 1e9
    out[np.isnat(ns)] = np.nan
    return out


def _norm_roles(roles: Sequence[str]) -> set[str]:
    return {r.strip().lower() for r in roles}


def _empty_features() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="int64") for c in FEATURE_COLUMNS})
    out["doc_id"] = out["doc_id"].astype(object)
    out["handover"] = out["handover"].astype(bool)
    for c in ("first_response_s", "max_response_delay_s", "mean_response_delay_s", "customer_wait_s_total"):
        out[c] = out[c].astype("float64")
    return out


def conversation_features(
    turns: pd.DataFrame,
    *,
    repeat_threshold: float = DEFAULT_REPEAT_THRESHOLD,
    min_repeat_tokens: int = DEFAULT_MIN_REPEAT_TOKENS,
    customer_roles: Sequence[str] = ("customer",),
    agent_roles: Sequence[str] = ("agent",),
    bot_roles: Sequence[str] = ("bot",),
) -> pd.DataFrame:
    """One row per doc_id of the ``turns`` table (doc_id, turn_index, role, at, text).

    See the module docstring for the definitions. Missing timestamps give NaN delays.
    """
    if turns.empty:
        return _empty_features()
    t = turns[["doc_id", "turn_index", "role", "at", "text"]].copy()
    t = t.sort_values(["doc_id", "turn_index"], kind="mergesort").reset_index(drop=True)
    t["at"] = pd.to_datetime(t["at"], utc=True, errors="coerce")

    role = t["role"].astype("string").str.strip().str.lower()
    kind = np.full(len(t), _OTHER, dtype=np.int8)
    kind[role.isin(_norm_roles(bot_roles)).to_numpy(dtype=bool, na_value=False)] = _BOT
    kind[role.isin(_norm_roles(agent_roles)).to_numpy(dtype=bool, na_value=False)] = _AGENT
    kind[role.isin(_norm_roles(customer_roles)).to_numpy(dtype=bool, na_value=False)] = _CUSTOMER
    t["kind"] = kind
    pos = np.arange(len(t))
    t["is_c"] = kind == _CUSTOMER
    t["is_a"] = kind == _AGENT
    t["is_b"] = kind == _BOT

    g = t.groupby("doc_id", sort=True)
    out = pd.DataFrame({
        "turns": g.size(),
        "customer_turns": g["is_c"].sum(),
        "agent_turns": g["is_a"].sum(),
        "bot_turns": g["is_b"].sum(),
    }).astype("int64")

    # Handover: the first bot turn comes before the last agent turn.
    first_bot = t["turn_index"].where(t["is_b"]).groupby(t["doc_id"]).min()
    last_agent = t["turn_index"].where(t["is_a"]).groupby(t["doc_id"]).max()
    out["handover"] = (first_bot < last_agent).reindex(out.index, fill_value=False).astype(bool)

    # Repeats: pairwise within each conversation's customer turns (a handful per chat).
    cust = t.loc[t["is_c"], ["doc_id", "text"]]
    # Built as int64 directly: agg over no groups would return a string-typed empty Series under pandas 3.
    reps = pd.Series({doc: count_repeats(s, repeat_threshold, min_repeat_tokens)
                      for doc, s in cust.groupby("doc_id", sort=True)["text"]}, dtype="int64")
    out["customer_repeats"] = reps.reindex(out.index, fill_value=0).astype("int64")

    # Waits: only customer / agent / bot turns take part; other roles are skipped.
    r = t.loc[t["kind"] != _OTHER, ["doc_id", "at", "is_c"]].copy()
    r["pos"] = pos[r.index.to_numpy()]
    prev_c = r.groupby("doc_id")["is_c"].shift(1, fill_value=False).astype(bool)
    r["start"] = r["is_c"] & ~prev_c
    r["reply_pos"] = r["pos"].where(~r["is_c"])
    r["next_reply"] = r.groupby("doc_id")["reply_pos"].bfill()
    w = r.loc[r["start"] & r["next_reply"].notna()]
    at_s = _seconds(t["at"])
    start_s = at_s[w.index.to_numpy()]
    reply_s = at_s[w["next_reply"].to_numpy(dtype=np.int64)]
    secs = pd.Series(reply_s - start_s, index=w.index, dtype="float64")
    secs = secs.where(secs >= 0)  # NaN stays NaN; negative (clock skew) becomes NaN
    waits = pd.DataFrame({"doc_id": w["doc_id"], "s": secs.astype("float64")})
    wg = waits.groupby("doc_id", sort=True)["s"]
    out["waits"] = wg.size().reindex(out.index, fill_value=0).astype("int64")
    out["waits_timed"] = wg.count().reindex(out.index, fill_value=0).astype("int64")
    first = waits.drop_duplicates("doc_id", keep="first").set_index("doc_id")["s"]
    out["first_response_s"] = first.reindex(out.index).astype("float64")
    out["max_response_delay_s"] = wg.max().reindex(out.index).astype("float64")
    out["mean_response_delay_s"] = wg.mean().reindex(out.index).astype("float64")
    out["customer_wait_s_total"] = wg.sum(min_count=1).reindex(out.index).astype("float64")

    out.index.name = "doc_id"
    return out.reset_index()[FEATURE_COLUMNS]


def _anonymous(keys: pd.Series) -> np.ndarray:
    k = keys.astype("string")
    return (k.isna() | (k.str.strip() == "")).to_numpy(dtype=bool, na_value=True)


def repeat_contacts(docs: pd.DataFrame, *, window_days: int = DEFAULT_WINDOW_DAYS,
                    channel_column: str = "channel") -> pd.DataFrame:
    """Per doc_id: earlier contacts of the same customer within ``window_days`` before it.

    Input columns: doc_id, customer_key, created_at (UTC) and ``channel_column``.
    O(n log n): one sort, then binary searches on a (customer, time rank) key and
    per-channel prefix sums. See the module docstring for the definitions.
    """
    n = len(docs)
    doc_id = docs["doc_id"].to_numpy(dtype=object)
    prior = np.zeros(n, dtype=np.int64)
    n_channels = np.zeros(n, dtype=np.int64)
    cross = np.zeros(n, dtype=bool)

    ts = pd.to_datetime(docs["created_at"], utc=True, errors="coerce")
    ok = ~_anonymous(docs["customer_key"]) & ts.notna().to_numpy()
    idx = np.flatnonzero(ok)
    if len(idx):
        cust_codes, _ = pd.factorize(docs["customer_key"].iloc[idx].astype(str), sort=True)
        t_ns = ts.iloc[idx].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[ns]").view("int64")
        chan = docs[channel_column].iloc[idx].astype("string").fillna(NO_CHANNEL).to_numpy(dtype=object)
        chan_codes, chan_uniques = pd.factorize(chan, sort=True)

        # Rank times globally so that (customer, rank) packs into one int64 sort key.
        uniq_t = np.unique(t_ns)
        span = np.int64(len(uniq_t) + 1)
        rank_t = np.searchsorted(uniq_t, t_ns, side="left")
        window_ns = np.int64(window_days) * np.int64(86_400 * 10**9)
        rank_lo = np.searchsorted(uniq_t, t_ns - window_ns, side="left")  # first time >= t - window
        key = cust_codes.astype(np.int64) * span + rank_t
        order = np.argsort(key, kind="stable")
        skey = key[order]
        base = cust_codes.astype(np.int64) * span
        lo = np.searchsorted(skey, base + rank_lo, side="left")
        hi = np.searchsorted(skey, base + rank_t, side="left")  # strictly earlier times
        p = hi - lo

        same = np.zeros(len(idx), dtype=np.int64)
        nch = np.zeros(len(idx), dtype=np.int64)
        sorted_chan = chan_codes[order]
        for c in range(len(chan_uniques)):
            csum = np.concatenate(([0], np.cumsum(sorted_chan == c)))
            cnt = csum[hi] - csum[lo]
            nch += cnt > 0
            mine = chan_codes == c
            same[mine] = cnt[mine]
        prior[idx] = p
        n_channels[idx] = nch
        cross[idx] = (p - same) > 0

    out = pd.DataFrame({
        "doc_id": doc_id,
        "prior_contacts": prior,
        "prior_channels": n_channels,
        "is_repeat_contact": prior >= 1,
        "cross_channel_repeat": cross,
    })
    return out.sort_values("doc_id", kind="mergesort").reset_index(drop=True)[REPEAT_COLUMNS]
