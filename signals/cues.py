"""Customer-experience cues per document (repeat contact, broken promise, escalation, churn threat…).

Rules first, a learned head second: a cue fires when one of its lemma patterns or regexes
(configs/cues.yaml) matches, or when the optional cue head (`signals/cue_head.py`, a small model
on the cached document vectors) reaches the cue's threshold.
Counts go to leadership reports, so precision is preferred over recall throughout.

Lemmas here are *all* tokens' lemmas, stop words and negation included: `Analysis.lemmas`
drops "ei", "not", "still", "third", "call", which the patterns need. They come from the same
spaCy pass as the content lemmas (`nlp.Analysis.marked_lemmas`).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from signals.config import REPO_ROOT, _Strict
from signals.nlp import CLAUSE, SENTENCE

DEFAULT_CUES_CONFIG = REPO_ROOT / "configs" / "cues.yaml"
DEFAULT_TESTSET = REPO_ROOT / "data" / "cues" / "cue_testset.csv"
LANGS = ("fi", "en")
# Negation lemmas (Finnish en/et/ei/emme/ette/eivät → "ei"; English "not", "n't" → "not").
NEGATIONS = frozenset({"ei", "not", "never"})
# The same idea on raw text, for vetoes (`veto_regexes`, no lemmas there). Spoken "et" is left out: it is mostly "että".
_TEXT_NEGATION = {
    "fi": re.compile(r"\b(ei|eikä|eik|en|emme|ette|eivät|eikö|eiks|ettei|ilman)\b"),
    "en": re.compile(r"\b(not|never|no|nobody|nothing|cannot|\w+n[’']t|didnt|dont|doesnt|wasnt|werent|hasnt|havent"
                     r"|hadnt|isnt|wont|cant|couldnt|wouldnt)\b"),
}
_SENTENCE_END = re.compile(r"[.!?]+")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class CueConfigError(ValueError):
    pass


def _check_regexes(v: list[str]) -> list[str]:
    for rx in v:
        try:
            re.compile(rx)
        except re.error as exc:
            raise ValueError(f"invalid regex {rx!r}: {exc}") from exc
    return v


def _words_as_str(v):
    # Numbers in patterns ("3 time") arrive from YAML as ints.
    if isinstance(v, list):
        return [[str(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else t for t in p]
                if isinstance(p, list) else p for p in v]
    return v


def _check_patterns(v: list[list[str]]) -> list[list[str]]:
    for pat in v:
        if not pat or any(not isinstance(t, str) or not t.strip() or " " in t.strip() for t in pat):
            raise ValueError(f"lemma pattern {pat!r} must be a non-empty list of single words")
        if pat[0] == "..." or pat[-1] == "...":
            raise ValueError(f"lemma pattern {pat!r}: `...` only goes between two words")
    return [[t.strip().lower() for t in pat] for pat in v]


class CueLangRules(_Strict):
    patterns: list[list[str]] = []
    regexes: list[str] = []
    # An exclude match vetoes only the include matches it overlaps ("en aio vaihtaa" vs "vaihdan").
    exclude_patterns: list[list[str]] = []
    exclude_regexes: list[str] = []
    # A match here, in a sentence with no negation, turns the cue off for the whole text, rules and head
    # alike: "promised Tuesday, came Tuesday" is a kept promise however else it is worded. The head reads
    # words, not logic, and a bare "luvata" rule cannot list every way a promise is kept. Written for kept
    # promises and the customer's own boss or adviser (escalation); of 167 matches on the 6,062 labelled rows, two are
    # on a true cue (training rows: "Ilmoittakaa … niin kuin sovittiin", asking for what was agreed; a settled
    # ombudsman complaint that also names the customer's own adviser).
    veto_regexes: list[str] = []

    _num = field_validator("patterns", "exclude_patterns", mode="before")(_words_as_str)
    _pat = field_validator("patterns", "exclude_patterns")(_check_patterns)
    _rx = field_validator("regexes", "exclude_regexes", "veto_regexes")(_check_regexes)


class CueSpec(_Strict):
    description: str = ""
    fi: CueLangRules = CueLangRules()
    en: CueLangRules = CueLangRules()

    @model_validator(mode="after")
    def _has_rules(self):
        if not (self.fi.patterns or self.fi.regexes or self.en.patterns or self.en.regexes):
            raise ValueError("a cue needs at least one pattern or regex")
        return self


class CuesConfig(_Strict):
    version: int = 1
    max_gap: int = Field(3, ge=0, le=20)
    cues: dict[str, CueSpec]

    @field_validator("cues")
    @classmethod
    def _names(cls, v: dict[str, CueSpec]) -> dict[str, CueSpec]:
        if not v:
            raise ValueError("no cues defined")
        bad = [k for k in v if not _NAME.match(k)]
        if bad:
            raise ValueError(f"cue names must be lower_snake_case identifiers (they become columns): {bad}")
        return v


class _CueYamlLoader(yaml.SafeLoader):
    """YAML 1.1 reads `no`, `on`, `yes`, `off` as booleans: in pattern lists they are words
    ("no thanks", "on hold"), so only true/false stay booleans."""


_CueYamlLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()}
_CueYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load_cues_config(path: str | Path = DEFAULT_CUES_CONFIG) -> CuesConfig:
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_CueYamlLoader) or {}
    except yaml.YAMLError as exc:
        raise CueConfigError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return CuesConfig.model_validate(raw)
    except ValidationError as exc:
        raise CueConfigError(f"{path}: invalid cue configuration:\n{exc}") from exc


def cue_lemmas(texts: Sequence[str], langs: Sequence[str], preprocessor) -> list[str]:
    """`Analysis.marked_lemmas` per text (for callers without a preprocessed documents table; the
    nightly run takes the `marked_lemmas` column from its single spaCy pass)."""
    return [a.marked_lemmas for a in preprocessor.analyse(list(texts), list(langs))]


def _token_match(pat: str, lemma: str) -> bool:
    if pat.endswith("*") and len(pat) > 1:
        return lemma.startswith(pat[:-1])
    return pat == lemma


def _pattern_spans(pat: list[str], lemmas: list[str], max_gap: int) -> list[tuple[int, int]]:
    """Token spans where the pattern matches in order: ≤ max_gap tokens between elements within
    a clause, or any number within the sentence after a `...` element. Greedy per start token."""
    spans = []
    n = len(lemmas)
    for start in range(n):
        if not _token_match(pat[0], lemmas[start]):
            continue
        pos, ok, loose = start, True, False
        for p in pat[1:]:
            if p == "...":
                loose = True
                continue
            limit = n if loose else min(n, pos + 2 + max_gap)
            for j in range(pos + 1, limit):
                if _token_match(p, lemmas[j]):
                    pos = j
                    break
                if lemmas[j] == SENTENCE or (lemmas[j] == CLAUSE and not loose):
                    ok = False
                    break
            else:
                ok = False
            if not ok:
                break
            loose = False
        if ok:
            spans.append((start, pos))
    return spans


def _negated_before(span: tuple[int, int], lemmas: list[str]) -> bool:
    """A negation earlier in the same clause. Exclude patterns describe the affirmative near miss
    ("tuli kuten luvattiin", "arrived as promised"); negated ("ei tullut kuten luvattiin") it is the cue."""
    for j in range(span[0] - 1, -1, -1):
        if lemmas[j] in (CLAUSE, SENTENCE):
            return False
        if lemmas[j] in NEGATIONS:
            return True
    return False


def _regex_spans(rx: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end() - 1) for m in rx.finditer(text)]


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] <= b[1] and b[0] <= a[1] for b in spans)


class CueDetector:
    """Boolean cue columns per document from rules, plus an optional learned head on the document
    vectors (which come from the caller's cache)."""

    def __init__(self, *, config: CuesConfig, head=None):
        self.config = config
        # Optional `cue_head.CueHead`: a learned recall boost on the same document vectors.
        self.head = head
        if head is not None and set(head.cues) - set(config.cues):
            raise CueConfigError(f"the cue head knows cues the configuration lacks: {sorted(set(head.cues) - set(config.cues))}")
        self._compiled = {
            name: {lang: (getattr(spec, lang),
                          [re.compile(r) for r in getattr(spec, lang).regexes],
                          [re.compile(r) for r in getattr(spec, lang).exclude_regexes],
                          [re.compile(r) for r in getattr(spec, lang).veto_regexes])
                   for lang in LANGS}
            for name, spec in config.cues.items()}

    @classmethod
    def from_yaml(cls, path: str | Path = DEFAULT_CUES_CONFIG, *, head=None) -> "CueDetector":
        return cls(config=load_cues_config(path), head=head)

    @property
    def cue_names(self) -> list[str]:
        return list(self.config.cues)

    def rule_hits(self, texts: Sequence[str], langs: Sequence[str], lemmas: Sequence[str]) -> pd.DataFrame:
        gap = self.config.max_gap
        rows = []
        for text, lang, lem in zip(texts, langs, lemmas):
            low = str(text).lower()
            lem_toks = str(lem).split()
            row = {}
            for name, per_lang in self._compiled.items():
                hit = False
                if lang in per_lang:
                    rules, rxs, ex_rxs, _ = per_lang[lang]
                    inc = [s for p in rules.patterns for s in _pattern_spans(p, lem_toks, gap)]
                    exc = [s for p in rules.exclude_patterns for s in _pattern_spans(p, lem_toks, gap)
                           if not _negated_before(s, lem_toks)]
                    hit = any(not _overlaps(s, exc) for s in inc)
                    if not hit and rxs:
                        rinc = [s for rx in rxs for s in _regex_spans(rx, low)]
                        rexc = [s for rx in ex_rxs for s in _regex_spans(rx, low)]
                        hit = any(not _overlaps(s, rexc) for s in rinc)
                row[name] = hit
            rows.append(row)
        return pd.DataFrame(rows, columns=self.cue_names).astype(bool)

    def vetoes(self, texts: Sequence[str], langs: Sequence[str]) -> pd.DataFrame:
        """True where one of a cue's veto regexes matches inside a sentence that has no negation."""
        rows = []
        for text, lang in zip(texts, langs):
            low = str(text).lower()
            neg = _TEXT_NEGATION.get(lang)
            sentences = [s for s in _SENTENCE_END.split(low) if s.strip()]
            row = {}
            for name, per_lang in self._compiled.items():
                rxs = per_lang[lang][3] if lang in per_lang else []
                row[name] = any(rx.search(s) and not (neg and neg.search(s)) for rx in rxs for s in sentences)
            rows.append(row)
        return pd.DataFrame(rows, columns=self.cue_names).astype(bool)

    def detect(self, texts: Sequence[str], langs: Sequence[str], lemmas: Sequence[str],
               vectors: np.ndarray | None = None) -> pd.DataFrame:
        """`cue_<name>` booleans and `cue_<name>_score` (the head's probability; NaN without a head or
        vectors), one row per text.

        lemmas: `Analysis.marked_lemmas` (all tokens, with clause/sentence marks), not `Analysis.lemmas`.
        vectors: the pipeline's cached document vectors (row-aligned), or None for rules only.
        """
        if not (len(texts) == len(langs) == len(lemmas)):
            raise ValueError("texts, langs and lemmas must have the same length")
        if vectors is not None and len(vectors) != len(texts):
            raise ValueError(f"{len(vectors)} vectors for {len(texts)} texts")
        hits = self.rule_hits(texts, langs, lemmas)
        # Scores are worth returning (for ranking and review) even when no cue fires on them.
        head_p = self.head.proba(vectors, list(texts)) if vectors is not None and self.head is not None else None
        vetoes = self.vetoes(texts, langs)
        out = {}
        for name in self.config.cues:
            fired = hits[name].to_numpy()
            score = np.full(len(texts), np.nan)
            if head_p is not None and name in head_p:
                score = head_p[name].to_numpy()
                fired = fired | (score >= self.head.thresholds[name])
            out[f"cue_{name}"] = fired.astype(bool) & ~vetoes[name].to_numpy()
            out[f"cue_{name}_score"] = score
        return pd.DataFrame(out)


# Ways other people's label files write "no cue" in the cues column.
NO_CUE = {"none", "-"}


def parse_labels(cell) -> set[str]:
    """"Praise; unresolved" → {"praise", "unresolved"} (also joined with "," or "|"); empty, "none" or "-" →
    no cue."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return set()
    labels = {c.strip(" \t\"'[]").lower() for c in re.split(r"[;,|]", str(cell)) if c.strip(" \t\"'[]")}
    return labels - NO_CUE


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": tp + fn, "predicted": tp + fp}


def _score(pred: pd.DataFrame, gold: list[set[str]], names: list[str]) -> dict:
    by_cue = {}
    for name in names:
        p = pred[f"cue_{name}"].to_numpy()
        g = np.array([name in s for s in gold], dtype=bool)
        by_cue[name] = _prf(int((p & g).sum()), int((p & ~g).sum()), int((~p & g).sum()))
    macro = float(np.mean([v["f1"] for v in by_cue.values()])) if by_cue else 0.0
    return {"by_cue": by_cue, "macro_f1": macro, "n": len(gold)}


def evaluate_cues(texts: Sequence[str], langs: Sequence[str], labels: Sequence, detector: CueDetector,
                  preprocessor, embedder=None) -> dict:
    """Precision/recall/F1 per cue, overall and per language. labels: `;`-joined cue names per text
    (or sets). Unknown label names are an error, so a typo in the test set cannot hide."""
    texts, langs = list(texts), list(langs)
    gold = [lab if isinstance(lab, set) else parse_labels(lab) for lab in labels]
    unknown = set().union(*gold) - set(detector.cue_names) if gold else set()
    if unknown:
        raise ValueError(f"labels name unknown cues: {sorted(unknown)}")
    lemmas = cue_lemmas(texts, langs, preprocessor)
    vectors = embedder.encode(texts) if (embedder is not None and detector.head is not None) else None
    pred = detector.detect(texts, langs, lemmas, vectors)
    report = _score(pred, gold, detector.cue_names)
    if vectors is not None:  # what the head adds over the rules alone
        rules = _score(detector.detect(texts, langs, lemmas), gold, detector.cue_names)
        report["rules_only"] = {"macro_f1": rules["macro_f1"], "by_cue": rules["by_cue"]}
    report["by_lang"] = {}
    for lang in sorted(set(langs)):
        idx = [i for i, l in enumerate(langs) if l == lang]
        report["by_lang"][lang] = _score(pred.iloc[idx].reset_index(drop=True), [gold[i] for i in idx],
                                         detector.cue_names)
    report["errors"] = [
        {"text": texts[i], "lang": langs[i], "gold": sorted(gold[i]),
         "pred": sorted(n for n in detector.cue_names if pred.at[i, f"cue_{n}"])}
        for i in range(len(texts))
        if gold[i] != {n for n in detector.cue_names if pred.at[i, f"cue_{n}"]}]
    return report


def format_cue_report(report: dict) -> str:
    langs = list(report.get("by_lang", {}))
    head = f"{'cue':<16}{'P':>6}{'R':>6}{'F1':>6}{'n':>5}" + "".join(f"  {l}:P{'':>3}R{'':>4}n" for l in langs)
    lines = [f"cues: n={report['n']}  macro F1={report['macro_f1']:.3f}", head]
    for name, m in report["by_cue"].items():
        line = f"{name:<16}{m['precision']:>6.2f}{m['recall']:>6.2f}{m['f1']:>6.2f}{m['support']:>5}"
        for l in langs:
            lm = report["by_lang"][l]["by_cue"][name]
            line += f"  {lm['precision']:>5.2f}{lm['recall']:>5.2f}{lm['support']:>4}"
        lines.append(line)
    for l in langs:
        lines.append(f"{l}: n={report['by_lang'][l]['n']} macro F1={report['by_lang'][l]['macro_f1']:.3f}")
    if "rules_only" in report:
        ro = report["rules_only"]
        lines.append(f"rules alone: macro F1={ro['macro_f1']:.3f}  "
                     + "  ".join(f"{n} P{m['precision']:.2f} R{m['recall']:.2f}" for n, m in ro["by_cue"].items()))
    return "\n".join(lines)


def load_testset(path: str | Path, split: str | None = None, cue_names: Sequence[str] | None = None) -> pd.DataFrame:
    """The cue test set CSV (text,lang,cues[,split]); `split` filters when the column exists (ignoring case).
    With `cue_names`, a row naming another cue is left out and named on stderr, like any unreadable label."""
    from signals.heads import read_labelled_csv

    def parse_known(cell) -> set[str]:
        labels = parse_labels(cell)
        if cue_names is not None and (unknown := sorted(labels - set(cue_names))):
            raise ValueError(f"unknown cue(s) {unknown}; expected some of {', '.join(cue_names)} or none")
        return labels

    df = read_labelled_csv(path, "cues", optional=("split",), parse=parse_known)
    if split is not None and "split" in df.columns:
        chosen = df["split"].str.lower() == split.strip().lower()
        if not chosen.any():
            raise ValueError(f"{path}: no row has split {split!r} (it has {sorted(set(df['split']))})")
        df = df[chosen].reset_index(drop=True)
    return df


if __name__ == "__main__":  # python -m signals.cues [CSV] [split]: the same as `signals eval cues`
    import sys

    from signals.cli import main

    args = ["eval", "cues", "--data", sys.argv[1] if len(sys.argv) > 1 else str(DEFAULT_TESTSET)]
    sys.exit(main(args + (["--split", sys.argv[2]] if len(sys.argv) > 2 else [])))
