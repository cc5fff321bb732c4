from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from signals.config import REPO_ROOT, load_config
from signals.cues import (CueConfigError, CueDetector, cue_lemmas, evaluate_cues, format_cue_report,
                          load_cues_config, load_testset, parse_labels)
from signals.nlp import Preprocessor

TESTSET = REPO_ROOT / "data" / "cues" / "cue_testset.csv"


@pytest.fixture(scope="module")
def pre() -> Preprocessor:
    return Preprocessor()


@pytest.fixture(scope="module")
def det() -> CueDetector:
    return CueDetector.from_yaml()


def fired(det, pre, text: str, lang: str) -> set[str]:
    lem = cue_lemmas([text], [lang], pre)
    out = det.detect([text], [lang], lem)
    return {n for n in det.cue_names if out.at[0, f"cue_{n}"]}


POSITIVES = [
    # inflected / colloquial Finnish
    ("Soitin jo kolmannen kerran samasta asiasta.", "fi", "repeat_contact"),
    ("Oon taas yhteydessä samasta asiasta", "fi", "repeat_contact"),
    ("soitan nyt 4. kertaa", "fi", "repeat_contact"),
    ("Minulle luvattiin soittaa takaisin.", "fi", "broken_promise"),
    ("Hyvitys luvattiin mutta mitään ei ole tullut.", "fi", "broken_promise"),
    ("Viemme asian kuluttajariitalautakuntaan.", "fi", "escalation"),
    ("Olin yhteydessä kuluttajaneuvontaan.", "fi", "escalation"),
    ("Teen tästä valituksen.", "fi", "escalation"),
    ("Vaihdan operaattoria.", "fi", "churn_threat"),
    ("Irtisanon sopimuksen heti.", "fi", "churn_threat"),
    ("Edelleenkään ei toimi.", "fi", "unresolved"),
    ("Ongelma jatkuu yhä.", "fi", "unresolved"),
    ("Jonotin 40 minuuttia.", "fi", "waiting_time"),
    ("Jonossa meni tunti.", "fi", "waiting_time"),
    ("Kiitos avusta!", "fi", "praise"),
    ("Loistavaa palvelua.", "fi", "praise"),
    ("Chatissa käskettiin soittaa.", "fi", "channel_switch"),
    ("Lähetin sähköpostia ja sitten jouduin soittamaan.", "fi", "channel_switch"),
    # counted contacts without "kerta" / "time", and a case open since a month
    ("Tää on nyt mun viides viesti tästä.", "fi", "repeat_contact"),
    ("Monen yhteydenoton jälkeen asia on yhä auki.", "fi", "repeat_contact"),
    ("Ilmoitin viasta eilenkin.", "fi", "repeat_contact"),
    ("Korjausta on odotettu syyskuusta asti.", "fi", "waiting_time"),
    ("Vahinkoasiaan ei saa kuukauteen mitään vastausta.", "fi", "waiting_time"),
    ("Uuden kortin piti tulla viikossa, nyt on mennyt kolme viikkoa.", "fi", "waiting_time"),
    # English
    ("This is the third time I call.", "en", "repeat_contact"),
    ("Calling about this for the 3rd time", "en", "repeat_contact"),
    ("They promised to call back and nobody did.", "en", "broken_promise"),
    ("I'm filing a complaint with the consumer authority.", "en", "escalation"),
    ("Let me speak to your supervisor.", "en", "escalation"),
    ("I'm switching provider.", "en", "churn_threat"),
    ("Cancelling my contract today.", "en", "churn_threat"),
    ("Still not fixed.", "en", "unresolved"),
    ("I waited an hour on hold.", "en", "waiting_time"),
    ("Been waiting 40 mins in the queue", "en", "waiting_time"),
    ("Thanks, great service!", "en", "praise"),
    ("The chat told me to call.", "en", "channel_switch"),
    ("Took three calls to get the double charge refunded.", "en", "repeat_contact"),
    ("Called Monday, called Tuesday. Radiators still cold.", "en", "repeat_contact"),
    ("I reported the outage yesterday too.", "en", "repeat_contact"),
    ("Been waiting since January for someone to inspect the damp.", "en", "waiting_time"),
    ("Two hours on the phone and nothing sorted.", "en", "waiting_time"),
    ("Compensation for the cancelled flight: four months now.", "en", "waiting_time"),
    ("Joka kerta kun soitan, vastaa eri ihminen.", "fi", "repeat_contact"),
    ("Kerron vielä kerran: mittari on kylpyhuoneessa.", "fi", "repeat_contact"),
    ("As I told your colleague on Monday, the reading is wrong.", "en", "repeat_contact"),
    ("Resending the signed form.", "en", "repeat_contact"),
    ("Tää on ihan pelleilyä. Mä vaihdan pankkia.", "fi", "churn_threat"),
    ("If you put the fees up once more I'm changing banks.", "en", "churn_threat"),
    ("Varattu asentaja ei tullut lauantaina.", "fi", "broken_promise"),
    ("I was told someone would ring back within 48 hours. Nobody did.", "en", "broken_promise"),
    ("Lähetin reklamaation 2.10. ja nyt on 20.11.", "fi", "waiting_time"),
    ("It took you seven weeks to process a change of address.", "en", "waiting_time"),
    # pattern words written as lemmas (surface forms never matched until 2026-11-23)
    ("Thanks to Sarah for sorting my bill out so quickly!", "en", "praise"),
    ("Amazing service, thank you James", "en", "praise"),
    ("I am preparing a small claims case against your garage.", "en", "escalation"),
    ("Please port my number to the new operator.", "en", "churn_threat"),
    ("I'm done with you. Cancelling the broadband today.", "en", "churn_threat"),
    ("Asiakas kiitteli avusta.", "fi", "praise"),
    ("Vein tän someen ku kukaan ei vastannu.", "fi", "escalation"),
    ("Oon ollu pidossa 40 min.", "fi", "waiting_time"),
    ("Kaupasta sanottiin et mene nettiin, netissä sanotaan et mene kauppaan.", "fi", "channel_switch"),
]

NEGATIVES = [
    ("Soitin kerran ja asia ratkesi.", "fi"),
    ("Sain kolme viestiä teiltä tilauksen etenemisestä.", "fi"),
    ("Olen saanut teiltä kolme viestiä tarjouksista tällä viikolla.", "fi"),
    ("Ei kiitos, en tarvitse.", "fi"),
    ("En aio vaihtaa operaattoria.", "fi"),
    ("Odotan innolla uutta puhelinta.", "fi"),
    ("Esimieheni pyysi tilaamaan liittymät.", "fi"),
    ("Jono oli lyhyt.", "fi"),
    ("Mikä on laskuni eräpäivä?", "fi"),
    ("I called once and it was solved.", "en"),
    ("Rang yesterday, they reset the line and it's fine.", "en"),
    ("Ten minutes on the phone and it was sorted.", "en"),
    ("You sent me three emails about the new tariff.", "en"),
    ("I got two calls from your sales team today.", "en"),
    ("No thanks.", "en"),
    ("I'm not going to switch.", "en"),
    ("They called back quickly.", "en"),
    ("They promised delivery Friday and it came Friday.", "en"),
    ("Waiting for the new phone is exciting!", "en"),
    ("Please fix my invoice, thanks.", "en"),
    ("Press 1 for billing?", "en"),
    ("My manager asked me to order new lines.", "en"),
    ("I called on Monday and on Tuesday they fixed it.", "en"),
    ("I'm not changing banks, I just want the fee explained.", "en"),
    ("Hakemusten käsittelyaika on neljä viikkoa.", "fi"),
    ("Processing took six weeks, which is what your letter said to expect.", "en"),
    ("I'm not impressed with your service.", "en"),
    ("Mikä on irtisanomisaika määräaikaisessa sopimuksessa?", "fi"),
    ("Mulle sanottiin et soita huomenna uudestaan.", "fi"),
]


@pytest.mark.parametrize("text,lang,cue", POSITIVES)
def test_patterns_fire(det, pre, text, lang, cue):
    assert cue in fired(det, pre, text, lang)


@pytest.mark.parametrize("text,lang", NEGATIVES)
def test_hard_negatives_do_not_fire(det, pre, text, lang):
    assert fired(det, pre, text, lang) == set()


def test_negation_does_not_cross_clauses(det, pre):
    # "En aio vaihtaa" must not veto "olen tyytyväinen" in the next clause.
    assert fired(det, pre, "En aio vaihtaa operaattoria, olen tyytyväinen.", "fi") == {"praise"}


# Near misses next to the real cue. Exclude patterns (the kept promise) do not apply when a negation precedes
# them in their clause; veto regexes (kept promise, the customer's own boss or adviser) turn the cue off for the text
# when they match in a sentence with no negation, whatever rule or head fired.
@pytest.mark.parametrize("cue,near_miss,real,lang", [
    ("broken_promise", "Asentaja tuli kuten luvattiin.", "Asentaja ei tullut kuten luvattiin.", "fi"),
    ("broken_promise", "The parcel arrived as promised.", "The parcel didn't arrive as promised.", "en"),
    ("broken_promise", "Pankkikortti tuli postissa niinkuin luvattiin.",
     "Pankkikortti ei tullut postissa niinkuin luvattiin.", "fi"),
    ("broken_promise", "Paketti luvattiin torstaiksi ja torstaina se tuli.",
     "Paketti luvattiin torstaiksi, mutta torstaina se ei tullut.", "fi"),
    ("broken_promise", "The technician promised to come on Friday and he came on Friday morning as agreed.",
     "The technician promised to come on Friday but he never came.", "en"),
    ("broken_promise", "Promised delivery Tuesday, parcel came Tuesday.",
     "Promised delivery Tuesday, parcel never came Tuesday.", "en"),
    ("escalation", "Pomo käski pyytää teiltä kopion sopimuksesta.",
     "Asiakas vaati päästä puhumaan esimiehen kanssa.", "fi"),
    ("escalation", "My manager asked me to get a VAT receipt for the hotel.",
     "I want to speak to your manager about this bill.", "en"),
    ("escalation", "Lakimiehemme tarvitsee kopion kauppakirjasta perunkirjoitusta varten.",
     "Lakimieheni ottaa teihin yhteyttä, viemme asian oikeuteen.", "fi"),
    ("escalation", "Our family lawyer is handling my dad's estate and needs a closing statement.",
     "I have passed this to my lawyer and will take you to court.", "en"),
])
def test_a_near_miss_is_not_the_cue_but_the_real_one_is(det, pre, cue, near_miss, real, lang):
    assert cue not in fired(det, pre, near_miss, lang)
    assert cue in fired(det, pre, real, lang)


def test_a_veto_is_judged_per_sentence(det):
    # A negation elsewhere does not lift a veto (the known limit: a broken promise in another sentence is
    # vetoed too); a negation in the veto's own sentence does.
    texts = ["Paketti tuli kuten luvattiin. Asentaja ei tullut.", "It arrived as promised.",
             "It did not arrive as promised."]
    v = det.vetoes(texts, ["fi", "en", "en"])["broken_promise"].tolist()
    assert v == [True, True, False]


def test_detect_shape_and_columns(det, pre):
    texts, langs = ["Vaihdan operaattoria.", "Hi, a question.", "Hola"], ["fi", "en", "es"]
    out = det.detect(texts, langs, cue_lemmas(texts, langs, pre))
    assert len(out) == 3
    assert [c for c in out.columns if not c.endswith("_score")] == [f"cue_{n}" for n in det.cue_names]
    assert out["cue_churn_threat"].tolist() == [True, False, False]
    assert out[[f"cue_{n}" for n in det.cue_names]].dtypes.eq(bool).all()
    with pytest.raises(ValueError, match="same length"):
        det.detect(texts, langs[:2], ["", ""])


def write_cfg(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "cues.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("yaml_text,message", [
    ("cues:\n  x:\n    fi: {patterns: [[a]], regexes: ['(']}\n", "invalid regex"),
    ("cues:\n  x:\n    fi: {patterns: [[a]], veto_regexes: ['(']}\n", "invalid regex"),
    ("cues:\n  Bad-Name:\n    en: {patterns: [[a]]}\n", "lower_snake_case"),
    ("cues:\n  x:\n    en: {patterns: [[a]], seed: [s]}\n", "Extra inputs"),
    # Seed-phrase similarity was removed: its old keys are refused, not silently ignored.
    ("cues:\n  x:\n    embedding_margin: 0.05\n    en: {patterns: [[a]]}\n", "Extra inputs"),
    ("cues:\n  x:\n    en: {regexes: []}\n", "at least one pattern"),
    ("cues:\n  x:\n    en: {patterns: [['...', a]]}\n", "only goes between"),
    ("cues:\n  x:\n    en: {patterns: [[]]}\n", "non-empty"),
    ("cues: {}\n", "no cues"),
    ("anchors: []\ncues:\n  x:\n    en: {patterns: [[a]]}\n", "Extra inputs"),
])
def test_config_errors_are_clear(tmp_path, yaml_text, message):
    with pytest.raises(CueConfigError, match=message) as exc:
        load_cues_config(write_cfg(tmp_path, yaml_text))
    assert "cues.yaml" in str(exc.value)


def test_yaml_words_are_not_booleans(tmp_path):
    cfg = load_cues_config(write_cfg(tmp_path, "cues:\n  x:\n    en: {patterns: [[no, thanks], [on, hold], [3, time]]}\n"))
    assert cfg.cues["x"].en.patterns == [["no", "thanks"], ["on", "hold"], ["3", "time"]]


# Pattern words whose lemma alone differs from the one they get in a sentence (Finnish noun/verb
# readings; "better" → "well", "seconds" → "second"); each was seen in the lemmas of our labelled texts.
CONTEXT_LEMMAS = {("en", "second"), ("en", "well"), ("fi", "neuvoa"), ("fi", "loppua"), ("fi", "sinä"), ("fi", "pätkiä"),
                  ("fi", "ratkaistu"), ("fi", "toimia"), ("fi", "jonossa"), ("fi", "vaikuttava"), ("fi", "valitettava")}


def test_pattern_words_are_lemmas_the_pipeline_produces(pre):
    # A pattern matches lemmas, so a surface form in it never fires: [thanks, for, help] (lemma "thank"),
    # [third, time] ("3"), [korjaamatta] ("korjata") sat dead in the config until 2026-11-23.
    cfg = load_cues_config()
    dead = []
    for name, spec in cfg.cues.items():
        for lang in ("fi", "en"):
            rules = getattr(spec, lang)
            words = sorted({w for p in rules.patterns + rules.exclude_patterns for w in p
                            if w not in ("...", ",", "|") and not w.endswith("*") and (lang, w) not in CONTEXT_LEMMAS})
            for word, a in zip(words, pre.analyse(words, [lang] * len(words))):
                lemma = a.marked_lemmas.replace("|", "").strip()
                if lemma != word:
                    dead.append(f"{name}/{lang}: {word!r} is lemmatised to {lemma!r}")
    assert not dead, "pattern words that never match (write the lemma, or a regex for the surface form):\n" + "\n".join(dead)


def test_testset_is_well_formed():
    df = load_testset(TESTSET)
    assert len(df) >= 240 and set(df["lang"]) == {"fi", "en"} and set(df["split"]) == {"dev", "test"}
    assert not df["text"].duplicated().any()
    names = set(load_cues_config().cues)
    for lang in ("fi", "en"):
        labels = [parse_labels(c) for c in df.loc[df["lang"] == lang, "cues"]]
        assert set().union(*labels) <= names
        for name in names:
            assert sum(name in s for s in labels) >= 12, (lang, name)
        assert sum(not s for s in labels) >= 20, lang  # hard negatives


def test_load_testset_without_split_column(tmp_path):
    p = tmp_path / "t.csv"
    pd.DataFrame({"text": ["a"], "lang": ["en"], "cues": [""]}).to_csv(p, index=False)
    assert len(load_testset(p, split="test")) == 1


def test_load_testset_leaves_out_unknown_cues_and_matches_the_split_ignoring_case(tmp_path, capsys):
    p = tmp_path / "t.csv"
    pd.DataFrame({"text": ["a", "b", "c", "d"], "lang": ["en"] * 4, "split": ["TEST", " test", "test", "dev"],
                  "cues": ["praise, unresolved", "angry_customer", "", "praise"]}).to_csv(p, index=False)
    df = load_testset(p, split="test", cue_names=["praise", "unresolved"])
    assert df["text"].tolist() == ["a", "c"] and df.attrs["rejected"] == 1
    assert parse_labels(df["cues"][0]) == {"praise", "unresolved"}
    assert f"{p}: line 3: unknown cue(s) ['angry_customer']" in capsys.readouterr().err
    with pytest.raises(ValueError, match="no row has split 'holdout'"):
        load_testset(p, split="holdout")


def test_evaluate_rejects_unknown_labels(det, pre):
    with pytest.raises(ValueError, match="unknown cues"):
        evaluate_cues(["x"], ["en"], ["praize"], det, pre)


@pytest.fixture(scope="module")
def embedder():
    from signals.embed import make_embedder

    return make_embedder(load_config().embedding)


def test_rules_alone_give_no_scores_and_vectors_must_align(model_dir, embedder, det, pre):
    texts = ["Jonotin puhelimessa tunnin.", "Osoitteeni muuttui."]
    out = det.detect(texts, ["fi", "fi"], cue_lemmas(texts, ["fi", "fi"], pre), embedder.encode(texts))
    assert list(out["cue_waiting_time"]) == [True, False]
    assert out.filter(like="_score").isna().all().all()  # scores are the head's probabilities
    with pytest.raises(ValueError, match="vectors"):
        det.detect(texts, ["fi", "fi"], ["", ""], np.zeros((1, 384), dtype=np.float32))


# Since the sharpened definition (2026-11-23) `unresolved` is mostly implied (a missed call-back, a
# repeat contact about a named fault, a bot that could not help): the rules catch the explicit wording
# ("ei vieläkään", "still not fixed"), the head the rest (rules + head on the blind sets: test_cue_head.py).
RULE_RECALL_FLOOR = {"unresolved": 0.25}


def test_testset_precision_recall(pre):
    df = load_testset(TESTSET, split="test")
    det = CueDetector.from_yaml()
    rep = evaluate_cues(df["text"].tolist(), df["lang"].tolist(), df["cues"].tolist(), det, pre)
    print(format_cue_report(rep))
    for name, m in rep["by_cue"].items():
        assert m["precision"] >= 0.8 and m["recall"] >= RULE_RECALL_FLOOR.get(name, 0.8), (name, m)


def test_cue_labels_from_other_files_read_case_and_none():
    assert parse_labels("Praise; unresolved") == {"praise", "unresolved"}
    assert parse_labels("none") == set()
    assert parse_labels("-") == set()
    assert parse_labels(float("nan")) == set()
