"""VADER view: English lexicon scores mapped to three classes, stored as plain arrays, mixed in for English only."""

import numpy as np
import pytest

from signals.vader import FEATURES, VaderView, features, from_artefact, mix_english, to_artefact

NEG = ["This is terrible, I hate it", "worst service ever :(", "so angry and disappointed", "awful, just awful"]
NEU = ["The meeting is on Monday", "I ordered a parcel", "my address is on the form", "the bill has two pages"]
POS = ["I love it, thank you!", "great job, really happy :)", "wonderful and helpful staff", "best day ever"]


def fitted() -> VaderView:
    texts = (NEG + NEU + POS) * 3
    return VaderView(seed=0).fit(texts, np.repeat([0, 1, 2], 4).tolist() * 3)


def test_features_read_emoticons_negation_and_intensity():
    f = features(["good", "not good", "good :)", "VERY GOOD!!!", "kiitos paljon"])
    c = f[:, FEATURES.index("compound")]
    assert c[1] < 0 < c[0] < c[2] and c[0] < c[3]
    assert c[4] == 0 and f[4, FEATURES.index("compound_zero")] == 1  # Finnish: no English words, no score


def test_view_separates_classes_and_round_trips(tmp_path):
    view = fitted()
    p = view.predict_proba(["I hate this so much", "The parcel is at the post office", "Thanks, love it"])
    assert list(p.argmax(axis=1)) == [0, 1, 2]
    arrays, entry = to_artefact(view, 0.3)
    np.savez_compressed(tmp_path / "w.npz", **arrays)
    with np.load(tmp_path / "w.npz", allow_pickle=False) as z:
        again, weight = from_artefact({k: z[k] for k in z.files}, {"vader": entry})
    assert weight == 0.3 and np.allclose(again.predict_proba(NEG), view.predict_proba(NEG), atol=1e-6)
    assert from_artefact(arrays, {}) == (None, 0.0)
    assert to_artefact(view, 0.0) == ({}, None)
    with pytest.raises(ValueError, match="other features"):
        VaderView.from_arrays({"W": arrays["vader.W"], "b": arrays["vader.b"]}, {**entry["settings"], "features": ["x"]})


def test_mix_touches_english_rows_only_and_detects_languages():
    view = fitted()
    texts = ["I hate this, worst app ever", "Vihaan tätä, huonoin sovellus ikinä"]
    base = np.full((2, 3), 1 / 3)
    given = mix_english(base, view, 0.5, texts, ["en", "fi"])
    assert np.allclose(given[1], base[1])
    assert given[0, 0] > base[0, 0]
    assert np.allclose(mix_english(base, view, 0.5, texts, None), given)  # langid stage decides when not given
    assert np.allclose(mix_english(base, view, 0.5, texts, ["fi", "other"]), base)
    assert mix_english(base, None, 0.5, None, None) is base
    with pytest.raises(ValueError, match="pass texts"):
        mix_english(base, view, 0.5, None, ["en", "fi"])
    with pytest.raises(ValueError, match="one language per text"):
        mix_english(base, view, 0.5, texts, ["en"])
