"""spaCy preprocessing: Finnish lemmas via Voikko, English lookup lemmas, stop words removed."""
import pandas as pd
import pytest

from signals.nlp import Preprocessor, preprocess, restore_umlauts, spoken_finnish_lemma


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


def test_capitalised_english_words_are_lemmatised_like_lower_case_ones(pre):
    [a, b] = pre.analyse(["Invoices were Charged twice. Crashing apps!", "invoices were charged twice. crashing apps!"],
                         ["en", "en"])
    assert a.lemmas == b.lemmas and {"invoice", "charge", "crash", "app"} <= set(a.lemmas.split())
    assert a.marked_lemmas == b.marked_lemmas


@pytest.mark.parametrize("text,lang,expected", [
    # stop words, negation and numbers stay; clause punctuation → ",", sentence ends → "|"
    ("En aio vaihtaa, olen tyytyväinen. Soitin 3. kerran!", "fi",
     "ei aikoa vaihtaa , olla tyytyväinen | | soittaa 3. kerran | |"),
    ("I am NOT switching, the Service was great. Called 3 times!", "en",
     "i be not switch , the service be great | | call 3 time | |"),
    # spoken "et" = "että" is not a negation; "et" before a connegative verb is
    ("Kiva et soititte takaisin. Miksi et vastaa?", "fi",
     "kiva että soittaa takaisin | | miksi ei vastata | |"),
])
def test_marked_lemmas_keep_every_token_with_clause_and_sentence_marks(pre, text, lang, expected):
    [a] = pre.analyse([text], [lang])
    assert a.marked_lemmas == expected


def test_preprocess_adds_marked_lemmas_from_the_same_pass(pre):
    docs = pd.DataFrame({"text": ["Soitin jo kolmannen kerran.", "Third time I call."], "lang": ["fi", "en"]})
    out = preprocess(docs, pre)
    assert out["marked_lemmas"].tolist() == [a.marked_lemmas for a in pre.analyse(docs["text"].tolist(),
                                                                                    docs["lang"].tolist())]
    assert "kolmas" in out.at[0, "marked_lemmas"] and "call" in out.at[1, "marked_lemmas"]


def test_english_service_words_keep_their_everyday_lemma(pre):
    # The lookup table would name a topic "mobile datum" or "social medium".
    a = pre.analyse(["My mobile Data is gone and I posted it on social media; my savings account too."], ["en"])[0]
    assert {"data", "media", "savings", "post"} <= set(a.lemmas.split())
    assert "number" in pre.analyse(["Please port my phone number"], ["en"])[0].lemmas.split()
    note = pre.analyse(["Cust rang again, 2 wks waiting"], ["en"])[0]
    assert "week" in note.lemmas.split() and "customer" in note.marked_lemmas.split()  # cue rules read "customer"
    assert not {"datum", "medium", "saving"} & set(a.lemmas.split())
    assert "social media" in a.marked_lemmas


def test_restore_umlauts_puts_back_the_one_spelling_the_analyser_knows():
    known = {"päivitän", "sitä", "pääse", "sovellus", "Telia", "teliä"}.__contains__
    assert restore_umlauts("En paase, paivitan sita! Sovellus", known) == "En pääse, päivitän sitä! Sovellus"
    # Texts that use ä/ö anywhere are left alone: there a plain a is meant ("Telia", not "teliä").
    assert restore_umlauts("Päivitin, telia paivitan", known) == "Päivitin, telia paivitan"
    # Two known spellings: no guess.
    assert restore_umlauts("tapaa", {"täpaa", "tapää"}.__contains__) == "tapaa"
    # One character for one, so sentence spans found on the restored text fit the original.
    text = "Rahat veloitettiin tililta. En paase sisaan"
    assert len(restore_umlauts(text, {"tililtä", "pääse", "sisään"}.__contains__)) == len(text)


def test_finnish_typed_without_umlauts_gets_the_same_lemmas(pre):
    plain, proper = pre.analyse(["Paivitin sovelluksen, nyt en paase tililta mihinkaan. Tama on kasittamatonta",
                                 "Päivitin sovelluksen, nyt en pääse tililtä mihinkään. Tämä on käsittämätöntä"],
                                ["fi", "fi"])
    assert plain.lemmas == proper.lemmas
    assert {"päivittää", "päästä", "tili"} <= set(plain.lemmas.split())
    assert plain.sentence_spans == proper.sentence_spans


def test_finnish_agent_note_shorthand_gets_the_words_customers_write(pre):
    note, plain = pre.analyse(["tekn. tuki ei vastannut 2 vk aikana, lasku 3 pv myöhässä",
                               "Tekninen tuki ei vastannut 2 viikon aikana, lasku 3 päivää myöhässä"], ["fi"] * 2)
    assert note.lemmas == plain.lemmas
    assert "tekn" in note.marked_lemmas  # the cue rules read the text as written


def test_compound_verb_nouns_keep_their_first_part(pre):
    (r,) = pre.analyse(["Irtisanomisen jälkeen ylläpitäminen ja vastaanottaminen loppuu, odottaminen ei."], ["fi"])
    assert r.lemmas.split()[:3] == ["irtisanominen", "ylläpitäminen", "vastaanottaminen"]
    assert "odottaminen" in r.lemmas.split() and "sanominen" not in r.marked_lemmas.split()


def test_minen_partitive_is_the_verb_noun_not_the_agent_noun(pre):
    (r,) = pre.analyse(["Harkitsen liittymän irtisanomista ongelmista huolimatta."], ["fi"])
    lemmas = r.lemmas.split()
    assert "irtisanominen" in lemmas and "irtisanoma" not in lemmas
    assert "ongelma" in lemmas  # a plain -ma noun stays itself


@pytest.mark.parametrize("word, expected", [
    ("soittanu", "soittaa"), ("menny", "mennä"), ("oikeesti", "oikeasti"), ("kahesti", "kahdesti"),
    ("ilmotin", "ilmoittaa"), ("lupas", "luvata"), ("lähen", "lähteä"), ("mun", "minä"), ("kattoo", "katsoa"),
    ("kiitos", None),  # known as typed: not spoken Finnish
    ("min", None),     # too short to guess at: minutes, not "mini"
    ("mesh", None),    # nothing Voikko knows
])
def test_spoken_finnish_forms_get_the_standard_lemma(pre, word, expected):
    voikko = pre.pipeline("fi").get_pipe("lemmatizer").voikko
    assert spoken_finnish_lemma(word, voikko.analyze) == expected


def test_spoken_finnish_keywords_match_standard_ones_but_cue_input_keeps_the_spoken_forms(pre):
    spoken, standard = pre.analyse(["Oon soittanu kahesti, ilmotin viasta", "Olen soittanut kahdesti, ilmoitin viasta"],
                                   ["fi", "fi"])
    assert spoken.lemmas == standard.lemmas
    assert "soittanu" in spoken.marked_lemmas


def test_extra_stop_words_are_never_keywords_in_their_language():
    pre = Preprocessor(extra_stop_words={"en": ["Valo"]})
    en, fi = pre.analyse(["Dear Valo, Valo's app crashes.", "Valo vilkkuu punaisena."], ["en", "fi"])
    assert "valo" not in en.lemmas.split() and "app" in en.lemmas.split()
    assert "valo" in en.marked_lemmas  # cue rules still see every word
    assert "valo" in fi.lemmas.split()  # Finnish "valo" is a light


def test_keywords_leave_out_months_greetings_light_verbs_and_other_languages_stop_words(pre):
    fi, en, sv = pre.analyse(["Hei! Haluan tehdä valituksen: lokakuun lasku tuli maanantaina väärin.",
                              "Hello, I want the October invoice fixed, it came on Monday twice.",
                              "Hej, jag vill att ni fixar min faktura för abonnemanget."], ["fi", "en", "other"])
    assert {"valitus", "lasku", "väärin"} <= set(fi.lemmas.split())
    assert not {"hei", "haluta", "tehdä", "lokakuu", "maanantai"} & set(fi.lemmas.split())
    assert {"invoice", "fix"} <= set(en.lemmas.split()) and not {"hello", "want", "october", "monday"} & set(
        en.lemmas.split())
    assert "faktura" in sv.lemmas.split() and not {"jag", "att", "ni", "för", "min"} & set(sv.lemmas.split())
    assert "lokakuu" in fi.marked_lemmas.split()   # the cue rules still read every word
    fi2, en2 = pre.analyse(["Kuukausimaksu nousi yllättäen, mistä tää johtuu? Voitteko korjata.",
                            "Yep, thx, hope you can try to fix the monthly fee."], ["fi", "en"])
    assert "kuukausimaksu" in fi2.lemmas.split() and not {"johtua", "voida"} & set(fi2.lemmas.split())
    assert {"fee", "fix"} <= set(en2.lemmas.split()) and not {"yep", "thx", "hope", "try"} & set(en2.lemmas.split())


def test_hyphenated_finnish_compounds_are_keywords(pre):
    [fi] = pre.analyse(["E-laskun tilaus ei onnistu, tv-paketin hinta nousi ja mesh-laite puuttuu."], ["fi"])
    assert {"e-lasku", "tv-paketti", "mesh-laite", "tilaus", "hinta"} <= set(fi.lemmas.split())
    assert "-" not in fi.lemmas.split()  # a lone hyphen is no word
