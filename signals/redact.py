"""PII redaction and customer pseudonymisation for Finnish and English text.

Every document (feedback, chat, call note) passes through :func:`redact`
before it is stored. Identifiers are replaced by typed placeholders:

=========  =====================================================================
<EMAIL>    e-mail addresses (Unicode local parts such as ``äö``, subdomains, ``+``)
<IBAN>     IBANs, spaced or compact, mod-97 valid and of the country's length
<HETU>     Finnish personal identity codes, date and check character valid
<CARD>     payment card numbers, 13-19 digits, Luhn valid
<PHONE>    Finnish and international phone numbers (leading ``0``, ``+`` or ``00``)
=========  =====================================================================

Design notes:

* One combined regex scans the text once, left to right. At a given start
  position the alternatives are tried in priority order (e-mail, IBAN, HETU,
  card, phone), so e.g. a card is never eaten as a phone.
* A candidate that fails its checksum is skipped *as a whole*: the digits of
  a mistyped IBAN or HETU are not re-read as a phone or card number. Look-alikes
  therefore stay exactly as written.
* IBAN, card and phone candidates are matched greedily and then shortened at
  group boundaries until valid, so a following year or quantity ("... 7466 2026")
  does not hide a valid identifier; scanning resumes right after the part that
  was redacted.
* Temporary HETU individual numbers 900-999 are accepted (range 002-999): they
  identify a person just as well, so for privacy they must be redacted too.
  000 and 001 are never issued and are rejected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DevelopmentKeyWarning",
    "PLACEHOLDERS",
    "PSEUDONYM_KEY_ENV",
    "Redacted",
    "pseudonym_key",
    "pseudonymize",
    "redact",
]

PLACEHOLDERS: Mapping[str, str] = {
    "EMAIL": "<EMAIL>",
    "IBAN": "<IBAN>",
    "HETU": "<HETU>",
    "CARD": "<CARD>",
    "PHONE": "<PHONE>",
}

PSEUDONYM_KEY_ENV = "SIGNALS_PSEUDONYM_KEY"

# Deliberately recognisable so that it is obvious in data produced with it.
_DEVELOPMENT_KEY = b"silent-signals-development-key-NOT-SECRET"


@dataclass(frozen=True, slots=True)
class Redacted:
    """Redacted text plus how many identifiers of each type were replaced.

    ``counts`` maps a placeholder type (``"EMAIL"``, ``"PHONE"``, ``"HETU"``,
    ``"IBAN"``, ``"CARD"``) to its number of replacements; types that were not
    found are absent, so use ``counts.get(kind, 0)``.
    """

    text: str
    counts: dict[str, int]


# --------------------------------------------------------------------------
# Patterns. Each alternative is a named group; the name is the placeholder
# type, which lets the scanner dispatch on ``match.lastgroup``. No alternative
# contains an inner capturing group, so ``lastgroup`` is always the outer one.
# Digits are spelled [0-9]: \d would also accept e.g. Arabic-Indic digits,
# which never occur in these identifiers.
# --------------------------------------------------------------------------

_EMAIL = r"""
(?P<EMAIL>
    (?<![\w.%+-])                 # start of the address, not mid-token
    \w[\w.%+-]*                   # \w is Unicode: matti.meikäläinen, åsa
    @
    (?:[^\W_][\w-]*\.)+           # one or more domain labels (subdomains)
    [^\W\d_]{2,}                  # alphabetic TLD, so "a@b.12" is not an address
    (?!\w)
)
"""

_IBAN = r"""
(?P<IBAN>
    (?<!\w)
    [A-Za-z]{2}[0-9]{2}           # country code + check digits
    (?:[ ]?[A-Za-z0-9]{4}){2,7}   # BBAN in groups of four, spaces optional
    (?:[ ]?[A-Za-z0-9]{1,4})?     # short last group
    (?!\w)
)
"""

_HETU = r"""
(?P<HETU>
    (?<!\w)
    [0-9]{6}                      # DDMMYY
    [-+A-FU-Ya-fu-y]              # century sign
    [0-9]{3}                      # individual number
    [0-9A-Ya-y]                   # check character (validated in code)
    (?!\w)
)
"""

# Only realistic groupings are accepted (contiguous, 4-4-4-x(-x), 4-6-4/5),
# so long amounts like "1 234 567 890 123" are never candidates. Card numbers
# never start with 0, which keeps "0044 ..." and "040..." free for phones.
_CARD = r"""
(?P<CARD>
    (?<![\w+])
    (?<![0-9][.,-])
    [1-9]
    (?:
        [0-9]{12,18}
      | [0-9]{3}(?:[ ][0-9]{4}){2}[ ][0-9]{1,4}(?:[ ][0-9]{1,3})?
      | [0-9]{3}(?:-[0-9]{4}){2}-[0-9]{1,4}(?:-[0-9]{1,3})?
      | [0-9]{3}[ ][0-9]{6}[ ][0-9]{4,5}
      | [0-9]{3}-[0-9]{6}-[0-9]{4,5}
    )
    (?!\w)
)
"""

# A phone must start like one (+CC, 00CC, 0..., or "(0x)"); that alone keeps
# amounts, quantities, years and order numbers out. Separators between digit
# groups are mandatory, so the repetition is unambiguous and cannot backtrack
# exponentially. The look-arounds keep dates (12.10.2026, 2026-10-12), times
# (09:30) and decimals from being picked apart; '/' is left out of them
# because "09 123 4567/040 123 4567" lists are common and slash dates never
# reach 7 digits in one candidate.
_PHONE = r"""
(?P<PHONE>
    (?<![\w+])
    (?<![0-9][.,:-])
    (?:
        \+[0-9]+                  # +358..., +1
      | \(0[0-9]{0,4}\)[ -]?[0-9]+  # (09) 1234 567
      | 0[0-9]*                   # 040..., 09..., 0800..., 0044...
    )
    (?:
        (?:[ -]|[ -]?\([0-9]{1,4}\)[ -]?)   # separator, or "(0)" / "(555)"
        [0-9]+
    )*
    (?!\w|[.,:][0-9])
)
"""

_FLAGS = re.VERBOSE
# Three scanners so that a text without '@' never pays for the e-mail
# alternative and a text without digits only pays for it.
_SCAN_ALL = re.compile("|".join((_EMAIL, _IBAN, _HETU, _CARD, _PHONE)), _FLAGS).search
_SCAN_NUMERIC = re.compile("|".join((_IBAN, _HETU, _CARD, _PHONE)), _FLAGS).search
_SCAN_EMAIL = re.compile(_EMAIL, _FLAGS).search
_HAS_DIGIT = re.compile(r"[0-9]").search

# Where a candidate may be shortened: just before a group separator.
_CUT_BEFORE = re.compile(r"(?<=[0-9A-Za-z)])[ (-]")

# dd-mm-yyyy / dd mm yy written with a leading zero look like "0..." phones. A four-digit year must be one
# (19xx or 20xx): "09 12 3456" is a Helsinki landline, not the 9th of December 3456.
_DATE_LIKE = re.compile(r"([0-9]{1,2})[ -]([0-9]{1,2})[ -](?:[0-9]{2}|(?:19|20)[0-9]{2})")


def _cuts(candidate: str) -> list[int]:
    """Prefix lengths at group boundaries, longest (the whole candidate) first."""
    cuts = [m.start() for m in _CUT_BEFORE.finditer(candidate)]
    cuts.append(len(candidate))
    cuts.reverse()
    return cuts


# --- HETU ------------------------------------------------------------------

_HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = {
    "+": 1800,
    **dict.fromkeys("-YXWVU", 1900),
    **dict.fromkeys("ABCDEF", 2000),
}


def _valid_hetu(code: str) -> bool:
    """True for DDMMYYCNNNK with a real date, NNN in 002-999 and a correct check."""
    century = _HETU_CENTURY.get(code[6].upper())
    if century is None or int(code[7:10]) < 2:
        return False
    try:
        date(century + int(code[4:6]), int(code[2:4]), int(code[0:2]))
    except ValueError:
        return False
    return _HETU_CHECK_CHARS[int(code[0:6] + code[7:10]) % 31] == code[10].upper()


def _hetu_end(m: re.Match[str]) -> int:
    return m.end() if _valid_hetu(m.group()) else -1


# --- IBAN ------------------------------------------------------------------

# Lengths for the SEPA countries (and the ones Finnish customers meet most);
# other countries fall back to the ISO 13616 range of 15-34 characters.
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
    "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27,
    "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27,
}
# ISO 7064 mod 97-10 reads letters as two-digit numbers: A=10 ... Z=35.
_IBAN_LETTERS = str.maketrans({chr(ord("A") + i): str(10 + i) for i in range(26)})


def _valid_iban(compact: str) -> bool:
    """True for an upper-case IBAN without spaces that has the right length and checksum."""
    if compact.startswith("RF"):
        # An RF creditor reference (ISO 11649, printed on Finnish invoices) shares the IBAN checksum; it names
        # an invoice, not a person's account.
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None:
        if len(compact) != expected:
            return False
    elif not 15 <= len(compact) <= 34:
        return False
    return int((compact[4:] + compact[:4]).translate(_IBAN_LETTERS)) % 97 == 1


def _iban_end(m: re.Match[str]) -> int:
    candidate = m.group()
    for cut in _cuts(candidate):
        compact = candidate[:cut].replace(" ", "")
        if len(compact) >= 15 and _valid_iban(compact.upper()):
            return m.start() + cut
    return -1


# --- payment cards ---------------------------------------------------------


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i & 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_end(m: re.Match[str]) -> int:
    candidate = m.group()
    for cut in _cuts(candidate):
        digits = candidate[:cut].replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return m.start() + cut
    return -1


# --- phones ----------------------------------------------------------------


def _valid_phone(number: str) -> bool:
    digits = sum(ch.isdigit() for ch in number)
    if number.startswith("00"):
        digits -= 2  # international call prefix is not part of the number
    if not 7 <= digits <= 15:
        return False
    date_like = _DATE_LIKE.fullmatch(number)
    if date_like and 1 <= int(date_like[1]) <= 31 and 1 <= int(date_like[2]) <= 12:
        return False
    return True


# At most 17 digits ("00" + 15) and short separators: anything longer cannot
# be one number, and skipping it keeps runs like "0 0 0 0 ..." linear.
_PHONE_MAX_LEN = 64


# Opening hours ("klo 0800-1600") and a business id (Y-tunnus "0112038-9", whose last digit checks the seven
# before it) start with 0 like a phone; neither names a person, and no Finnish phone is written in either shape.
_HOURS = re.compile(r"0[0-9][0-5][0-9]-(?:[01][0-9]|2[0-4])[0-5][0-9]")
_BUSINESS_ID = re.compile(r"[0-9]{7}-[0-9]")
_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def _valid_business_id(code: str) -> bool:
    rest = sum(int(d) * w for d, w in zip(code[:7], _BUSINESS_ID_WEIGHTS)) % 11
    return rest != 1 and int(code[8]) == (0 if rest == 0 else 11 - rest)


def _not_a_phone(candidate: str) -> bool:
    if _HOURS.fullmatch(candidate):
        return candidate[:4] < candidate[5:]  # closing after opening
    return bool(_BUSINESS_ID.fullmatch(candidate)) and _valid_business_id(candidate)


def _phone_end(m: re.Match[str]) -> int:
    candidate = m.group()
    if _not_a_phone(candidate):
        return -1
    for cut in _cuts(candidate):
        if cut > _PHONE_MAX_LEN:
            continue
        prefix = candidate[:cut]
        # "040 123 4567 2 kpl": a lone trailing digit is a quantity, not part
        # of the number; shorter prefixes are tried instead.
        if len(prefix) >= 2 and prefix[-2] == " ":
            continue
        if _valid_phone(prefix):
            return m.start() + cut
    return -1


# --- e-mail ----------------------------------------------------------------


def _email_end(m: re.Match[str]) -> int:
    return m.end()


_END_OF: dict[str, Callable[[re.Match[str]], int]] = {
    "EMAIL": _email_end,
    "IBAN": _iban_end,
    "HETU": _hetu_end,
    "CARD": _card_end,
    "PHONE": _phone_end,
}


# Text pasted from the web, Outlook or Excel separates digit groups with no-break, thin or figure spaces, en
# dashes or doubled spaces ("040\u00a0123\u00a04567", "131052–308T"); between two digits they are read as the
# plain space or hyphen the patterns know. Elsewhere the text is left as written.
_DIGIT_SPACE = re.compile(r"(?<=[0-9])(?:[\u00a0\u2007\u2009\u202f]| {2,})(?=[0-9(])")
_DIGIT_DASH = re.compile(r"(?<=[0-9])[\u2010\u2011\u2012\u2013\u2212](?=[0-9])")


def redact(text: str) -> Redacted:
    """Replace e-mails, phones, HETUs, IBANs and card numbers with placeholders."""
    has_digit = _HAS_DIGIT(text) is not None
    if has_digit:
        text = _DIGIT_DASH.sub("-", _DIGIT_SPACE.sub(" ", text))
    if has_digit:
        scan = _SCAN_ALL if "@" in text else _SCAN_NUMERIC
    elif "@" in text:
        scan = _SCAN_EMAIL
    else:
        return Redacted(text, {})

    m = scan(text)
    if m is None:
        return Redacted(text, {})

    parts: list[str] = []
    counts: dict[str, int] = {}
    last = 0
    while m is not None:
        kind = m.lastgroup
        assert kind is not None
        end = _END_OF[kind](m)
        if end < 0:
            # Skip the whole failed candidate so its digits are not re-read
            # as something else (a mistyped IBAN is not a card or a phone).
            m = scan(text, m.end())
            continue
        parts.append(text[last : m.start()])
        parts.append(PLACEHOLDERS[kind])
        counts[kind] = counts.get(kind, 0) + 1
        last = end
        m = scan(text, end)
    parts.append(text[last:])
    return Redacted("".join(parts), counts)


# --------------------------------------------------------------------------
# Pseudonyms
# --------------------------------------------------------------------------


class DevelopmentKeyWarning(UserWarning):
    """The built-in development pseudonym key is in use; pseudonyms are not secret."""


def pseudonym_key(
    env: Mapping[str, str] | None = None, *, var: str = PSEUDONYM_KEY_ENV
) -> bytes:
    """Return the pseudonym key from ``SIGNALS_PSEUDONYM_KEY`` (UTF-8 bytes).

    ``env`` defaults to ``os.environ``; ``var`` lets the config rename the
    variable. Falls back to a fixed development key, with a
    :class:`DevelopmentKeyWarning`, when the variable is unset or empty.
    """
    source = os.environ if env is None else env
    value = source.get(var)
    if value:
        return value.encode("utf-8")
    warnings.warn(
        f"{var} is not set: using the built-in development key; "
        "pseudonyms are NOT secret and can be reversed by anyone with the code.",
        DevelopmentKeyWarning,
        stacklevel=2,
    )
    return _DEVELOPMENT_KEY


def pseudonymize(customer_id: str | None, key: bytes) -> str | None:
    """Keyed pseudonym ``"c_" + 16 hex`` (HMAC-SHA256 of the stripped id), or None.

    None, empty and whitespace-only ids give None. An empty key is refused,
    since it would make the pseudonyms an unkeyed, reversible hash.
    """
    if customer_id is None:
        return None
    cid = customer_id.strip()
    if not cid:
        return None
    if not key:
        raise ValueError("pseudonym key must not be empty")
    digest = hmac.new(key, cid.encode("utf-8"), hashlib.sha256).hexdigest()
    return "c_" + digest[:16]


# --- Table level: what the pipeline applies to every table before anything is stored. ---

def redact_column(df: "pd.DataFrame", column: str) -> "pd.DataFrame":
    """A copy of `df` with `column` redacted (None stays None)."""
    return df.assign(**{column: [None if v is None else redact(str(v)).text for v in df[column]]})


def _redact_json(blob: str) -> str:
    # Extra input columns can hold anything (a free-text "notes" column, an e-mail column).
    values = json.loads(blob) if blob else {}
    return json.dumps({k: redact(str(v)).text for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def redact_documents(docs: "pd.DataFrame", key: bytes) -> "pd.DataFrame":
    """Redact text and metadata, replace customer_id by a keyed pseudonym, add text_hash and n_chars.

    The raw customer_id column is dropped so it cannot reach the warehouse by accident.
    """
    results = [redact(t) for t in docs["text"]]
    texts = [r.text for r in results]
    return docs.drop(columns=["customer_id"]).assign(
        text=texts,
        pii_redacted=[sum(r.counts.values()) for r in results],
        text_hash=[hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts],
        n_chars=[len(t) for t in texts],
        # pandas turns a missing optional id into NaN; anonymous documents are valid input.
        customer_key=[pseudonymize(c if isinstance(c, str) else None, key) for c in docs["customer_id"]],
        metadata=[_redact_json(m) for m in docs["metadata"]],
    )
