"""spaCy preprocessing: sentences, tokens, stop words and lemmas per language.

Finnish is heavily inflected ("laskussanne" → "lasku"), so topic keywords need real lemmas:
the Voikko-based `spacy-fi-experimental-web-md` gives them. English uses spaCy's lookup
lemmatiser, which is fast and good enough for keywords.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Sequence

import pandas as pd
import spacy
from spacy.language import Language

# Placeholders left by redaction (<EMAIL>, <PHONE>…) are not words a topic should be named by.
PLACEHOLDER_TOKENS = {"EMAIL", "PHONE", "HETU", "IBAN", "CARD"}
# Marks in `Analysis.marked_lemmas`: a cue pattern never spans a sentence end, and only a gap spans a clause.
CLAUSE, SENTENCE = ",", "|"
_CLAUSE_PUNCT = {",", ":", "–", "—", "(", ")"}


class NlpSetupError(RuntimeError):
    pass


def load_finnish(model: str) -> Language:
    try:
        nlp = spacy.load(model, exclude=["parser", "ner"])
    except Exception as exc:  # the model raises plain OSErrors when libvoikko is missing
        raise NlpSetupError(
            f"cannot load Finnish spaCy model {model!r}: {exc}. It needs the package "
            "`spacy-fi-experimental-web-md` and the Debian packages `libvoikko1 voikko-fi` (run `make setup`).") from exc
    nlp.add_pipe("sentencizer")  # the parser is excluded for speed; rule-based sentences suffice here
    return nlp


# The lookup table's Latin and plural-only entries turn service words into keywords nobody reads
# as meant ("mobile datum", "social medium", "saving account", "phone numb" from the comparative of
# "numb"); these keep their everyday form.
ENGLISH_LEMMA_FIXES = {
    "data": "data", "media": "media", "criteria": "criterion", "goods": "goods", "premises": "premises",
    "savings": "savings", "customs": "customs", "headquarters": "headquarters", "kbps": "kbps",
    "news": "news", "series": "series", "species": "species", "number": "number", "numbers": "number",
    "matter": "matter", "matters": "matter", "crew": "crew", "wedding": "wedding",
    # agent-note shorthand, so a note's "cust" and a message's "customer" are one keyword
    "cust": "customer", "custs": "customer", "cx": "customer", "appt": "appointment", "mgr": "manager",
    "wk": "week", "wks": "week", "mins": "minute",
}


# Lemmas that name no topic, left out of keywords only (the text and the cue rules' lemmas keep them):
# months and weekdays (every month name is "new" when the month begins), greetings and chat fillers ("yep",
# "thx"), light verbs that carry any request ("tehdä", "haluta", "voida", "johtua" of "mistä tää johtuu"),
# and the customer him- or herself, who is in every text (agent notes write "cust", "as."). spaCy's own lists lack these; "other" texts get Swedish and Estonian
# stop words, the other languages customers in Finland write in.
KEYWORD_STOP_WORDS = {
    "fi": frozenset("""tammikuu helmikuu maaliskuu huhtikuu toukokuu kesäkuu heinäkuu elokuu syyskuu lokakuu marraskuu
        joulukuu kuu maanantai tiistai keskiviikko torstai perjantai lauantai sunnuntai moikka terve heippa moro
        tehdä saada haluta käydä mennä laittaa ottaa antaa pitää voida koskea johtua toivottavasti
        asiakas""".split()),
    "en": frozenset("""january february march april may june july august september october november december
        monday tuesday wednesday thursday friday saturday sunday hello hi hey okay ok cheer cheers dear regards
        regard yes yeah yep thx hope thing try want come let customer""".split()),
}


@functools.cache
def _other_stop_words() -> frozenset[str]:
    from spacy.lang.et.stop_words import STOP_WORDS as ESTONIAN
    from spacy.lang.sv.stop_words import STOP_WORDS as SWEDISH

    return frozenset(SWEDISH | ESTONIAN)


def load_english() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    for word, lemma in ENGLISH_LEMMA_FIXES.items():
        table[word] = lemma
    return nlp


def load_other() -> Language:
    nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


@dataclass(frozen=True)
class Analysis:
    n_sentences: int
    n_tokens: int
    lemmas: str       # content lemmas, lower-case, space separated
    sentence_spans: tuple[tuple[int, int], ...]  # character spans, surrounding white space excluded
    marked_lemmas: str = ""  # every token's lemma with clause/sentence marks (the cue patterns' input)


def sentence_spans(doc) -> tuple[tuple[int, int], ...]:
    """(start, end) of each non-blank sentence, trimmed of white space."""
    out = []
    for s in doc.sents:
        text = s.text
        lead = len(text) - len(text.lstrip())
        if text.strip():
            out.append((s.start_char + lead, s.start_char + lead + len(text.strip())))
    return tuple(out)


# Spoken Finnish forms Voikko does not know, too irregular for the rewrites below.
SPOKEN_FINNISH = {
    "oo": "olla", "oon": "olla", "oot": "olla", "ootte": "olla", "ois": "olla", "olis": "olla",
    "mee": "mennä", "meen": "mennä", "tuu": "tulla", "tuun": "tulla", "tiiä": "tietää",
    "mä": "minä", "mää": "minä", "mun": "minä", "mulle": "minä", "mulla": "minä", "multa": "minä", "mua": "minä",
    "sä": "sinä", "sun": "sinä", "sulle": "sinä", "sulla": "sinä", "sua": "sinä",
    "tää": "tämä", "tän": "tämä", "nää": "nämä", "ton": "tuo", "tosta": "tuo",
    "ku": "kun", "mut": "mutta", "sit": "sitten", "kyl": "kyllä", "ni": "niin", "takas": "takaisin",
    "uus": "uusi", "yks": "yksi", "ite": "itse", "eka": "ensimmäinen", "ekaa": "ensimmäinen",
    "ekalla": "ensimmäinen", "kato": "katsoa", "kattoo": "katsoa", "katon": "katsoa", "katotaan": "katsoa",
    "katottu": "katsoa",
}
# Agent-note shorthand, with or without its period, so notes and customers' own words share keywords
# ("2 vk", "tekn. tuki"). Not "as." (asiakas): a customer is in every text, so as a keyword it only marks
# which topics hold call notes (tried: it became the first keyword of a note-heavy topic).
FINNISH_SHORTHAND = {"vk": "viikko", "vko": "viikko", "pv": "päivä", "tekn": "tekninen"}
# Regular sound changes of spoken Finnish, undone to find a word Voikko knows: "nopeesti" → "nopeasti",
# "ilmotin" → "ilmoitin", "kahesti" → "kahdesti", "ootin" → "odotin", "viikkoo" → "viikkoa".
_SPOKEN_INNER = ((re.compile("ee"), ("ea", "eä")), (re.compile("ot"), ("oit",)), (re.compile("he"), ("hde",)),
                 (re.compile("^oot"), ("odot",)), (re.compile("oo$"), ("oa",)), (re.compile("es"), ("eis",)))
# …and a dropped ending: "soittanu" → "soittanut", "lupas" → "lupasi", "kaks" → "kaksi".
_SPOKEN_ENDINGS = ("t", "i")


def lemma_of_analyses(word: str, analyses: Sequence[dict]) -> str | None:
    """The lemma the Finnish pipeline would give a standard word, from Voikko's analyses of it alone:
    a participle is its verb ("soittanut" → "soittaa"), a verb form its verb ("lupasi" → "luvata",
    not the noun "lupa"), an adverb keeps its form ("oikeasti", "siksi"), anything else Voikko's base form."""
    if not analyses:
        return None
    for a in analyses:
        if a.get("PARTICIPLE") and (m := re.search(r"\((\w+)\)", a.get("WORDBASES", ""))):
            return m.group(1).lower()
    for a in analyses:
        if a.get("CLASS") == "teonsana":
            return a["BASEFORM"].lower()
    for a in analyses:
        if a.get("SIJAMUOTO") == "kerrontosti" or a.get("CLASS") == "seikkasana":
            return word.lower()
    return analyses[0].get("BASEFORM", word).lower()


def spoken_finnish_lemma(word: str, analyse) -> str | None:
    """Standard lemma of a spoken Finnish form Voikko does not know ("soittanu" → "soittaa",
    "nopeesti" → "nopeasti", "mun" → "minä"), or None. `analyse(word)` gives Voikko's analyses (empty
    when it does not know the word). Short words only come from the table: "min" is minutes, not "mini".
    Sound changes are tried before dropped endings: "lähen" is "lähden", not "läheni"."""
    word = word.lower()
    if word in SPOKEN_FINNISH:
        return SPOKEN_FINNISH[word]
    if len(word) < 4 or analyse(word):
        return None
    inner = [word[:m.start()] + r + word[m.end():]
             for pattern, replacements in _SPOKEN_INNER for m in pattern.finditer(word) for r in replacements]
    candidates = inner + [v + ending for v in [word] + inner for ending in _SPOKEN_ENDINGS]
    for candidate in candidates:
        lemma = lemma_of_analyses(candidate, analyse(candidate))
        if lemma:
            return lemma
    return None


def _lemma(tok, lookup: dict | None, spoken=None, analyse=None) -> str:
    """Lower-case lemma. English lookup tables are keyed by lower-case forms, so a capitalised
    word ("Writing", "Called") is looked up lower-cased rather than kept as it is."""
    if lookup is not None and tok.text != tok.text.lower():
        low = tok.text.lower()
        return str(lookup.get(low, low)).lower()
    lemma = (tok.lemma_ or tok.text).lower()
    # Spoken Finnish "et" is often "että" ("kiva et soititte"): the tagger marks it SCONJ but Voikko
    # still lemmatises it to the negation verb "ei", which would negate the cue rules' next match.
    if lemma == "ei" and tok.pos_ == "SCONJ":
        return "että"
    # The Finnish lemmatiser drops the first part of a compound verb's -minen noun ("irtisanomisen" →
    # "sanominen", "ylläpitämiseksi" → "pitäminen"), which turns a notice of termination into "saying".
    if lemma.endswith("minen"):
        word = tok.text.lower()
        cut = word.find(lemma[:4])
        if cut > 0 and word[:3] != lemma[:3]:
            return word[:cut] + lemma
    # For "irtisanomista" the lemmatiser picks the agent noun "irtisanoma" ("out of those terminated");
    # a customer means the termination, the verb's -minen noun, which Voikko also reads it as.
    if analyse is not None and lemma[-2:] in ("ma", "mä") and tok.text.lower().startswith(lemma[:-1] + "is") \
            and any(a.get("CLASS") == "teonsana" for a in analyse(tok.text.lower())):
        return lemma[:-1] + "inen"
    if spoken is not None and lemma == tok.text.lower():
        return spoken(lemma) or lemma
    return lemma


def _finnish_shorthand(tok) -> str | None:
    """The word an agent-note abbreviation stands for ("tekn." → "tekninen"), or None."""
    return FINNISH_SHORTHAND.get(tok.text.lower().rstrip("."))


# Letter groups joined by hyphens: Finnish writes many compounds so ("e-lasku", "tv-paketti", "mesh-laite"), and
# spaCy keeps them one token, which is not `is_alpha`; without this, the e-invoice topic never said "e-lasku".
_HYPHENATED_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


def content_lemmas(doc, stop_words: set[str], lookup: dict | None = None, spoken=None, analyse=None) -> list[str]:
    out = []
    for tok in doc:
        short = _finnish_shorthand(tok) if spoken is not None else None
        word = tok.is_alpha or _HYPHENATED_WORD.fullmatch(tok.text) is not None
        if short is None and (not word or tok.text in PLACEHOLDER_TOKENS or tok.is_stop):
            continue
        lemma = short or _lemma(tok, lookup, spoken, analyse)
        # Colloquial forms ("mun") lemmatise to stop words ("minä"): check the lemma as well.
        if len(lemma) < 2 or lemma in stop_words:
            continue
        out.append(lemma)
    return out


def marked_lemmas(doc, lookup: dict | None = None) -> str:
    """All tokens' lemmas (stop words, negation and numbers kept: "ei", "not", "3."), space separated,
    with "," for clause punctuation and "|" after each sentence, so that a negation in one clause
    ("en aio vaihtaa, olen tyytyväinen") cannot veto a match in the next."""
    toks: list[str] = []
    for sent in doc.sents:
        for t in sent:
            if t.is_space:
                continue
            if t.is_punct:
                if t.text in _CLAUSE_PUNCT:
                    toks.append(CLAUSE)
                elif t.text in ".!?;…":
                    toks.append(SENTENCE)
                continue
            lemma = _lemma(t, lookup).strip()
            if lemma:
                toks.append(lemma.replace(" ", "_"))
        toks.append(SENTENCE)
    return " ".join(toks)


def _lookup_table(nlp: Language) -> dict | None:
    """The English lookup lemmatiser's table (None for pipelines without one, e.g. Voikko's)."""
    if "lemmatizer" not in nlp.pipe_names or getattr(nlp.get_pipe("lemmatizer"), "mode", "") != "lookup":
        return None
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})
    return table or None


_WORD = re.compile(r"[^\W\d_]+")
_PLAIN_VOWEL = {"a": "ä", "o": "ö", "A": "Ä", "O": "Ö"}
_MAX_PLAIN_VOWELS = 6  # 2^6 spellings to try; longer words without any ä/ö are rare and costly


def restore_umlauts(text: str, known) -> str:
    """Finnish typed without ä/ö ("paivitan sita, en paase tililta") with the umlauts put back where the
    word is unknown as typed and exactly one way of restoring them gives a known word ("päivitän sitä,
    en pääse tililtä"); `known(word)` says whether the analyser knows a word. Only a text with no ä or ö
    at all is touched: a writer who types them anywhere means "Telia" when they write it, not "teliä".
    Every replacement is one character for one, so character offsets (sentence spans) stay those of
    the original text."""
    if any(ch in "äöÄÖ" for ch in text):
        return text

    def fix(m: re.Match) -> str:
        word = m.group(0)
        slots = [i for i, ch in enumerate(word) if ch in _PLAIN_VOWEL]
        if not slots or len(slots) > _MAX_PLAIN_VOWELS or "å" in word.lower() or known(word):
            return word
        found = []
        for mask in range(1, 2 ** len(slots)):
            chars = list(word)
            for bit, i in enumerate(slots):
                if mask >> bit & 1:
                    chars[i] = _PLAIN_VOWEL[chars[i]]
            candidate = "".join(chars)
            if known(candidate):
                found.append(candidate)
        return found[0] if len(found) == 1 else word
    return _WORD.sub(fix, text)


class Preprocessor:
    """Runs the right spaCy pipeline for each document's language."""

    def __init__(self, *, finnish_model: str = "spacy_fi_experimental_web_md", batch_size: int = 256,
                 extra_stop_words: dict[str, Sequence[str]] | None = None):
        self.finnish_model = finnish_model
        self.batch_size = batch_size
        self.extra_stop_words = {lang: {w.lower() for w in words} for lang, words in (extra_stop_words or {}).items()}
        self._pipelines: dict[str, Language] = {}

    @classmethod
    def from_config(cls, cfg) -> "Preprocessor":
        return cls(finnish_model=cfg.finnish_model, batch_size=cfg.batch_size, extra_stop_words=cfg.extra_stop_words)

    def pipeline(self, lang: str) -> Language:
        if lang not in self._pipelines:
            loaders = {"fi": lambda: load_finnish(self.finnish_model), "en": load_english}
            self._pipelines[lang] = loaders.get(lang, load_other)()
        return self._pipelines[lang]

    def analyse(self, texts: Sequence[str], langs: Sequence[str]) -> list[Analysis]:
        """One Analysis per text, in input order."""
        out: list[Analysis | None] = [None] * len(texts)
        for lang in sorted(set(langs)):
            idx = [i for i, l in enumerate(langs) if l == lang]
            kind = lang if lang in ("fi", "en") else "other"
            nlp = self.pipeline(kind)
            stops = (set(nlp.Defaults.stop_words) | self.extra_stop_words.get(lang, set())
                     | (KEYWORD_STOP_WORDS[kind] if kind != "other" else _other_stop_words()))
            lookup = _lookup_table(nlp)
            voikko = getattr(nlp.get_pipe("lemmatizer"), "voikko", None) if "lemmatizer" in nlp.pipe_names else None
            inputs, spoken, analyse = (texts[i] for i in idx), None, None
            if voikko is not None:
                # One cache for both: the same words recur across texts, and each spoken form tries several spellings.
                analyse = functools.lru_cache(maxsize=100_000)(voikko.analyze)
                inputs = (restore_umlauts(texts[i], lambda w: bool(analyse(w))) for i in idx)
                spoken = functools.lru_cache(maxsize=100_000)(lambda w: spoken_finnish_lemma(w, analyse))
            for i, doc in zip(idx, nlp.pipe(inputs, batch_size=self.batch_size)):
                spans = sentence_spans(doc)
                out[i] = Analysis(
                    n_sentences=len(spans),
                    n_tokens=sum(1 for t in doc if not t.is_punct and not t.is_space),
                    lemmas=" ".join(content_lemmas(doc, stops, lookup, spoken, analyse)),
                    sentence_spans=spans,
                    # The cue patterns match spoken forms as Voikko leaves them ("oon soittanu"); standard
                    # lemmas there changed 29 of 6,062 labelled rule decisions, 12 for the worse (2026-11-23).
                    marked_lemmas=marked_lemmas(doc, lookup),
                )
        return out  # type: ignore[return-value]


def preprocess(docs: pd.DataFrame, pre: Preprocessor) -> pd.DataFrame:
    """Adds n_sentences, n_tokens, lemmas, sentence_spans (for sentence-level feelings) and marked_lemmas
    (for cues) to a documents table."""
    res = pre.analyse(docs["text"].tolist(), docs["lang"].tolist())
    return docs.assign(
        n_sentences=[r.n_sentences for r in res],
        n_tokens=[r.n_tokens for r in res],
        lemmas=[r.lemmas for r in res],
        sentence_spans=[r.sentence_spans for r in res],
        marked_lemmas=[r.marked_lemmas for r in res],
    )
