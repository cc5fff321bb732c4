"""PII test set for signals.redact: recall on valid identifiers, no false hits."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import time
import warnings

import pandas as pd
import pytest

from signals.redact import (
    PSEUDONYM_KEY_ENV,
    DevelopmentKeyWarning,
    Redacted,
    pseudonym_key,
    pseudonymize,
    redact,
)

# ---------------------------------------------------------------------------
# Generators for valid identifiers (independent of the module's own code)
# ---------------------------------------------------------------------------

HETU_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def hetu(ddmmyy: str, century: str, nnn: str, *, lower: bool = False) -> str:
    check = HETU_CHARS[int(ddmmyy + nnn) % 31]
    return f"{ddmmyy}{century}{nnn}{check.lower() if lower else check}"


def wrong_check(code: str) -> str:
    """Same HETU with a different (still well-formed) check character."""
    i = HETU_CHARS.index(code[-1].upper())
    return code[:-1] + HETU_CHARS[(i + 1) % 31]


def iban(country: str, bban: str) -> str:
    """Compact IBAN with correct check digits."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def spaced(compact: str) -> str:
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        if luhn_ok(prefix + d):
            return prefix + d
    raise AssertionError


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def change_one_digit(s: str, index_from_end: int = 2) -> str:
    """Replace one digit near the end with another digit."""
    positions = [i for i, c in enumerate(s) if c.isdigit()]
    i = positions[-index_from_end]
    return s[:i] + str((int(s[i]) + 1) % 10) + s[i + 1 :]


# ---------------------------------------------------------------------------
# Valid identifiers
# ---------------------------------------------------------------------------

VALID_HETUS = [
    "131052-308T",  # the classic published example
    hetu("010101", "-", "123"),
    hetu("311299", "A", "002"),  # lowest individual number
    hetu("290200", "A", "456"),  # 2000 is a leap year
    hetu("290204", "-", "789"),  # 1904 is a leap year
    hetu("150877", "+", "345"),  # 1800s
    hetu("010190", "Y", "111"),  # new 1900s century signs (2023 reform)
    hetu("020290", "X", "222"),
    hetu("030390", "W", "333"),
    hetu("040490", "V", "444"),
    hetu("050590", "U", "555"),
    hetu("060610", "B", "666"),  # new 2000s century signs
    hetu("070710", "C", "777"),
    hetu("080810", "D", "888"),
    hetu("090910", "E", "899"),
    hetu("101010", "F", "123"),
    hetu("111111", "A", "950"),  # temporary id (900-999): redacted on purpose
    hetu("121212", "A", "999"),
    hetu("131052", "-", "308", lower=True),  # lower-case check character
]

_FI = iban("FI", "12345600000785")
VALID_IBANS = [
    "FI21 1234 5600 0007 85",
    "FI2112345600000785",
    "DE89 3704 0044 0532 0130 00",
    "DE89370400440532013000",
    "GB82 WEST 1234 5698 7654 32",
    "GB82WEST12345698765432",
    "SE45 5000 0000 0583 9825 7466",
    "NO93 8601 1117 947",
    "EE38 2200 2210 2014 5685",
    "DK50 0040 0440 1162 43",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91 ABNA 0417 1643 00",
    "BE68 5390 0754 7034",
    "CH93 0076 2011 6238 5295 7",
    "PL61 1090 1014 0000 0712 1981 2874",
    spaced(iban("FI", "79440512345678")),  # generated
    spaced(iban("BR", "0036030510001000009795493C1")),  # unknown length table -> 15-34
]

VALID_CARDS = [
    "4111 1111 1111 1111",  # Visa
    "4111111111111111",
    "4111-1111-1111-1111",
    "5555 5555 5555 4444",  # Mastercard
    "3782 822463 10005",  # Amex 4-6-5
    "378282246310005",
    "4222222222222",  # 13-digit Visa
    luhn_complete("621234567890123456"),  # 19 digits
    "6011 1111 1111 1117",  # Discover
]

VALID_PHONES = [
    "040 123 4567",
    "040-1234567",
    "0401234567",
    "050 987 6543",
    "+358 40 123 4567",
    "+358401234567",
    "+358 (0)40 123 4567",
    "09 123 4567",
    "(09) 1234 567",
    "0800 12345",
    "+44 20 7946 0958",
    "+1 (555) 123-4567",
    "0044 20 7946 0958",
    "+46 8 123 456 78",
]

VALID_EMAILS = [
    "matti.meikalainen@example.fi",
    "matti.meikäläinen@esimerkki.fi",
    "åsa.öberg@posti.example.se",
    "customer+billing@mail.sub.example.co.uk",
    "j_smith-99@example.com",
    "Liisa.Virtanen@Example.FI",
]

VALID = (
    [("HETU", v) for v in VALID_HETUS]
    + [("IBAN", v) for v in VALID_IBANS]
    + [("CARD", v) for v in VALID_CARDS]
    + [("PHONE", v) for v in VALID_PHONES]
    + [("EMAIL", v) for v in VALID_EMAILS]
)

# Templates contain no digits, so any digit left in the output is a leak.
TEMPLATES = [
    "Soittakaa minulle numeroon {} kiitos.",
    "Asiakkaan tiedot: {}, ei muuta.",
    "Please contact me at {} about the refund!",
    "My details ({}) were shown on screen.",
    "{}",
]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize(("kind", "value"), VALID, ids=[f"{k}:{v}" for k, v in VALID])
def test_valid_identifiers_are_redacted(kind: str, value: str, template: str) -> None:
    text = template.format(value)
    out = redact(text)
    assert out.text == template.format(f"<{kind}>")
    assert out.counts == {kind: 1}
    assert not any(c.isdigit() for c in out.text)


def test_generators_produce_valid_inputs() -> None:
    # Guards the test set itself against typos in the literals above.
    def mod97(s: str) -> int:
        s = s.replace(" ", "")
        return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97

    assert all(mod97(v) == 1 for v in VALID_IBANS)
    assert all(luhn_ok(re.sub(r"\D", "", v)) for v in VALID_CARDS)
    assert hetu("131052", "-", "308") == "131052-308T"


def test_recall_on_mixed_documents_is_one() -> None:
    found = 0
    for kind, value in VALID:
        for template in TEMPLATES:
            out = redact(template.format(value))
            found += out.counts.get(kind, 0) == 1 and f"<{kind}>" in out.text
    assert found / (len(VALID) * len(TEMPLATES)) == 1.0


# ---------------------------------------------------------------------------
# Look-alikes and ordinary numbers must survive untouched
# ---------------------------------------------------------------------------

INVALID_HETUS = [
    "131052-308U",  # wrong check character
    wrong_check(hetu("010101", "A", "123")),
    hetu("310299", "-", "123"),  # 31 February (correct checksum)
    hetu("290201", "A", "123"),  # 2001 is not a leap year
    hetu("290200", "-", "123"),  # 1900 is not a leap year
    hetu("320190", "-", "123"),  # day 32
    hetu("011390", "-", "123"),  # month 13
    hetu("010190", "-", "000"),  # individual numbers 000/001 are not issued
    hetu("010190", "-", "001"),
    "131052G308T",  # not a century sign
]

INVALID_IBANS = [change_one_digit(v) for v in VALID_IBANS] + [
    spaced(iban("FI", "123456000007851")),  # checksum fine, FI must be 18 long
    spaced(iban("DE", "3704004405320130")),  # checksum fine, DE must be 22 long
]

INVALID_CARDS = [
    "4111 1111 1111 1112",
    "4111111111111112",
    "5555 5555 5555 4445",
    "3782 822463 10006",
    "4111-1111-1111-1121",
]

ORDINARY = [
    "Toimitus 12.10.2026 klo 14.30.",
    "Delivered on 2026-10-12 at 09:30.",
    "Päivämäärä 05-10-2026 ja 01.02.2026.",
    "Date 12/10/2026, 10:30-11:00, klo 08.00-16.00.",
    "Hinta oli 1 234,50 € ja toimitus 0,50 €.",
    "It cost €1,234.50 or 12 345 euros.",
    "Order 12345 arrived after 3 times calling.",
    "Tilausnumero 123456, 2 kpl, 10 % alennus.",
    "Version 2.3.1 crashed 3 times in 2026.",
    "Postinumero 00100 Helsinki, lämpötila +5 °C.",
    "Ticket #4821 was opened 14 days ago.",
    "Reference 1 234 567 890 123 is an amount, not a card.",
    "Odotin 0 minuuttia ja sain 5/5 tähteä.",
    "Email me @ the office or at matti at example dot fi.",
    "Käyttäjä @matti kirjoitti 12:30.",
    "Avoinna arkisin klo 0800-1600, la 0900-1400.",
    "Yrityksen Y-tunnus 0112038-9 on laskulla.",
    "Viitenumero RF18 5390 0754 7034 ja RF18539007547034.",
]


def test_phones_beside_opening_hours_and_business_ids_are_still_redacted() -> None:
    out = redact("Soita 040 123 4567 klo 0800-1600, Y-tunnus 0112038-9, tai 0912-3456 tai 0112038-8.")
    # A closing hour before the opening one, or a failing business-id check, leaves a phone-shaped number.
    assert out.text == "Soita <PHONE> klo 0800-1600, Y-tunnus 0112038-9, tai <PHONE> tai <PHONE>."
    assert out.counts == {"PHONE": 3}


@pytest.mark.parametrize("value", INVALID_HETUS + INVALID_IBANS + INVALID_CARDS)
@pytest.mark.parametrize("template", TEMPLATES[:3])
def test_checksum_failing_lookalikes_are_kept(value: str, template: str) -> None:
    text = template.format(value)
    out = redact(text)
    assert out.text == text
    assert out.counts == {}


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_untouched(text: str) -> None:
    out = redact(text)
    assert out.text == text
    assert out.counts == {}


# ---------------------------------------------------------------------------
# Overlaps, boundaries, multiple matches
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        # several kinds in one Finnish note
        (
            "Asiakas (hetu 131052-308T) soitti numerosta +358 40 123 4567 ja "
            "pyysi palautusta tilille FI21 1234 5600 0007 85, "
            "sähköposti matti.meikäläinen@esimerkki.fi.",
            "Asiakas (hetu <HETU>) soitti numerosta <PHONE> ja "
            "pyysi palautusta tilille <IBAN>, sähköposti <EMAIL>.",
            {"HETU": 1, "PHONE": 1, "IBAN": 1, "EMAIL": 1},
        ),
        # card is a card, not a phone; amount and date untouched
        (
            "Charged 49,90 € on 12.10.2026 to card 5555 5555 5555 4444, call 040 123 4567.",
            "Charged 49,90 € on 12.10.2026 to card <CARD>, call <PHONE>.",
            {"CARD": 1, "PHONE": 1},
        ),
        # digits inside an e-mail belong to the e-mail
        ("mail 0401234567@sms.example.fi", "mail <EMAIL>", {"EMAIL": 1}),
        # trailing year / quantity does not hide the identifier
        ("IBAN SE45 5000 0000 0583 9825 7466 2026", "IBAN <IBAN> 2026", {"IBAN": 1}),
        ("FI2112345600000785 2026", "<IBAN> 2026", {"IBAN": 1}),
        ("kortti 4111 1111 1111 1111 12 kpl", "kortti <CARD> 12 kpl", {"CARD": 1}),
        ("soita 040 123 4567 2 kertaa", "soita <PHONE> 2 kertaa", {"PHONE": 1}),
        # two numbers separated only by a space
        ("040 123 4567 0501234567", "<PHONE> <PHONE>", {"PHONE": 2}),
        ("puh. 09 123 4567/040 123 4567", "puh. <PHONE>/<PHONE>", {"PHONE": 2}),
        # mistyped IBAN digits are not re-read as a card or phone
        ("tili FI21 1234 5600 0007 86", "tili FI21 1234 5600 0007 86", {}),
        # two valid HETUs and a look-alike
        (
            f"{hetu('010101', 'A', '123')}, 131052-308U, 131052-308T",
            "<HETU>, 131052-308U, <HETU>",
            {"HETU": 2},
        ),
        # glued to words: not identifiers
        ("x0401234567 ABC4111111111111111", "x0401234567 ABC4111111111111111", {}),
        # date followed directly by a phone
        ("12.10.2026 040 123 4567", "12.10.2026 <PHONE>", {"PHONE": 1}),
        # sentence-final punctuation is kept
        ("Email: a.b@example.com.", "Email: <EMAIL>.", {"EMAIL": 1}),
    ],
)
def test_mixed_and_overlapping(text: str, expected: str, counts: dict[str, int]) -> None:
    out = redact(text)
    assert out.text == expected
    assert out.counts == counts


def test_no_pii_returns_text_unchanged() -> None:
    for text in ["", "Kiitos nopeasta palvelusta!", "Great app, 5 stars."]:
        out = redact(text)
        assert out == Redacted(text, {})


def test_redaction_is_idempotent() -> None:
    text = "Soita 040 123 4567, tili FI21 1234 5600 0007 85, a@b.fi, hetu 131052-308T"
    once = redact(text)
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.counts == {}


def test_redacted_is_frozen() -> None:
    out = redact("040 123 4567")
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.text = "x"  # type: ignore[misc]


def test_pathological_inputs_stay_fast() -> None:
    # Guards against catastrophic regex backtracking.
    inputs = [
        "0 " * 20000,
        "0-" * 20000,
        "1234 " * 8000,
        "a" * 40000 + "@",
        "x." * 20000 + "@",
        "AB12" + "ABCD" * 10000,
        "+358 (0) " * 4000,
    ]
    start = time.perf_counter()
    for text in inputs:
        redact(text)
    assert time.perf_counter() - start < 1.0


# ---------------------------------------------------------------------------
# Pseudonyms
# ---------------------------------------------------------------------------

KEY = b"test-key"


def test_pseudonymize_format_and_reference_value() -> None:
    expected = "c_" + hmac.new(KEY, b"CUST-001", hashlib.sha256).hexdigest()[:16]
    assert pseudonymize("CUST-001", KEY) == expected
    assert re.fullmatch(r"c_[0-9a-f]{16}", expected)


def test_pseudonymize_is_deterministic_and_strips() -> None:
    assert pseudonymize("CUST-001", KEY) == pseudonymize("  CUST-001\n", KEY)
    assert pseudonymize("CUST-001", KEY) != pseudonymize("CUST-002", KEY)


def test_pseudonymize_depends_on_key() -> None:
    assert pseudonymize("CUST-001", KEY) != pseudonymize("CUST-001", b"other-key")


@pytest.mark.parametrize("value", [None, "", "   "])
def test_pseudonymize_none_safe(value: str | None) -> None:
    assert pseudonymize(value, KEY) is None


def test_pseudonymize_refuses_empty_key() -> None:
    with pytest.raises(ValueError):
        pseudonymize("CUST-001", b"")


def test_pseudonym_key_from_env_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pseudonym_key({PSEUDONYM_KEY_ENV: "s3cret"}) == b"s3cret"


def test_pseudonym_key_missing_warns_and_uses_dev_key() -> None:
    assert issubclass(DevelopmentKeyWarning, UserWarning)
    with pytest.warns(DevelopmentKeyWarning, match="development key"):
        key = pseudonym_key({})
    assert isinstance(key, bytes) and key
    with pytest.warns(DevelopmentKeyWarning):
        assert pseudonym_key({PSEUDONYM_KEY_ENV: ""}) == key


def test_pseudonym_key_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, "from-env")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pseudonym_key() == b"from-env"
    monkeypatch.delenv(PSEUDONYM_KEY_ENV)
    with pytest.warns(DevelopmentKeyWarning):
        pseudonym_key()


def test_pseudonym_key_custom_variable_name() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pseudonym_key({"OTHER_KEY": "k2"}, var="OTHER_KEY") == b"k2"
    with pytest.warns(DevelopmentKeyWarning, match="OTHER_KEY"):
        pseudonym_key({PSEUDONYM_KEY_ENV: "ignored"}, var="OTHER_KEY")


@pytest.mark.parametrize("text", [
    "puh 040\u00a0123\u00a04567", "+358\u00a040\u00a0123\u00a04567", "puh 040\u2009123\u20094567",
    "puh 040–123 4567", "puh 040  123  4567", "tili FI21\u00a01234\u00a05600\u00a00007\u00a085",
    "kortti 4111\u00a01111\u00a01111\u00a01111", "hetu 131052–308T", "hetu 131052\u2010308T",
])
def test_identifiers_pasted_with_no_break_spaces_or_en_dashes_are_redacted(text: str) -> None:
    out = redact(text).text
    assert "<" in out and not re.search(r"[0-9]{3}", out), out


def test_typographic_spaces_and_dashes_stay_outside_identifiers() -> None:
    assert redact("klo 10–12, hinta 10\u00a0000 €").text == "klo 10-12, hinta 10 000 €"
    assert redact("sivu — ks. liite").text == "sivu — ks. liite"   # no digits on both sides: as written


def test_reject_excerpts_are_redacted_before_they_are_cut() -> None:
    from signals.ingest import RawRecord
    from signals.validate import EXCERPT_CHARS, _excerpt, excerpts

    pad = "x" * (EXCERPT_CHARS - 30)
    rec = RawRecord("feedback", "f.csv", 2, {"id": "f1", "text": f"{pad} matti.meikalainen@example.com",
                                             "notes": "Hei\n0401234567\n131052-308T"})
    (short,) = excerpts(pd.Series([_excerpt(rec)]), lambda t: redact(t).text)
    assert len(short) <= EXCERPT_CHARS and "meikalainen" not in short and "@exa" not in short
    (notes,) = excerpts(pd.Series([_excerpt(RawRecord("feedback", "f.csv", 3, {"notes": "Hei\n0401234567\n131052-308T"}))]),
                        lambda t: redact(t).text)
    assert notes == "notes: Hei <PHONE> <HETU>"


def test_a_landline_in_day_month_year_shape_is_a_phone_unless_the_year_is_one() -> None:
    assert redact("soita 09 12 3456").text == "soita <PHONE>"     # Helsinki landline, not 9.12.3456
    assert redact("tapaaminen 09-12-2026").text == "tapaaminen 09-12-2026"
