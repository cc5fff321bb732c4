"""Deterministic synthetic sample corpus of the fictional Finnish operator "Valo".

Valo sells broadband and mobile subscriptions, has an app, sends invoices, delivers routers and
runs stores. The corpus mixes Finnish, English and a handful of Swedish feedback rows, chat
conversations and call-centre notes, with planted themes whose weekly volumes are known
(`THEMES`), so that topic and signal detection can be checked against the truth.

    python -m signals.sample --out data/sample [--seed N] [--scale X]

Only the standard library is used and all randomness comes from `random.Random` streams seeded
from `seed`: the same arguments give byte-identical files on every machine. The texts are composed
from the template and phrase bank in `signals/sample_phrases.py`.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import string
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from signals import sample_phrases as P

FEEDBACK_COLUMNS = ["id", "created_at", "text", "customer_id", "channel", "rating", "segment"]
CALL_COLUMNS = ["id", "created_at", "text", "customer_id", "agent_id", "outcome"]
FEEDBACK_FILE = "feedback/feedback.csv"
LEGACY_FILE = "feedback/legacy_export.csv"
CHATS_FILE = "chats/chats.jsonl"
CALLS_FILE = "calls/call_notes.csv"
SOURCES = ("feedback", "chat", "call")
REFERENCE_WEEKS = 12


@dataclass(frozen=True)
class Theme:
    name: str
    kind: str                               # stable | emerging | latent | fading | flat | background
    description: str
    weekly: tuple[int, ...]                 # documents per week at scale 1.0 (12 reference weeks)
    sources: tuple[float, float, float]     # share of feedback, chat, call
    tone: str = "negative"                  # negative (complaints) | positive | neutral
    cue: float = 0.10                       # chance of each customer-experience cue being considered
    anger: float = 0.12                     # chance of an emotion phrase


THEMES: tuple[Theme, ...] = (
    Theme("billing", "stable", "Invoice errors, double charges, refunds (lasku, laskutus, hyvitys / invoice, "
          "billing, refund). Large and flat.", (46,) * 12, (0.54, 0.21, 0.25), cue=0.12),
    Theme("connection", "stable", "Broadband slow or cut off, outages (nettiyhteys katkeilee, hidas / slow "
          "internet, outage). Large and flat.", (42,) * 12, (0.53, 0.24, 0.23), cue=0.12),
    Theme("app_login", "emerging", "Mobile app crashes / login fails after the app update (sovellus kaatuu, "
          "kirjautuminen ei onnistu päivityksen jälkeen / app crashes after update, can't log in). About zero "
          "until week 8, then fast growth; more anger and repeat contacts.",
          (0, 0, 0, 0, 0, 0, 0, 1, 3, 8, 18, 35), (0.50, 0.30, 0.20), cue=0.30, anger=0.45),
    Theme("einvoice", "latent", "E-invoice (e-lasku) sign-up confusion. Small and flat, 3-5 a week.",
          (4, 3, 5, 4, 4, 3, 5, 4, 4, 3, 5, 4), (0.45, 0.30, 0.25), cue=0.08, anger=0.05),
    Theme("delivery", "fading", "Router / device delivery late (toimitus myöhässä / delivery late, router "
          "not arrived). Large in weeks 1-4, about zero from week 8.",
          (34, 36, 32, 26, 16, 8, 3, 1, 0, 0, 0, 0), (0.55, 0.22, 0.23), cue=0.12),
    Theme("praise", "flat", "Gratitude and compliments (kiitos, hyvä palvelu / great service). Moderate "
          "and flat.", (16,) * 12, (0.82, 0.08, 0.10), tone="positive", cue=0.0, anger=0.0),
    Theme("other", "background", "Background requests without a signal: address change, number porting, "
          "roaming, plan change, store hours, cancellation.", (10,) * 12, (0.50, 0.30, 0.20),
          tone="neutral", cue=0.0, anger=0.0),
)
THEME_BY_NAME = {t.name: t for t in THEMES}

# Customer-experience cues: (kind, relative weight). A theme's `cue` scales them all.
CUE_KINDS = (("repeat", 1.0), ("broken_promise", 0.6), ("escalation", 0.6), ("waiting", 0.8),
             ("channel_switch", 0.5))
PII_SHARE = 0.055
LANG_SHARE = (("fi", 0.55), ("en", 0.41), ("sv", 0.04))


def weekly_counts(theme: Theme, weeks: int, scale: float, rng: random.Random | None = None) -> list[int]:
    """Documents per week: the profile stretched to `weeks`, scaled with cumulative rounding.

    With `rng`, flat profiles get +-15 % week-to-week noise, as real volumes do."""
    prof = theme.weekly
    if weeks == len(prof):
        raw = [float(x) for x in prof]
    else:
        raw = []
        for i in range(weeks):
            pos = i * (len(prof) - 1) / (weeks - 1) if weeks > 1 else len(prof) - 1
            lo = int(pos)
            hi = min(lo + 1, len(prof) - 1)
            raw.append(prof[lo] + (prof[hi] - prof[lo]) * (pos - lo))
    if rng is not None and theme.kind in ("stable", "flat", "background"):
        raw = [x * rng.uniform(0.85, 1.15) for x in raw]
    out, cum, prev = [], 0.0, 0
    for x in raw:
        cum += x * scale
        now = int(cum + 0.5)
        out.append(now - prev)
        prev = now
    return out


# --- time ----------------------------------------------------------------------------------

def _last_sunday(year: int, month: int) -> date:
    d = date(year, month + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() + 1) % 7)


def helsinki_offset(local: datetime) -> int:
    """UTC offset in hours of a Helsinki wall-clock time (EU summer time rules)."""
    start = datetime.combine(_last_sunday(local.year, 3), datetime.min.time()) + timedelta(hours=3)
    end = datetime.combine(_last_sunday(local.year, 10), datetime.min.time()) + timedelta(hours=4)
    return 3 if start <= local < end else 2


def fmt_time(local: datetime, style: str) -> str:
    """Render a Helsinki wall-clock time in one of the export styles."""
    off = helsinki_offset(local)
    if style == "offset":
        return f"{local:%Y-%m-%dT%H:%M:%S}+{off:02d}:00"
    if style == "utc":
        return f"{(local - timedelta(hours=off)):%Y-%m-%dT%H:%M:%S}Z"
    if style == "naive_sec":
        return f"{local:%Y-%m-%dT%H:%M:%S}"
    return f"{local:%Y-%m-%d %H:%M}"                          # naive, minutes


# --- PII (fictional, checksum-valid) ---------------------------------------------------------

HETU_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def make_hetu(rng: random.Random) -> str:
    born = date(1946, 1, 1) + timedelta(days=rng.randrange(0, 60 * 365))
    nnn = rng.randint(2, 899)
    base = f"{born:%d%m}{born.year % 100:02d}"
    sign = "-" if born.year < 2000 else "A"
    return f"{base}{sign}{nnn:03d}{HETU_CHARS[int(base + f'{nnn:03d}') % 31]}"


def make_iban(rng: random.Random) -> str:
    bban = rng.choice("12345678") + "".join(rng.choice(string.digits) for _ in range(13))
    check = 98 - int(bban + "151800") % 97                    # F=15, I=18, then "00"
    iban = f"FI{check:02d}{bban}"
    if rng.random() < 0.3:
        return iban
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def make_card(rng: random.Random) -> str:
    digits = [int(rng.choice("45"))] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):               # the check digit will sit to the right
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    num = "".join(map(str, digits)) + str((10 - total % 10) % 10)
    return num if rng.random() < 0.3 else " ".join(num[i:i + 4] for i in range(0, 16, 4))


def make_phone(rng: random.Random) -> str:
    pre = rng.choice(("40", "40", "50", "44", "45", "46", "41"))
    a, b = rng.randint(100, 999), rng.randint(1000, 9999)
    style = rng.randrange(5)
    if style == 0:
        return f"0{pre} {a} {b}"
    if style == 1:
        return f"+358 {pre} {a}{b}"
    if style == 2:
        return f"0{pre}-{a}{b}"
    if style == 3:
        return f"0{pre}{a}{b}"
    return f"+358{pre}{a}{b}"


def make_email(rng: random.Random) -> str:
    first, last = rng.choice(P.FIRST_NAMES), rng.choice(P.LAST_NAMES)
    style = rng.randrange(4)
    local = (f"{first}.{last}", f"{first}{last[:3]}{rng.randint(1, 99)}", f"{first[0]}.{last}",
             f"{first}_{last}")[style].lower()
    if rng.random() < 0.5:                                     # many people drop the umlauts
        local = local.translate(P.STRIP_DIACRITICS)
    return f"{local}@{rng.choice(P.EMAIL_DOMAINS)}"


PII_MAKERS = {"phone": make_phone, "email": make_email, "hetu": make_hetu, "iban": make_iban,
              "card": make_card}
PII_KINDS = (("phone", 0.35), ("email", 0.30), ("hetu", 0.12), ("iban", 0.13), ("card", 0.10))


def pick(rng: random.Random, weighted) -> str:
    items = [k for k, _ in weighted]
    return rng.choices(items, weights=[w for _, w in weighted])[0]


# --- template filling ------------------------------------------------------------------------

_FMT = string.Formatter()


def _dynamic(rng: random.Random, name: str, lang: str, ctx: dict) -> str | None:
    """Slots whose values are computed rather than listed."""
    if name == "amount":
        euros, cents = rng.choice((9, 12, 19, 24, 29, 34, 39, 44, 49, 59, 69, 89, 119)), rng.choice((0, 80, 90, 95))
        if lang == "en":
            return rng.choice((f"€{euros}.{cents:02d}", f"{euros}.{cents:02d} euros", f"EUR {euros}.{cents:02d}"))
        return rng.choice((f"{euros},{cents:02d} €", f"{euros},{cents:02d} euroa", f"{euros} e", f"{euros}€"))
    if name == "minutes":
        return str(rng.choice((15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 75, 90)))
    if name == "mbit":
        return str(rng.choice((1, 2, 3, 4, 5, 8, 10, 12)))
    if name == "version":
        return ctx.get("version") or rng.choice(("5.2", "5.2.0", "5.2.1"))
    if name == "order":
        return rng.choice(("", "#", "TIL-", "ORD-")) + str(rng.randint(210000, 289999))
    if name == "invoice_no":
        return str(rng.randint(7100000, 7999999))
    if name in ("kk", "kk_gen", "kk_ine", "kk_ela", "month", "manad"):
        month = ctx["month"] if rng.random() < 0.6 else (ctx["month"] - 2) % 12 + 1
        table = {"kk": P.MONTHS_FI, "kk_gen": P.MONTHS_FI_GEN, "kk_ine": P.MONTHS_FI_INE,
                 "kk_ela": P.MONTHS_FI_ELA, "month": P.MONTHS_EN, "manad": P.MONTHS_SV}[name]
        return table[month - 1]
    if name in ("pvm", "date"):                               # a day near the document's own date
        d = ctx["today"] + timedelta(days=rng.randint(-6, 6))
        if name == "date":
            return rng.choice((f"{P.MONTHS_EN[d.month - 1][:3]} {d.day}", f"{d.day} {P.MONTHS_EN[d.month - 1]}"))
        return rng.choice((f"{d.day}.{d.month}.", f"{d.day}.{d.month}"))
    if name in PII_MAKERS:
        return PII_MAKERS[name](rng)
    return None


def fill(rng: random.Random, template: str, lang: str, ctx: dict) -> str:
    """Fill `{slot}` fields from the context, computed values, slot groups or slot lists."""
    values: dict[str, str] = {}
    for _, name, _, _ in _FMT.parse(template):
        if not name or name in values:
            continue
        if name in ctx and name not in ("month", "version", "today"):
            values[name] = ctx[name]
            continue
        dyn = _dynamic(rng, name, lang, ctx)
        if dyn is not None:
            values[name] = dyn
            continue
        for glang in (lang, "fi"):                             # own language first, then Finnish
            group = P.GROUP_OF.get(glang, {}).get(name)
            if group is not None:
                values.update(rng.choice(P.GROUPS[glang][group]))
                break
            options = P.SLOTS.get(glang, {}).get(name)
            if options is not None:
                values[name] = rng.choice(options)
                break
        else:
            raise KeyError(f"unknown slot {{{name}}} in template {template!r}")
    text = template.format(**values)
    return text[:1].upper() + text[1:] if template.startswith("{") and name_first(template) != "text" else text


def name_first(template: str) -> str | None:
    for _, name, _, _ in _FMT.parse(template):
        return name
    return None


def roughen(rng: random.Random, text: str, lang: str, care: float = 1.0) -> str:
    """Everyday sloppiness: dropped umlauts, lower case, a typo, a missing full stop."""
    if lang == "fi" and rng.random() < 0.10 * care:
        text = text.translate(P.STRIP_DIACRITICS)
    if rng.random() < 0.08 * care:
        text = text.lower()
    if rng.random() < 0.07 * care:
        words = text.split(" ")
        idx = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if idx:
            i = rng.choice(idx)
            w = words[i]
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
            text = " ".join(words)
    if rng.random() < 0.05 * care and text[-1:] in ".!":
        text = text[:-1]
    return text


def _insert(rng: random.Random, parts: list[str], piece: str, front: float = 0.3) -> None:
    if rng.random() < front:
        parts.insert(0, piece)
    else:
        parts.append(piece)


def customer_text(rng: random.Random, theme: Theme, lang: str, ctx: dict, *, pii: str | None = None,
                  newline: float = 0.0, boost: float = 1.0) -> str:
    """One customer message (a feedback text or a chat's first message).

    A text already produced (`ctx["seen"]`) is composed once more, with an extra detail sentence:
    exact duplicates stay rare, as in real feedback, but do occur."""
    seen = ctx.get("seen")
    for attempt in range(2):
        text = _compose(rng, theme, lang, ctx, newline, boost, attempt)
        if seen is None or text not in seen:
            break
    if seen is not None:
        seen.add(text)
    if pii:
        plang = lang if lang in P.PII_TEXT[pii] else "en"
        text += " " + fill(rng, rng.choice(P.PII_TEXT[pii][plang]), plang, ctx)
    return text


def _compose(rng: random.Random, theme: Theme, lang: str, ctx: dict, newline: float, boost: float,
             attempt: int) -> str:
    bank = P.CUSTOMER[theme.name]
    lang = lang if lang in bank else "en"
    parts = [fill(rng, rng.choice(bank[lang]), lang, ctx)]
    details = P.DETAILS[theme.name].get(lang)
    if details and (attempt > 0 or rng.random() < 0.3):
        _insert(rng, parts, fill(rng, rng.choice(details), lang, ctx), front=0.2)
    if lang in ("fi", "en") and theme.tone == "negative":
        for kind, w in CUE_KINDS:
            if rng.random() < theme.cue * w * boost:
                _insert(rng, parts, fill(rng, rng.choice(P.CUES[kind][lang]), lang, ctx))
        if rng.random() < theme.anger * boost:
            parts.append(fill(rng, rng.choice(P.ANGER[lang]), lang, ctx))
    if rng.random() < 0.22:
        opener = rng.choice(P.OPENERS[lang])
        if opener[-1] == "," or opener[-1].isalpha():          # "Hei vaan, mun lasku ..."
            first = parts[0].split(" ", 1)[0].strip(",.!?'")
            if first not in P.KEEP_CAPS and parts[0][1:2].islower():
                parts[0] = parts[0][0].lower() + parts[0][1:]
        parts.insert(0, opener)
    if rng.random() < 0.25:
        closer = rng.choice(P.CLOSERS_BY_TONE[theme.tone][lang])
        if closer.split(" ", 1)[0].strip(",.!").lower() not in " ".join(parts).lower():
            parts.append(fill(rng, closer, lang, ctx))
    sep = "\n" if len(parts) > 1 and rng.random() < newline else " "
    return roughen(rng, sep.join(parts), lang)


def note_text(rng: random.Random, theme: Theme, lang: str, ctx: dict, outcome: str, *,
              pii: str | None = None) -> str:
    """A terse call-centre note written by the agent."""
    parts = [fill(rng, rng.choice(P.NOTES[theme.name][lang]), lang, ctx)]
    if theme.tone == "negative":
        for kind, w in CUE_KINDS:
            if rng.random() < theme.cue * w * 1.2:
                _insert(rng, parts, fill(rng, rng.choice(P.NOTE_CUES[kind][lang]), lang, ctx), front=0.15)
        if rng.random() < theme.anger * 0.6:
            parts.append(fill(rng, rng.choice(P.NOTE_MOOD[lang]), lang, ctx))
    if ctx.get("cust_lang") == "sv" and lang == "fi":
        parts.insert(1, rng.choice(("ruotsinkielinen as.", "palveltu ruotsiksi", "as. puhui ruotsia")))
    if pii:
        parts.append(fill(rng, rng.choice(P.NOTE_PII[pii][lang]), lang, ctx))
    if rng.random() < 0.8:
        parts.append(fill(rng, rng.choice(P.NOTE_OUTCOME[outcome][lang]), lang, ctx))
    sep = rng.choice((", ", ", ", ". ", "; ", " - "))
    text = parts[0]
    for part in parts[1:]:
        text += (" " if text[-1] in ".?!:" and sep != " - " else sep) + part
    if rng.random() < 0.35:
        text = text[0].lower() + text[1:]
    return roughen(rng, text, lang, care=0.6)


def chat_turns(rng: random.Random, theme: Theme, lang: str, ctx: dict, start: datetime,
               *, pii: str | None = None, boost: float = 1.0) -> list[tuple[str, datetime, str]]:
    """A realistic conversation: bot greeting, customer turns, hand-over, agent, wrap-up."""
    blang = lang if lang in P.BOT_HELLO else "en"
    t = start
    turns = [("bot", t, rng.choice(P.BOT_HELLO[blang]))]

    def say(role: str, text: str, lo: int, hi: int) -> None:
        nonlocal t
        t += timedelta(seconds=rng.randint(lo, hi))
        turns.append((role, t, text))

    first = customer_text(rng, theme, lang, ctx, boost=boost)
    pieces = [s for s in first.replace("! ", "!|").replace(". ", ".|").replace("? ", "?|").split("|") if s]
    if len(pieces) >= 2 and rng.random() < 0.5:
        cut = rng.randint(1, len(pieces) - 1)
        say("customer", " ".join(pieces[:cut]), 8, 60)
        say("customer", " ".join(pieces[cut:]), 5, 40)
    else:
        say("customer", first, 8, 90)
    if rng.random() < 0.3:
        say("bot", fill(rng, rng.choice(P.BOT_CLARIFY[blang]), blang,
                        {"topic": rng.choice(P.TOPIC_LABEL[theme.name][blang])}), 1, 3)
        say("customer", rng.choice(P.CHAT_YES[lang]), 4, 30)
    if theme.tone != "negative" and rng.random() < 0.5 or theme.name in ("other", "einvoice") and rng.random() < 0.2:
        say("bot", rng.choice(P.BOT_SELF_HELP[blang]), 1, 3)
        if pii:
            say("customer", fill(rng, rng.choice(P.PII_TEXT[pii][lang]), lang, ctx), 10, 60)
        say("customer", rng.choice(P.CHAT_ACK[lang]), 10, 60)
        return turns
    say("bot", fill(rng, rng.choice(P.BOT_HANDOVER[blang]), blang, {"n": str(rng.randint(2, 15))}), 1, 3)
    wait = rng.randint(60, 900) * (1.8 if boost > 1 else 1.0)
    if wait > 420 and rng.random() < 0.6:
        t += timedelta(seconds=int(wait * rng.uniform(0.3, 0.6)))
        if rng.random() < 0.5:
            turns.append(("customer", t, rng.choice(P.CHAT_NUDGE[lang])))
        else:                                                   # customer repeats themselves
            again = pieces[0] if rng.random() < 0.5 else first
            turns.append(("customer", t, fill(rng, rng.choice(P.CHAT_REPEAT[lang]), lang, {"text": again})))
        wait *= 0.5
    agent = rng.choice(P.AGENT_NAMES)
    say("agent", fill(rng, rng.choice(P.AGENT_HELLO[blang]), blang, {"agent": agent}), int(wait), int(wait) + 30)
    replies = P.AGENT_REPLIES[theme.name].get(blang) or P.AGENT_GENERIC[blang]
    say("agent", fill(rng, rng.choice(replies), blang, ctx), 20, 120)
    if pii:
        say("customer", fill(rng, rng.choice(P.PII_TEXT[pii][lang]), lang, ctx), 20, 90)
    elif theme.tone == "negative" and lang in ("fi", "en") and rng.random() < theme.anger * boost + 0.1:
        say("customer", fill(rng, rng.choice(P.ANGER[lang] + P.CUES["escalation"][lang]), lang, ctx), 15, 90)
    elif rng.random() < 0.7:
        say("customer", rng.choice(P.CHAT_ACK[lang]), 10, 80)
    if rng.random() < 0.75:
        closes = [c for c in P.AGENT_CLOSE[blang] if t.hour >= 16 or not any(w in c for w in P.EVENING_WORDS)]
        say("agent", rng.choice(closes), 20, 200)
    return turns


# --- planning --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Customer:
    id: str
    lang: str
    segment: str


@dataclass
class Doc:
    theme: Theme
    week: int
    source: str
    local: datetime
    customer: Customer | None
    lang: str
    channel: str
    pii: str | None
    seq: int
    fields: dict = field(default_factory=dict)


DAY_WEIGHTS = {"feedback": (1, 1, 1, 1, 1, 0.8, 0.7), "chat": (1, 1, 1, 1, 1, 0.6, 0.45),
               "call": (1, 1, 1, 1, 1, 0.35, 0)}
HOURS = {"feedback": (7, 22), "chat": (8, 20), "call": (8, 17)}
FEEDBACK_CHANNELS = {"app_login": (("app_review", 0.6), ("web_form", 0.2), ("email_survey", 0.1), ("nps", 0.1)),
                     "praise": (("nps", 0.35), ("app_review", 0.2), ("email_survey", 0.25), ("web_form", 0.2)),
                     "": (("web_form", 0.4), ("email_survey", 0.3), ("nps", 0.15), ("app_review", 0.15))}
RATINGS = {"negative": ((1, 0.42), (2, 0.30), (3, 0.17), (4, 0.08), (5, 0.03)),
           "positive": ((5, 0.66), (4, 0.29), (3, 0.05)),
           "neutral": ((2, 0.10), (3, 0.35), (4, 0.35), (5, 0.20))}
NO_RATING = {"web_form": 0.5, "email_survey": 0.25, "nps": 0.0, "app_review": 0.0}
SEGMENTS = (("consumer", 0.76), ("business", 0.14), ("premium", 0.10))
OUTCOMES = {
    "billing": (("refund_promised", 3), ("resolved", 3), ("callback", 2), ("ticket", 1), ("escalated", 1)),
    "connection": (("ticket", 3), ("resolved", 2), ("technician", 2), ("callback", 1), ("escalated", 1)),
    "app_login": (("ticket", 3), ("callback", 2), ("escalated", 2), ("info_given", 1), ("resolved", 1)),
    "einvoice": (("info_given", 4), ("resolved", 3), ("callback", 1)),
    "delivery": (("info_given", 3), ("ticket", 2), ("resolved", 2), ("callback", 1), ("escalated", 1)),
    "praise": (("resolved", 3), ("info_given", 1)),
    "other": (("resolved", 4), ("info_given", 3), ("ticket", 1)),
}
AGENT_IDS = tuple(f"AG-{n}" for n in (104, 117, 121, 133, 138, 142, 156, 161, 169, 175, 182, 190, 203, 211,
                                      224, 236, 241, 258, 262, 277))


def sample_time(rng: random.Random, week_start: date, source: str) -> datetime:
    day = rng.choices(range(7), weights=DAY_WEIGHTS[source])[0]
    lo, hi = (10, 14) if source == "call" and day == 5 else HOURS[source]
    d = week_start + timedelta(days=day)
    return datetime(d.year, d.month, d.day, rng.randint(lo, hi), rng.randrange(60), rng.randrange(60))


def make_customers(rng: random.Random, n: int) -> tuple[list[Customer], list[float]]:
    ids = rng.sample(range(1000, 100000), n)
    customers = [Customer(f"CUST-{i:06d}", pick(rng, LANG_SHARE), pick(rng, SEGMENTS)) for i in ids]
    weights = [min(rng.paretovariate(1.6), 10.0) for _ in ids]
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    return customers, cum


def plan_documents(rng: random.Random, start: date, weeks: int, scale: float) -> list[Doc]:
    customers, cum = make_customers(rng, max(20, round(P.CUSTOMER_POOL * scale)))
    docs: list[Doc] = []
    app_seen: list[Customer] = []
    for theme in THEMES:
        for week, n in enumerate(weekly_counts(theme, weeks, scale, rng)):
            for _ in range(n):
                source = rng.choices(SOURCES, weights=theme.sources)[0]
                local = sample_time(rng, start + timedelta(weeks=week), source)
                if theme.name == "app_login" and app_seen and rng.random() < 0.4:
                    cust = rng.choice(app_seen)                 # repeat contact about the same problem
                else:
                    cust = rng.choices(customers, cum_weights=cum)[0]
                if theme.name == "app_login":
                    app_seen.append(cust)
                if source == "feedback":
                    channel = pick(rng, FEEDBACK_CHANNELS.get(theme.name, FEEDBACK_CHANNELS[""]))
                    anonymous = rng.random() < (0.5 if channel == "app_review" else 0.04)
                elif source == "chat":
                    channel = "app_chat" if rng.random() < (0.6 if theme.name == "app_login" else 0.3) else "chat"
                    anonymous = channel == "chat" and rng.random() < 0.2
                else:
                    channel, anonymous = "phone", False
                lang = cust.lang
                if source == "call" and lang != "fi":
                    lang = "en" if lang == "en" and rng.random() < 0.8 else "fi"
                elif source == "call" and rng.random() < 0.04:
                    lang = "en"                                 # some agents write notes in English
                pii = pick(rng, PII_KINDS) if rng.random() < PII_SHARE else None
                docs.append(Doc(theme, week, source, local, None if anonymous else cust, lang, channel, pii,
                                len(docs), {"cust_lang": cust.lang}))
    return docs


# --- rendering -------------------------------------------------------------------------------

def _ctx(rng: random.Random, doc: Doc, weeks: int, seen: set | None = None) -> dict:
    """Per-document context: the same amount and order number wherever a document repeats them."""
    ctx = {"month": doc.local.month, "today": doc.local.date(), "cust_lang": doc.fields["cust_lang"], "seen": seen}
    ctx["amount"] = _dynamic(rng, "amount", doc.lang, ctx)
    ctx["order"] = _dynamic(rng, "order", doc.lang, ctx)
    ctx["version"] = "5.2" if doc.week < weeks - 2 else ("5.2.1" if doc.week % 2 else "5.2")
    return ctx


def render_feedback(rng: random.Random, doc: Doc, weeks: int, legacy: bool, seen: set | None = None) -> dict:
    theme = doc.theme
    text = customer_text(rng, theme, doc.lang, _ctx(rng, doc, weeks, seen), pii=doc.pii,
                         newline=0.3 if doc.channel == "email_survey" else 0.03)
    if doc.channel == "app_review" and rng.random() < 0.2:
        text += " " + rng.choice(P.EMOJI[theme.tone])
    if legacy:                                                  # the old CRM stored cp1252
        text = text.encode("cp1252", errors="ignore").decode("cp1252").strip()
    no_rating = NO_RATING[doc.channel]
    rating = "" if rng.random() < no_rating else str(pick(rng, RATINGS[theme.tone]))
    style = "naive" if legacy and rng.random() < 0.8 else pick(
        rng, (("offset", 0.45), ("naive", 0.30), ("naive_sec", 0.15), ("utc", 0.10)))
    return {"created_at": fmt_time(doc.local, style), "text": text,
            "customer_id": doc.customer.id if doc.customer else "", "channel": doc.channel,
            "rating": rating, "segment": doc.customer.segment if doc.customer else ""}


def render_call(rng: random.Random, doc: Doc, weeks: int, seen: set | None = None) -> dict:
    outcome = pick(rng, OUTCOMES[doc.theme.name])
    ctx = _ctx(rng, doc, weeks)
    for _ in range(2):                                          # re-draw a note already written once
        text = note_text(rng, doc.theme, doc.lang, ctx, outcome, pii=doc.pii)
        if seen is None or text not in seen:
            break
    if seen is not None:
        seen.add(text)
    style = pick(rng, (("naive", 0.7), ("naive_sec", 0.2), ("offset", 0.1)))
    return {"created_at": fmt_time(doc.local, style), "text": text, "customer_id": doc.customer.id,
            "agent_id": rng.choice(AGENT_IDS), "outcome": outcome}


def render_chat(rng: random.Random, doc: Doc, weeks: int, seen: set | None = None) -> dict:
    style = "offset" if rng.random() < 0.75 else "utc"
    boost = 1.3 if doc.theme.name == "app_login" else 1.0
    turns = chat_turns(rng, doc.theme, doc.lang, _ctx(rng, doc, weeks, seen), doc.local, pii=doc.pii, boost=boost)
    return {"conversation_id": f"chat-{rng.getrandbits(48):012x}",
            "customer_id": doc.customer.id if doc.customer else None,
            "started_at": fmt_time(doc.local, style), "channel": doc.channel,
            "turns": [{"role": r, "at": fmt_time(at, style), "text": x} for r, at, x in turns]}


# --- writing ---------------------------------------------------------------------------------

def csv_text(columns: list[str], rows: list[dict]) -> tuple[str, list[int]]:
    """CSV text with `\\n` line ends and the 1-based physical line on which each data row starts."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    lines, line = [], 2
    for row in rows:
        lines.append(line)
        before = buf.tell()
        w.writerow([row.get(c, "") for c in columns])
        line += buf.getvalue()[before:].count("\n")
    return buf.getvalue(), lines


def _long_note(rng: random.Random, weeks: int, doc: Doc) -> str:
    """An agent pasted a whole e-mail thread into the note: over the 5,000-character limit."""
    theme = THEME_BY_NAME["billing"]
    parts = ["as. lähetti sähköpostiketjun, liitetty kokonaan alle:"]
    while sum(len(p) + 1 for p in parts) <= 5200:
        parts.append(rng.choice(P.PASTE_HEADERS))
        parts.append(customer_text(rng, theme, "fi", _ctx(rng, doc, weeks)))
    return "\n".join(parts)


def generate_sample(out_dir: Path, *, seed: int = 2026, start: date = date(2026, 8, 31), weeks: int = 12,
                    scale: float = 1.0) -> dict:
    """Write the corpus under `out_dir`; return counts per file and per theme per week."""
    if start.weekday() != 0:
        raise ValueError(f"start must be a Monday, got {start} ({start:%A})")
    if weeks < 1 or scale <= 0:
        raise ValueError("weeks must be >= 1 and scale > 0")
    out_dir = Path(out_dir)
    docs = plan_documents(random.Random(f"{seed}:plan"), start, weeks, scale)
    rng = random.Random(f"{seed}:text")
    by_source = {s: sorted((d for d in docs if d.source == s), key=lambda d: (d.local, d.seq)) for s in SOURCES}

    # feedback: ~10 % goes to the legacy cp1252 export of the old CRM (web forms and e-mail surveys)
    main_rows, legacy_rows, texts, seen = [], [], [], set()
    for d in by_source["feedback"]:
        legacy = rng.random() < 0.11
        if legacy:
            d.channel = "web_form" if rng.random() < 0.6 else "email_survey"
        row = render_feedback(rng, d, weeks, legacy, seen)
        (legacy_rows if legacy else main_rows).append(row)
        texts.append(row["text"])
    bad: list[dict] = []
    n = len(main_rows)
    ref = by_source["feedback"][n // 2]
    empty = dict(main_rows[n // 5], text="", rating="1", channel="web_form")
    broken_date = render_feedback(rng, ref, weeks, False) | {"created_at": "32.13.2026"}
    main_rows.insert(n // 5 + 1, empty)
    main_rows.insert(n // 2 + 1, broken_date)
    for i, row in enumerate(main_rows, start=1):
        row["id"] = f"FB-{100000 + i * 3 + (i * 7) % 3}"
    for i, row in enumerate(legacy_rows, start=1):
        row["id"] = f"L{20150 + i}"
    dup_at = (4 * len(main_rows)) // 5
    main_rows.insert(dup_at, dict(main_rows[dup_at - 3]))      # the export repeated an earlier row
    fb_text, fb_lines = csv_text(FEEDBACK_COLUMNS, main_rows)
    for row, line in zip(main_rows, fb_lines):
        if row is empty or row is broken_date:
            bad.append({"file": FEEDBACK_FILE, "line": line, "id": row["id"],
                        "reason": "empty text" if row is empty else "unparseable created_at"})
    bad.append({"file": FEEDBACK_FILE, "line": fb_lines[dup_at], "id": main_rows[dup_at]["id"],
                "reason": "duplicate id"})
    bad.sort(key=lambda b: b["line"])
    legacy_text, _ = csv_text(FEEDBACK_COLUMNS, legacy_rows)

    # chats
    chat_lines = []
    for d in by_source["chat"]:
        conv = render_chat(rng, d, weeks, seen)
        chat_lines.append(json.dumps(conv, ensure_ascii=False))
        texts.append("\n".join(t["text"] for t in conv["turns"] if t["role"] == "customer"))
    k = len(chat_lines)
    ref = by_source["chat"][k // 3]
    broken = json.dumps(render_chat(rng, ref, weeks), ensure_ascii=False)
    broken = broken[: int(len(broken) * 0.6)]                  # export cut off mid-line
    ref = by_source["chat"][(2 * k) // 3]
    abandoned = render_chat(rng, ref, weeks)
    t0 = datetime.fromisoformat(abandoned["started_at"])
    abandoned["turns"] = [
        {"role": "bot", "at": abandoned["started_at"], "text": rng.choice(P.BOT_HELLO["fi"])},
        {"role": "bot", "at": (t0 + timedelta(minutes=3)).isoformat().replace("+00:00", "Z"),
         "text": "Oletko vielä paikalla? Suljen keskustelun, jos en kuule sinusta."},
        {"role": "bot", "at": (t0 + timedelta(minutes=8)).isoformat().replace("+00:00", "Z"),
         "text": "Keskustelu suljettiin. Voit aloittaa uuden keskustelun milloin tahansa."}]
    chat_lines.insert(k // 3, broken)
    chat_lines.insert((2 * k) // 3 + 1, json.dumps(abandoned, ensure_ascii=False))
    bad.append({"file": CHATS_FILE, "line": k // 3 + 1, "id": None, "reason": "broken JSON"})
    bad.append({"file": CHATS_FILE, "line": (2 * k) // 3 + 2, "id": abandoned["conversation_id"],
                "reason": "conversation has no customer turn"})

    # call notes
    call_rows = []
    for d in by_source["call"]:
        row = render_call(rng, d, weeks, seen)
        call_rows.append(row)
        texts.append(row["text"])
    m = len(call_rows)
    ref = by_source["call"][m // 2]
    long_row = render_call(rng, ref, weeks) | {"text": _long_note(rng, weeks, ref), "outcome": "ticket"}
    call_rows.insert(m // 2, long_row)
    for i, row in enumerate(call_rows, start=1):
        row["id"] = f"CN-{500000 + i * 3 + i % 3}"
    call_text, call_lines = csv_text(CALL_COLUMNS, call_rows)
    bad.append({"file": CALLS_FILE, "line": call_lines[m // 2], "id": long_row["id"],
                "reason": f"text over 5,000 characters ({len(long_row['text'])})"})

    outputs = {FEEDBACK_FILE: fb_text.encode("utf-8"), LEGACY_FILE: legacy_text.encode("cp1252"),
               CHATS_FILE: ("\n".join(chat_lines) + "\n").encode("utf-8"),
               CALLS_FILE: b"\xef\xbb\xbf" + call_text.encode("utf-8")}
    for rel, data in outputs.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    themes = {t.name: [0] * weeks for t in THEMES}
    for d in docs:
        themes[d.theme.name][d.week] += 1
    langs = {"fi": 0, "en": 0, "sv": 0}
    for d in docs:
        langs[d.lang] += 1
    customers = sorted({d.customer.id for d in docs if d.customer})
    return {
        "seed": seed, "start": start.isoformat(), "weeks": weeks, "scale": scale,
        "files": {rel: {"rows": {FEEDBACK_FILE: len(main_rows), LEGACY_FILE: len(legacy_rows),
                                 CHATS_FILE: len(chat_lines), CALLS_FILE: len(call_rows)}[rel],
                        "bytes": len(data)} for rel, data in outputs.items()},
        "documents": {s: len(by_source[s]) for s in SOURCES} | {"total": len(docs)},
        "themes": themes,
        "themes_by_source": {t.name: {s: sum(1 for d in docs if d.theme is t and d.source == s) for s in SOURCES}
                             for t in THEMES},
        "languages": langs,
        "customers": len(customers),
        "pii_documents": sum(1 for d in docs if d.pii),
        "duplicate_text_share": round(1 - len(set(texts)) / len(texts), 4),
        "bad_rows": bad,
    }


def profile_table(summary: dict) -> str:
    """Markdown table of documents per theme and week (as in data/sample/README.md)."""
    weeks = summary["weeks"]
    head = "| theme | kind | " + " | ".join(f"w{i + 1}" for i in range(weeks)) + " | total |"
    lines = [head, "|" + "---|" * (weeks + 3)]
    for t in THEMES:
        counts = summary["themes"][t.name]
        lines.append(f"| `{t.name}` | {t.kind} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m signals.sample", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="data/sample", help="output folder (default data/sample)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--scale", type=float, default=1.0, help="volume multiplier (0.1 = ~160 documents)")
    ap.add_argument("--start", type=date.fromisoformat, default=date(2026, 8, 31), help="a Monday")
    ap.add_argument("--weeks", type=int, default=12)
    args = ap.parse_args(argv)
    try:
        s = generate_sample(Path(args.out), seed=args.seed, start=args.start, weeks=args.weeks, scale=args.scale)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for rel, info in s["files"].items():
        print(f"{args.out}/{rel}: {info['rows']} rows, {info['bytes']} bytes")
    print("documents:", ", ".join(f"{k} {v}" for k, v in s["documents"].items()),
          "| languages:", ", ".join(f"{k} {v}" for k, v in s["languages"].items()),
          f"| customers {s['customers']} | bad rows {len(s['bad_rows'])}")
    print(profile_table(s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
