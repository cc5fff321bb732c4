"""Topic stage pieces on synthetic vectors (no model needed)."""
import numpy as np
import pandas as pd
from sklearn.datasets import make_blobs

from signals.topics import (OUTLIER, LanguageCentering, TopicModel, build_topics_table, center_by_language,
                            ctfidf_keywords, min_cluster_size, mutual_neighbours, normalise, score_topics, tie_across_languages,
                            topic_label, topic_trends)


def test_center_by_language_removes_language_offset():
    rng = np.random.default_rng(0)
    meaning = rng.normal(size=(100, 16))
    fi_offset, en_offset = rng.normal(size=16) * 5, rng.normal(size=16) * 5
    emb = np.vstack([meaning + fi_offset, meaning + en_offset])  # the same 100 texts in two languages
    langs = ["fi"] * 100 + ["en"] * 100
    out = center_by_language(emb, langs)
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    # Translations become identical once each language's mean is removed.
    assert np.allclose(out[:100], out[100:], atol=1e-5)
    raw = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    assert (raw[:100] * raw[100:]).sum(axis=1).mean() < 0.99


def test_fitted_centering_applies_to_new_documents():
    rng = np.random.default_rng(1)
    emb = rng.normal(size=(60, 8)) + np.r_[[5.0] * 8]
    langs = ["fi"] * 30 + ["en"] * 30
    c = LanguageCentering().fit(emb, langs)
    assert np.allclose(c.transform(emb[:2], ["fi", "fi"]), center_by_language(emb, langs)[:2], atol=1e-5)
    assert np.isfinite(c.transform(emb[:1], ["sv"])).all()  # unseen language: overall mean


def test_regions_remove_a_language_offset_that_differs_by_subject_and_leave_a_one_language_subject():
    rng = np.random.default_rng(3)
    n, dim = 80, 32
    a, b, c = (rng.normal(size=dim) * 3 for _ in range(3))
    off_a, off_b = rng.normal(size=dim) * 0.7, rng.normal(size=dim) * 0.7  # Finnish vs English differs by subject
    noise = lambda: rng.normal(size=(n, dim))  # noqa: E731
    # Subjects A and B in both languages; subject C written in Finnish only.
    emb = np.vstack([a + off_a + noise(), a - off_a + noise(), b + off_b + noise(), b - off_b + noise(), c + noise()])
    langs = (["fi"] * n + ["en"] * n) * 2 + ["fi"] * n

    def cross_similarity(space):  # Finnish A documents to the English A centroid
        return float((space[:n] @ normalise(space[n:2 * n].mean(axis=0, keepdims=True))[0]).mean())

    global_only = LanguageCentering().fit(emb, langs)
    regional = LanguageCentering(regions=2).fit(emb, langs)
    # One mean per language cannot remove two different offsets; regions can.
    assert cross_similarity(regional.transform(emb, langs)) > cross_similarity(global_only.transform(emb, langs)) + 0.1
    assert len(regional.region_centres_) == 2 and set(regional.region_offsets_) == {"fi", "en"}
    # C has no English counterpart to be pulled toward: it stays where centring put it.
    moved = (global_only.transform(emb, langs)[-n:] * regional.transform(emb, langs)[-n:]).sum(axis=1)
    assert moved.min() > 0.95
    # A fixed map: a new document gets what it got at fit time.
    assert np.allclose(regional.transform(emb[:3], langs[:3]), regional.transform(emb, langs)[:3], atol=1e-5)
    assert np.allclose(np.linalg.norm(regional.transform(emb, langs), axis=1), 1, atol=1e-5)
    # One language, or too few documents for two regions: global centring only.
    assert not LanguageCentering(regions=5).fit(emb, ["fi"] * len(emb)).region_offsets_
    assert not LanguageCentering(regions=5).fit(emb[:50], ["fi", "en"] * 25).region_offsets_
    assert not regional.fit(emb, ["fi"] * len(emb)).region_offsets_  # a refit forgets the earlier regions


def test_rare_language_uses_overall_mean():
    emb = np.eye(4, dtype=np.float32)[[0, 0, 1, 2]] + 0.1
    out = center_by_language(np.repeat(emb, 10, axis=0)[:31], ["fi"] * 30 + ["sv"])
    assert np.isfinite(out).all()


def test_ctfidf_prefers_distinctive_words():
    lemmas = ["lasku virhe", "lasku hyvitys", "sovellus kaatua", "sovellus päivitys", "lasku sovellus"]
    kw = ctfidf_keywords(lemmas, [0, 0, 1, 1, OUTLIER], top_n=2)
    assert set(kw) == {0, 1}                       # outliers get no keywords
    assert kw[0][0] == "lasku" and kw[1][0] == "sovellus"
    assert ctfidf_keywords([], [], 3) == {}


def test_ctfidf_puts_words_from_several_documents_before_one_documents_typo():
    lemmas = ["lasku virhe puehlun", "lasku virhe", "lasku hyvitys",
              "sovellus kaatua virhe", "sovellus kaatua virhe", "sovellus virhe"]
    ids = [0, 0, 0, 1, 1, 1]
    # By c-TF-IDF alone the one-document words outrank "virhe" (common in the other topic too) …
    assert ctfidf_keywords(lemmas, ids, top_n=3, min_docs=1)[0] == ["lasku", "hyvitys", "puehlun"]
    # … but "virhe" recurs in this topic and the typo does not; single-document words still fill the list.
    assert ctfidf_keywords(lemmas, ids, top_n=3)[0] == ["lasku", "virhe", "hyvitys"]
    assert ctfidf_keywords(lemmas, ids, top_n=4)[0] == ["lasku", "virhe", "hyvitys", "puehlun"]


def test_topic_label_mixes_languages_without_duplicates():
    assert topic_label(["lasku", "virhe"], ["invoice", "lasku"], ["x"]) == "lasku · virhe · invoice · x"
    assert topic_label([], [], []) == "(no keywords)"
    # One English document in a Finnish topic names none of the label; the Finnish list fills it.
    assert topic_label(["maksumuistutus", "aiheeton", "perintä"], ["letter", "collection"], ["maksumuistutus", "x"],
                       share_fi=0.95, share_en=0.05) == "maksumuistutus · aiheeton · perintä · x"


def test_topic_model_finds_blobs_and_is_deterministic():
    X, y = make_blobs(n_samples=300, centers=4, n_features=10, cluster_std=0.5, random_state=1)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    lemmas = [f"w{c} common" for c in y]
    model = TopicModel(seed=3, min_topic_size=10, n_neighbors=10, n_components=3)
    a = model.fit_assign(lemmas, X)
    b = model.fit_assign(lemmas, X)
    assert np.array_equal(a.topic_ids, b.topic_ids)
    found = a.topic_ids[a.topic_ids != OUTLIER]
    assert len(set(found)) == 4
    assert (a.topic_ids == OUTLIER).mean() <= 0.05  # HDBSCAN noise goes to the nearest topic
    # Fit-time documents are placed by the same nearest-centroid rule as later nights' documents,
    # so a refit does not move documents merely because HDBSCAN drew a border differently.
    assert np.array_equal(a.topic_ids, model.assign(X).topic_ids)


def test_outlier_pool_keeps_only_documents_unlike_every_topic():
    X, y = make_blobs(n_samples=300, centers=3, n_features=10, cluster_std=0.3, random_state=4)
    X = np.hstack([X, np.zeros((300, 1))])
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    model = TopicModel(seed=0, min_topic_size=10, n_neighbors=10, n_components=3, outlier_quantile=0.01)
    a = model.fit_assign([f"w{c}" for c in y], X)
    assert (a.topic_ids == OUTLIER).mean() <= 0.05
    far = np.zeros((6, 11))
    far[:, -1] = 1  # a direction no topic has: orthogonal to every blob
    placed = model.assign(far)
    assert (placed.topic_ids == OUTLIER).all()
    assert (model.assign(X).topic_ids != OUTLIER).mean() >= 0.95


def test_score_topics_metrics():
    s = score_topics(["a", "a", "b", "b"], [0, 0, 1, 1], pair_ids=["p", "p", "q", "q"])
    assert s["nmi"] == 1.0 and s["ari"] == 1.0 and s["outlier_rate"] == 0 and s["pair_same_topic"] == 1.0
    s = score_topics(["a", "a", "b", "b"], [0, 1, OUTLIER, OUTLIER], pair_ids=["p", "p", "q", "q"])
    assert s["outlier_rate"] == 0.5 and s["pair_same_topic"] == 0.0 and s["n_topics"] == 2
    s = score_topics(["a"] * 4, [0, 0, 0, 1], pair_ids=["p", "p", "q", ""])
    assert s["pair_same_topic"] == 1.0  # an unpaired row is ignored
    s = score_topics(["a"] * 4, [0, 0, 1, 1], pair_ids=["431", " 431", "7.0", "7"])
    assert s["pair_same_topic"] == 1.0  # spaces and a float export's ".0" do not break a pair
    assert score_topics(["a", "b"], [0, 1], pair_ids=["p", "q"])["pair_same_topic"] is None  # no pair to measure


def test_fit_on_capped_sample_assigns_everyone():
    X, y = make_blobs(n_samples=400, centers=3, n_features=8, cluster_std=0.4, random_state=2)
    model = TopicModel(seed=0, min_topic_size=10, n_neighbors=10, n_components=3, fit_sample_cap=150)
    a = model.fit_assign([f"w{c} v{i % 7}" for i, c in enumerate(y)], X)
    assert len(a.topic_ids) == 400
    assert len(set(a.topic_ids[a.topic_ids != OUTLIER])) == 3


def test_small_fits_may_form_smaller_topics():
    assert [min_cluster_size(n, 15, 0.01, 5) for n in (161, 545, 800, 1500, 1615, 20000)] == [5, 5, 8, 15, 15, 15]
    assert min_cluster_size(161, 15, 0.0, 5) == 15   # share 0: the fixed size
    assert min_cluster_size(161, 3, 0.01, 5) == 3    # never above the configured size
    # 12 intents of 8 documents each: at a fixed 15 no intent is big enough to be a topic of its own;
    # with the share rule (1 % of 96, at least 5) they are.
    X, y = make_blobs(n_samples=96, centers=12, n_features=10, cluster_std=0.3, random_state=5)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    lemmas = [f"w{c}" for c in y]
    fixed = TopicModel(seed=0, min_topic_size=15, n_neighbors=5, n_components=3).fit_assign(lemmas, X)
    scaled = TopicModel(seed=0, min_topic_size=15, min_topic_share=0.01, min_topic_floor=5, n_neighbors=5,
                        n_components=3).fit_assign(lemmas, X)
    assert len(set(fixed.topic_ids) - {OUTLIER}) < 12 // 2
    assert score_topics(y, scaled.topic_ids)["nmi"] > score_topics(y, fixed.topic_ids)["nmi"] + 0.1
    assert len(set(scaled.topic_ids) - {OUTLIER}) >= 10


def test_too_few_documents_all_outliers():
    a = TopicModel(min_topic_size=10).fit_assign(["a"] * 5, np.eye(5))
    assert (a.topic_ids == OUTLIER).all()


def test_topics_table_and_trends():
    docs = pd.DataFrame({
        "doc_id": list("abcde"), "topic_id": [0, 0, 1, 1, OUTLIER], "lang": ["fi", "en", "fi", "fi", "en"],
        "lemmas": ["lasku virhe", "invoice wrong", "sovellus kaatua", "sovellus", "random"],
        "text": ["Lasku väärin", "Invoice wrong", "Sovellus kaatuu", "Sovellus!", "Random"],
        "customer_key": ["c1", "c1", "c2", "c3", "c4"],
        "created_at": pd.to_datetime(["2026-09-14T10:00Z", "2026-09-15T10:00Z", "2026-09-14T10:00Z",
                                      "2026-09-21T21:30Z", "2026-09-14T10:00Z"], utc=True),
    })
    emb = np.eye(5)
    t = build_topics_table(docs, emb, top_n_words=3, n_representative=1).set_index("topic_id")
    assert t.loc[0, "keywords_fi"] == ["lasku", "virhe"] and t.loc[0, "keywords_en"] == ["invoice", "wrong"]
    assert t.loc[1, "keywords_en"] == [] and t.loc[1, "share_fi"] == 1.0
    assert t.loc[OUTLIER, "label"].startswith("outlier pool")
    assert t["size"].sum() == 5
    tr = topic_trends(docs, "Europe/Helsinki")
    # 2026-09-21T21:30Z is Tuesday 00:30 in Helsinki: still week of 2026-09-21.
    row = tr[(tr.topic_id == 1) & (tr.week_start == pd.Timestamp("2026-09-21").date())]
    assert row["docs"].tolist() == [1]
    assert tr.loc[tr.topic_id == 0, "customers"].tolist() == [1, 1]


def test_mutual_neighbours_blocked_equals_brute_force():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(50, 8)), rng.normal(size=(40, 8))
    sims = a @ b.T
    want = [(i, int(sims[i].argmax())) for i in range(50) if int(sims[:, sims[i].argmax()].argmax()) == i]
    for block in (7, 2048):
        i, j = mutual_neighbours(a, b, block=block)
        assert list(zip(i.tolist(), j.tolist())) == want
    assert len(mutual_neighbours(a[:0], b)[0]) == 0


def test_tie_pulls_cross_language_partners_together_only():
    rng = np.random.default_rng(1)
    base = normalise(rng.normal(size=(30, 16)))
    # Each Finnish document has an English counterpart: the same meaning plus a little noise.
    fi = normalise(base + 0.05 * rng.normal(size=base.shape))
    en = normalise(base + 0.05 * rng.normal(size=base.shape))
    space = np.vstack([fi, en])
    langs = ["fi"] * 30 + ["en"] * 30
    tied = tie_across_languages(space, langs, alpha=0.5, min_docs=20)
    before = np.sum(space[:30] * space[30:], axis=1)
    after = np.sum(tied[:30] * tied[30:], axis=1)
    assert (after >= before - 1e-6).all() and after.mean() > before.mean() + 0.005
    assert np.allclose(np.linalg.norm(tied, axis=1), 1, atol=1e-5)
    # One language, a language below min_docs, "other", or alpha 0: nothing changes.
    assert tie_across_languages(space, ["en"] * 60, alpha=0.5) is space
    assert tie_across_languages(space, ["fi"] * 50 + ["en"] * 10, alpha=0.5, min_docs=20) is space
    assert tie_across_languages(space, ["fi"] * 30 + ["other"] * 30, alpha=0.5, min_docs=20) is space
    assert tie_across_languages(space, langs, alpha=0.0) is space


def test_tie_leaves_pairs_that_are_not_as_close_as_same_language_neighbours():
    rng = np.random.default_rng(2)
    # Within each language every document has a near-duplicate; across languages only loose matches.
    base = normalise(rng.normal(size=(20, 16)))
    fi = normalise(np.repeat(base, 2, axis=0) + 0.01 * rng.normal(size=(40, 16)))
    en_base = base + 0.3 * rng.normal(size=base.shape)  # the English versions differ more
    en = normalise(np.repeat(en_base, 2, axis=0) + 0.01 * rng.normal(size=(40, 16)))
    space = np.vstack([fi, en])
    tied = tie_across_languages(space, ["fi"] * 40 + ["en"] * 40, alpha=0.7, min_docs=20)
    assert len(mutual_neighbours(fi, en)[0]) > 0  # there are cross-language mutual neighbours …
    assert np.allclose(tied, space, atol=1e-6)    # … but none as close as the same-language duplicates


def test_representatives_skip_template_copies_and_show_each_main_language():
    from signals.topics import representatives

    texts = ["The app crashes at login", "The app crashes at login again", "Sovellus kaatuu kirjautuessa",
             "My bill is wrong, please fix", "Sovellus kaatuu kirjautuessa taas", "Appen kraschar"]
    langs = ["en", "en", "fi", "en", "fi", "other"]
    # one of each language in turn (most frequent first), then the next English text that is not a copy
    assert representatives(texts, langs, 4) == [0, 2, 5, 3]
    assert representatives(texts, langs, 4, min_lang_share=0.3) == [0, 2, 3, 1]   # "other" too rare to show
    assert representatives(["a b c", "a b c", "a b c"], ["fi"] * 3, 2) == [0, 1]   # only copies: still two


def test_a_language_with_few_documents_in_a_topic_lists_only_words_they_share():
    lemmas = ["fee monthly", "fee monthly notice", "fee premium", "fee notice", "fee monthly", "fee premium",
              "fee notice", "fee monthly", "fee eur", "fee eur", "fee premium"] * 2
    docs = pd.DataFrame({"topic_id": [0] * 22, "lang": ["en"] * 20 + ["fi", "fi"], "text": ["x"] * 22,
                         "doc_id": [str(i) for i in range(22)],
                         "lemmas": lemmas[:20] + ["kuukausimaksu sovellus", "kuukausimaksu perintäkirje"]})
    table = build_topics_table(docs, normalise(np.ones((22, 4))), top_n_words=5, n_representative=1)
    # Two Finnish texts in 22 (9 %): "sovellus" from one of them is no keyword of this fee topic.
    assert table["keywords_fi"].iloc[0] == ["kuukausimaksu"]
    assert ctfidf_keywords(["a b", "a c"], [0, 0], top_n=3, recurring_only=frozenset({0})) == {0: ["a"]}
    assert ctfidf_keywords(["a b", "a c"], [0, 0], top_n=3) == {0: ["a", "b", "c"]}


def test_overall_keywords_leave_out_a_language_with_few_documents_in_the_topic():
    lemmas = ["lasku virhe", "lasku väärä", "invoice wrong", "invoice error"] * 6 + ["faktura betalar nästan"] * 2
    docs = pd.DataFrame({"topic_id": [0] * 26, "lang": ["fi", "fi", "en", "en"] * 6 + ["other"] * 2,
                         "text": ["x"] * 26, "doc_id": [str(i) for i in range(26)], "lemmas": lemmas})
    table = build_topics_table(docs, normalise(np.ones((26, 4))), top_n_words=10, n_representative=1)
    words = table["keywords"].iloc[0]
    assert "lasku" in words and "invoice" in words
    assert not {"faktura", "betalar", "nästan"} & set(words)  # 2 Swedish texts of 26
