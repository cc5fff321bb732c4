"""Small classifier heads over the shared e5 embeddings: training, numpy inference, artefacts.

Emotion and sentiment are both "a few thousand labelled texts → a small head on frozen
sentence vectors", so everything they share lives here: the seeded split by text, reading
labelled CSVs, embedding through the cache, the head itself, threshold tuning and the
artefact format.

A head is trained with scikit-learn but stored as plain arrays (`weights.npz`, loaded with
`allow_pickle=False`) plus a readable `model.json`, and applied with numpy only: loading a
committed model never unpickles code, and the file does not break when scikit-learn changes.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

WEIGHTS_FILE = "weights.npz"
META_FILE = "model.json"


# ---------------------------------------------------------------- data


def text_key(text: str) -> str:
    """SHA-256 hex of the text: the embedding cache key and the unit of splitting."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_by_text(texts: Sequence[str], *, seed: int, fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
                  ) -> np.ndarray:
    """Assign each text to "train" / "val" / "test" by a seeded hash of the text itself.

    Hashing (instead of shuffling rows) keeps duplicates of a text in one split, and puts a
    text in the same split in every file: the emotion and sentiment heads share one XED test
    split, and a line that is in two data files can never be fitted from one and scored in the other.
    """
    if len(fractions) != 3 or abs(sum(fractions) - 1) > 1e-9 or min(fractions) < 0:
        raise ValueError(f"split fractions must be three non-negative numbers summing to 1: {fractions}")
    u = np.array([int(hashlib.sha256(f"{seed}|{t}".encode("utf-8")).hexdigest()[:15], 16) / 16 ** 15
                  for t in texts], dtype=np.float64)
    cut = np.cumsum(fractions)
    out = np.full(len(u), "test", dtype=object)
    out[u < cut[1]] = "val"
    out[u < cut[0]] = "train"
    return out


# XED's [PERSON] placeholder becomes one of these, picked by the text's hash (deterministic).
_NAMES = ("Anna", "John", "Laura", "Mika", "Sarah", "David", "Emma", "Juha")


def clean_subtitle_text(text: str) -> str:
    """The form of an XED subtitle line we train on: its collection artefacts removed.

    In XED the emotion lines and the neutral lines were prepared differently, and a head
    learns that instead of emotion: English emotion lines are tokenised ("did n't , ok ."),
    carry [PERSON] placeholders, and no neutral line in either language has a comma.
    Customer texts have none of this, so we detokenise, name the placeholder, drop the
    subtitle dialogue dash, and strip commas from every line (the only way to make commas
    uninformative, since neutral lines with commas do not exist).
    """
    t = text.strip()
    t = re.sub(r"^(?:-\s*)+", "", t)
    if "[PERSON]" in t:
        name = _NAMES[int(text_key(text)[:8], 16) % len(_NAMES)]
        t = t.replace("[PERSON]", name)
    t = re.sub(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", t, flags=re.IGNORECASE)
    t = re.sub(r"\s+([.,!?;:%)\]}…])", r"\1", t)
    t = re.sub(r"([(\[{])\s+", r"\1", t)
    t = re.sub(r",\s*", " ", t)
    t = re.sub(r"\s{2,}", " ", t).strip()
    return t or text.strip() or text


def read_labelled_csv(path: str | Path, label_column: str, *, optional: tuple[str, ...] = (),
                      parse: Callable[[str], Any] | None = None) -> pd.DataFrame:
    """`text,lang,<label_column>` (+ `optional` columns when present) as strings; missing columns are
    a clear error. Every `signals eval …` command reads its CSV through here.

    Cells are read as written: "NA", "None" or "null" are real (short) texts, and a language code such as
    "nan" must not become a float. Language codes are normalised ("EN", "en-GB", "eng", "English" are "en"),
    so per-language results do not split by spelling; labels and optional columns are stripped of
    surrounding spaces; header names match ignoring case.

    The file is read by the nightly ingest's own CSV reader: UTF-8 (with or without BOM) or cp1252, comma-,
    semicolon- or tab-separated as the header line says. A row it cannot read (wrong number of fields, a
    quote never closed) or whose label `parse` refuses (ValueError; without `parse`, an empty label) is left
    out and named on stderr with the file, line and reason: one bad row costs that row, not the whole
    evaluation. `df.attrs["rows_in"]` and `df.attrs["rejected"]` count them (rows in = kept + rejected).
    """
    from signals.ingest import csv_delimiter, decode, read_csv_records

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labelled data not found: {path}")
    text, _ = decode(path.read_bytes())
    if not text.strip():
        raise ValueError(f"{path}: empty file; expected a header line text,lang,{label_column}")
    first_line = text[:text.find("\n")] if "\n" in text else text
    header = next(csv.reader([first_line], delimiter=csv_delimiter(first_line)))
    names = dict(zip((h.strip() for h in header), _column_names([h.strip() for h in header])))
    wanted = list(dict.fromkeys(["text", "lang", label_column]))
    missing = [c for c in wanted if c not in names.values()]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {','.join(wanted)}")
    keep = list(dict.fromkeys([*wanted, *(c for c in optional if c in names.values())]))
    rows, bad = [], 0
    for rec in read_csv_records(text, "labelled", str(path)):
        row = {names[k]: v for k, v in (rec.fields or {}).items()}
        row = {c: (row[c] if c == "text" else row[c].strip()) for c in keep} if rec.fields else None
        reason = rec.error or _label_problem(row[label_column], parse)
        if reason:
            bad += 1
            print(f"{path}: line {rec.line}: {reason}; row left out", file=sys.stderr)
        else:
            rows.append(row)
    rows_in = len(rows) + bad
    if not rows:
        raise ValueError(f"{path}: no usable rows ({rows_in} read, {bad} left out)")
    df = pd.DataFrame(rows, columns=keep)
    df["lang"] = df["lang"].map(normalise_lang)
    df.attrs.update(rows_in=rows_in, rejected=bad)
    return df


def _column_names(names: list[str]) -> list[str]:
    """Header names stripped and lower-cased ("Text", " lang") where that makes no two alike."""
    low = [n.strip().lower() for n in names]
    return [l if low.count(l) == 1 else n for n, l in zip(names, low)]


# Language names and ISO 639-2 codes a third party may write, for the languages we score by name.
_LANG_ALIASES = {"fin": "fi", "finnish": "fi", "suomi": "fi", "eng": "en", "english": "en", "englanti": "en",
                 "swe": "sv", "swedish": "sv", "ruotsi": "sv", "est": "et", "estonian": "et", "viro": "et"}


def normalise_lang(code: str) -> str:
    """A language column's value as the two-letter code per-language results use: "FI", "fi-FI", "fi_FI",
    "fin" and "Finnish" are all "fi"; anything else unknown stays as written (lower case)."""
    code = str(code).strip().lower()
    base = code.replace("_", "-").split("-")[0]
    return _LANG_ALIASES.get(base, base)


def _label_problem(value: str, parse: Callable[[str], Any] | None) -> str | None:
    if parse is None:
        return None if value.strip() else "empty label"
    try:
        parse(value)
    except ValueError as exc:
        return str(exc)
    return None


def default_embedder():
    """The pipeline's embedder, as configured in configs/nightly.yaml (backend included): heads are
    trained and scored on exactly the vectors the nightly run caches."""
    from signals.config import load_config
    from signals.embed import make_embedder

    return make_embedder(load_config().embedding)


def embedding_cache(embedder, cache_root: str | Path | None = None):
    """The pipeline's embedding cache (or one under `cache_root`) for this embedder's vectors."""
    from signals.config import load_config, resolve
    from signals.embed import EmbeddingCache

    root = Path(cache_root) if cache_root else resolve(load_config().warehouse.dir) / "cache" / "embeddings"
    return EmbeddingCache(root, embedder.cache_key)


def embed_texts(texts: Sequence[str], embedder, *, cache_root: str | Path | None = None,
                progress: bool = False) -> np.ndarray:
    """Vectors for texts through the shared cache, so re-training or re-scoring never re-embeds."""
    from signals.embed import embed_documents

    texts = [str(t) for t in texts]
    return embed_documents(texts, [text_key(t) for t in texts], embedder, embedding_cache(embedder, cache_root),
                           progress=progress).vectors


# ---------------------------------------------------------------- the head


def activate(z: np.ndarray, output: str) -> np.ndarray:
    """Logits → probabilities: independent per column ("sigmoid") or one distribution per row ("softmax")."""
    if output == "sigmoid":
        return 1 / (1 + np.exp(-np.clip(z, -50, 50)))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class Head:
    """Standardise → (dense + ReLU)* → dense → sigmoid (multi-label) or softmax (multi-class).

    sklearn-like: keyword-only settings, `fit` returns self, learned state ends in `_`.
    `kind="logreg"` is one-vs-rest (sigmoid) or multinomial (softmax) logistic regression;
    `kind="mlp"` is scikit-learn's MLPClassifier with early stopping. Either way the learned
    state is a list of dense layers, so inference and storage do not depend on the kind.
    """

    def __init__(self, *, kind: str = "logreg", multilabel: bool = True, C: float = 1.0,
                 class_weight: str | None = "balanced", hidden: tuple[int, ...] = (256,), alpha: float = 1e-3,
                 max_iter: int = 200, seed: int = 0):
        if kind not in ("logreg", "mlp"):
            raise ValueError(f"unknown head kind {kind!r}; expected 'logreg' or 'mlp'")
        self.kind = kind
        self.multilabel = multilabel
        self.C = C
        self.class_weight = class_weight
        self.hidden = tuple(hidden)
        self.alpha = alpha
        self.max_iter = max_iter
        self.seed = seed

    # -- training

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> "Head":
        """X: n×d embeddings. y: n×k 0/1 matrix (multilabel) or n int class ids (multi-class)."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        self.mean_ = X.mean(axis=0)
        # e5 vectors are anisotropic (all cosines high); standardising lets one C fit every label.
        self.scale_ = np.maximum(X.std(axis=0), 1e-6)
        Z = (X - self.mean_) / self.scale_
        sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if self.kind == "logreg":
            self.layers_ = [self._fit_logreg(Z, y, sw)]
        else:
            self.layers_ = self._fit_mlp(Z, y, sw)
        self.output_ = "sigmoid" if self.multilabel else "softmax"
        return self

    def _fit_logreg(self, Z: np.ndarray, y: np.ndarray, sw: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression

        def model() -> LogisticRegression:
            return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter * 5,
                                      random_state=self.seed)
        if self.multilabel:
            # One binary model per label, each with its own class balance (labels differ a lot in frequency).
            W, b = [], []
            for j in range(y.shape[1]):
                m = model().fit(Z, y[:, j], sample_weight=sw)
                W.append(m.coef_[0])
                b.append(m.intercept_[0])
            return np.array(W).T, np.array(b)
        m = model().fit(Z, y, sample_weight=sw)
        if list(m.classes_) != list(range(len(m.classes_))):
            raise ValueError("multi-class targets must be 0..k-1 with every class present")
        return m.coef_.T, m.intercept_

    def _fit_mlp(self, Z: np.ndarray, y: np.ndarray, sw: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray]]:
        from sklearn.neural_network import MLPClassifier

        m = MLPClassifier(hidden_layer_sizes=self.hidden, alpha=self.alpha, max_iter=self.max_iter,
                          early_stopping=True, validation_fraction=0.1, n_iter_no_change=8,
                          random_state=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: early stopping is the intended stop
            if sw is not None:
                m.fit(Z, y, sample_weight=sw)
            else:
                m.fit(Z, y)
        return [(np.asarray(W), np.asarray(b)) for W, b in zip(m.coefs_, m.intercepts_)]

    # -- inference (numpy only)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.mean_.shape[0]:
            raise ValueError(f"expected embeddings of shape (n, {self.mean_.shape[0]}), got {X.shape}")
        h = (X - self.mean_) / self.scale_
        for W, b in self.layers_[:-1]:
            h = np.maximum(h @ W + b, 0)
        W, b = self.layers_[-1]
        return activate(h @ W + b, self.output_)

    # -- storage

    def settings(self) -> dict[str, Any]:
        return {"kind": self.kind, "multilabel": self.multilabel, "C": self.C, "class_weight": self.class_weight,
                "hidden": list(self.hidden), "alpha": self.alpha, "max_iter": self.max_iter, "seed": self.seed}

    def to_arrays(self) -> dict[str, np.ndarray]:
        # float32 halves the file; the rounding is far below anything a threshold can notice.
        arrays = {"mean": self.mean_.astype(np.float32), "scale": self.scale_.astype(np.float32)}
        for i, (W, b) in enumerate(self.layers_):
            arrays[f"W{i}"] = W.astype(np.float32)
            arrays[f"b{i}"] = b.astype(np.float32)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any], output: str) -> "Head":
        head = cls(**{**settings, "hidden": tuple(settings.get("hidden", ()))})
        head.mean_ = arrays["mean"].astype(np.float64)
        head.scale_ = arrays["scale"].astype(np.float64)
        n_layers = sum(1 for k in arrays if k.startswith("W"))
        head.layers_ = [(arrays[f"W{i}"].astype(np.float64), arrays[f"b{i}"].astype(np.float64))
                        for i in range(n_layers)]
        head.output_ = output
        return head


class Ensemble:
    """Weighted mean of member heads' probabilities; a single model is an ensemble of one.

    Used to give each training source its own expert (e.g. tweets and subtitles), so that
    neither source's notion of a class swamps the other's.
    """

    def __init__(self, members: Sequence[Head], *, names: Sequence[str] | None = None,
                 weights: Sequence[float] | None = None):
        if not members:
            raise ValueError("an ensemble needs at least one head")
        self.members = list(members)
        self.names = list(names) if names is not None else [f"head{i}" for i in range(len(members))]
        w = np.ones(len(members)) if weights is None else np.asarray(weights, dtype=np.float64)
        self.weights = w / w.sum()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return sum(w * m.predict_proba(X) for w, m in zip(self.weights, self.members))


def save_artefact(out_dir: str | Path, model: Ensemble, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """`weights.npz` (every member's arrays plus `arrays`, e.g. thresholds) and `model.json`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    all_arrays = dict(arrays)
    members = []
    for i, (name, w, head) in enumerate(zip(model.names, model.weights, model.members)):
        all_arrays.update({f"m{i}.{k}": v for k, v in head.to_arrays().items()})
        members.append({"name": name, "weight": float(w), "output": head.output_, "settings": head.settings()})
    np.savez_compressed(out / WEIGHTS_FILE, **all_arrays)
    meta = {**meta, "members": members}
    (out / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_artefact(model_dir: str | Path, task: str | None = None
                  ) -> tuple[Ensemble, dict[str, np.ndarray], dict[str, Any]]:
    """(model, the extra arrays saved with it, metadata); never unpickles anything. With `task`, the
    artefact must have been saved for that task (a model directory mixed up in the config fails here)."""
    d = Path(model_dir)
    if not (d / WEIGHTS_FILE).is_file() or not (d / META_FILE).is_file():
        raise FileNotFoundError(f"no trained head in {d} (expected {WEIGHTS_FILE} and {META_FILE})")
    with np.load(d / WEIGHTS_FILE, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
    if task is not None and meta.get("task") != task:
        raise ValueError(f"{d} does not hold a {task} model (its task is {meta.get('task')!r})")
    heads = []
    for i, m in enumerate(meta["members"]):
        prefix = f"m{i}."
        mine = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
        heads.append(Head.from_arrays(mine, m["settings"], m["output"]))
    model = Ensemble(heads, names=[m["name"] for m in meta["members"]], weights=[m["weight"] for m in meta["members"]])
    extra = {k: v for k, v in arrays.items() if not re.match(r"m\d+\.", k)}
    return model, extra, meta


def view_to_artefact(view, weight: float, prefix: str) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """A text view stored next to a head (the lexical or VADER view): its arrays under `prefix` for the
    head's weights.npz, and its model.json entry {weight, settings}; nothing without a view or a share."""
    if view is None or weight == 0:
        return {}, None
    return {prefix + k: v for k, v in view.to_arrays().items()}, {"weight": float(weight), "settings": view.settings()}


def view_from_artefact(cls, arrays: dict[str, np.ndarray], entry: dict[str, Any] | None,
                       prefix: str) -> tuple[Any, float]:
    """The view `view_to_artefact` stored (rebuilt with `cls.from_arrays`) and its share; (None, 0.0) when none."""
    if not entry:
        return None, 0.0
    mine = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
    return cls.from_arrays(mine, entry["settings"]), float(entry["weight"])


def base_model_id(model_id: str) -> str:
    """`…-fp32+onnx-int8-per-channel` → `…-fp32`: the backends of one model agree at cosine ≈ 0.995."""
    return model_id.split("+", 1)[0]


def check_embedder(meta: dict[str, Any], embedder) -> None:
    """A head is only valid on the vectors it was trained on: same model, prefix and length.

    The int8 ONNX backend of the same model counts as the same model (mean cosine 0.995 to fp32).
    """
    want = dict(meta.get("embedding", {}))
    if "model_id" in want:
        want["model_id"] = base_model_id(want["model_id"])
    have = {"model_id": base_model_id(embedder.model_id), "prefix": embedder.prefix,
            "max_seq_length": embedder.max_seq_length}
    diff = {k: (want.get(k), v) for k, v in have.items() if k in want and want[k] != v}
    if diff:
        raise ValueError(f"head was trained on other embeddings: {diff} (trained, current)")


def embedding_meta(embedder) -> dict[str, Any]:
    return {"model_id": embedder.model_id, "prefix": embedder.prefix, "max_seq_length": embedder.max_seq_length,
            "normalised": True}


# ---------------------------------------------------------------- calibration and metrics


def tune_threshold(y_true: np.ndarray, scores: np.ndarray, grid: np.ndarray | None = None) -> float:
    """Threshold on one label's scores with the best F1; ties go to the threshold nearest 0.5.

    Preferring the middle among ties keeps the choice stable when the validation split is
    small, instead of drifting to an extreme that merely happens to tie.
    """
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2) if grid is None else grid
    y = np.asarray(y_true).astype(bool)
    best, best_f1 = 0.5, -1.0
    for t in sorted(grid, key=lambda t: (abs(t - 0.5), t)):
        f1 = binary_f1(y, scores >= t)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


def binary_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """F1 of the positive class; 0 when it is neither present nor predicted (sklearn's zero_division=0)."""
    y_true = np.asarray(y_true).astype(bool)
    y_pred = np.asarray(y_pred).astype(bool)
    tp = float(np.sum(y_true & y_pred))
    denom = float(y_true.sum() + y_pred.sum())
    return 2 * tp / denom if denom else 0.0


def per_label_scores(Y_true: np.ndarray, Y_pred: np.ndarray, labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per column of two n×k 0/1 matrices."""
    out = {}
    for j, name in enumerate(labels):
        t = Y_true[:, j].astype(bool)
        p = Y_pred[:, j].astype(bool)
        tp = float(np.sum(t & p))
        out[name] = {"precision": tp / p.sum() if p.sum() else 0.0, "recall": tp / t.sum() if t.sum() else 0.0,
                     "f1": binary_f1(t, p), "support": int(t.sum())}
    return out


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Plain fixed-width table: numbers to 3 decimals, first column left-aligned."""
    def cell(v: Any) -> str:
        return f"{v:.3f}" if isinstance(v, float) else str(v)
    body = [[cell(v) for v in r] for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in body)) if body else len(str(h)) for i, h in enumerate(header)]
    def line(vals: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(vals, widths)))
    return "\n".join([line([str(h) for h in header]), line(["-" * w for w in widths])] + [line(r) for r in body])
