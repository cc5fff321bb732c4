"""spaCy preprocessing: Finnish lemmas via Voikko, English lookup lemmas, stop words removed."""
import pandas as pd
import pytest

from signals.nlp import Preprocessor, preprocess


@pytest.fixture(scope="module")
def pre():
    return Preprocessor()


def test_finnish_lemmas_and_stop_words(pre):
    [a] = pre.analyse(["Laskussanne oli virhe. Mun sovellus kaatuu päivityksen jälkeen!"], ["fi"])
    lemmas = a.lemmas.split()
    assert {"lasku", "virhe", "sovellus", "kaatua", "päivitys"} <= set(lemmas)
    assert not {"olla", "minä", "mun", "jälkeen"} & set(lemmas)
    assert a.n_sentences == 2


@pytest.mark.parametrize("text,lang", [
    ("  Laskussanne oli virhe.   Mun sovellus kaatuu päivityksen jälkeen!  ", "fi"),
    ("The app crashed. Why?! I called twice…\nStill nothing", "en"),
])
def test_sentence_spans_cover_the_sentences_without_white_space(pre, text, lang):
    [a] = pre.analyse([text], [lang])
    parts = [text[s:e] for s, e in a.sentence_spans]
    assert len(parts) == a.n_sentences >= 2
    assert all(p == p.strip() and p for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(a.sentence_spans, a.sentence_spans[1:]))


def test_english_lemmas(pre):
    [a] = pre.analyse(["The apps keep crashing and I was charged twice on my invoices."], ["en"])
    assert {"app", "crash", "charge", "invoice"} <= set(a.lemmas.split())
    assert "the" not in a.lemmas.split()


def test_placeholders_are_not_keywords(pre):
    [a] = pre.analyse(["Soita minulle <PHONE> tai lähetä <EMAIL>"], ["fi"])
    assert "phone" not in a.lemmas and "email" not in a.lemmas.lower()


def test_preprocess_keeps_order_across_languages(pre):
    docs = pd.DataFrame({"text": ["Netti ei toimi", "Internet is down", "Hej, internet fungerar inte"],
                         "lang": ["fi", "en", "other"]})
    out = preprocess(docs, pre)
    assert out["lemmas"].tolist()[0].startswith("netti") and "internet" in out["lemmas"].tolist()[1]
    assert (out["n_tokens"] > 0).all()
