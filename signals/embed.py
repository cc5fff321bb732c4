"""Sentence embeddings, cached by (model, hash of redacted text).

Two interchangeable backends of the same model, chosen by `embedding.backend`:
- `sentence-transformers`: the fp32 reference path;
- `onnx-int8`: the same weights exported to ONNX and quantised to int8 at set-up, run with
  onnxruntime (≈3× faster on 2 cores; checked against fp32 at build time).
An embedder is a pure batch function (texts in, vectors out, no I/O) so an engine such as
Ray Data can call it with `map_batches` on a cluster; the cache lives outside it.
"""
from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from signals.config import EmbeddingConfig, resolve
from signals.offline import enforce_offline


@dataclass(frozen=True)
class TokenStates:
    """One text's encoder output: a vector per token and where each token ends in the text (-1 for the
    special and prefix tokens, which belong to every pooled span as they do to a standalone encoding).

    Ends, not starts: a tokenizer may count the space before a word as part of it, so a sentence's
    first token can start one character before the sentence does."""
    vectors: np.ndarray   # tokens × dim
    ends: np.ndarray      # tokens, int

    def pooled(self, keep: np.ndarray | None = None) -> np.ndarray:
        v = self.vectors if keep is None else self.vectors[keep]
        m = v.mean(axis=0)
        return (m / max(float(np.linalg.norm(m)), 1e-12)).astype(np.float32)

    def pooled_spans(self, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """A vector per (start, end) character span: its tokens plus the frame tokens, mean-pooled.
        A span with no tokens of its own (cut off by truncation) gets the whole text's vector."""
        frame = self.ends < 0
        out = []
        for a, b in spans:
            own = (self.ends > a) & (self.ends <= b)
            out.append(self.pooled(frame | own) if own.any() else self.pooled())
        return np.stack(out)


def _text_ends(offsets, special_mask, prefix_len: int) -> np.ndarray:
    """Token end offsets in the text without the prefix; special and prefix tokens → -1."""
    ends = np.array([b for _, b in offsets], dtype=np.int64) - prefix_len
    ends[np.asarray(special_mask, dtype=bool) | (ends <= 0)] = -1
    return ends


class Embedder:
    """Texts → L2-normalised float32 vectors from the locally built model (sentence-transformers, fp32)."""

    def __init__(self, *, model_dir: str | Path, model_id: str, batch_size: int = 64,
                 prefix: str = "query: ", max_seq_length: int = 256):
        self.model_dir = Path(model_dir)
        self.model_id = model_id
        self.batch_size = batch_size
        self.prefix = prefix
        self.max_seq_length = max_seq_length
        self._model = None

    @classmethod
    def from_config(cls, cfg: EmbeddingConfig) -> "Embedder":
        """The fp32 reference embedder, whatever backend the config selects (see make_embedder)."""
        return cls(model_dir=resolve(cfg.model_dir), model_id=cfg.model_id, batch_size=cfg.batch_size,
                   prefix=cfg.prefix, max_seq_length=cfg.max_seq_length)

    @property
    def cache_key(self) -> str:
        """Anything that changes the vectors changes this key, so stale vectors are never reused."""
        return hashlib.sha256(f"{self.model_id}|{self.prefix}|{self.max_seq_length}".encode()).hexdigest()[:16]

    def _load(self):
        if self._model is None:
            enforce_offline()
            if not (self.model_dir / "modules.json").is_file():
                raise FileNotFoundError(
                    f"embedding model not found at {self.model_dir}; build it with `make setup` "
                    "(or `signals build-model`)")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
            self._model.max_seq_length = self.max_seq_length
        return self._model

    @property
    def dim(self) -> int:
        return self._load().get_sentence_embedding_dimension()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._load().encode(
            list(texts), prompt=self.prefix, batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False)
        return vecs.astype(np.float32, copy=False)

    def token_states(self, texts: Sequence[str]) -> list[TokenStates]:
        """Per text, the encoder's output for every token and where each token sits in the text:
        the material both the document vector and its sentences' vectors are pooled from."""
        if len(texts) == 0:
            return []
        model = self._load()
        outputs = model.encode(list(texts), prompt=self.prefix, batch_size=self.batch_size, output_value=None,
                               convert_to_numpy=False, show_progress_bar=False)
        states = []
        for text, o in zip(texts, outputs):
            n = int(o["attention_mask"].sum())
            tok = model.tokenizer(self.prefix + text, return_offsets_mapping=True, return_special_tokens_mask=True,
                                  truncation=True, max_length=self.max_seq_length)
            if len(tok["input_ids"]) != n:
                raise RuntimeError(f"tokenizer and model disagree on the token count of {text[:40]!r}")
            states.append(TokenStates(o["token_embeddings"][:n].float().numpy(),
                                      _text_ends(tok["offset_mapping"], tok["special_tokens_mask"], len(self.prefix))))
        return states

    def encode_with_sentences(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
                              ) -> tuple[np.ndarray, list[np.ndarray]]:
        """One forward pass → (document vectors, per document a sentences × dim array).

        A sentence's vector is pooled from its own tokens (plus the special and prefix tokens every
        standalone encoding has) out of the document's pass, so sentence-level feelings cost no
        second embedding pass. A document with one sentence gets its document vector.
        """
        if len(texts) != len(spans):
            raise ValueError(f"{len(texts)} texts but {len(spans)} sentence span lists")
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32), []
        states = self.token_states(texts)
        docs = np.stack([s.pooled() for s in states])
        sentences = [s.pooled_spans(sp) if len(sp) > 1 else docs[i][None, :] for i, (s, sp) in enumerate(zip(states, spans))]
        return docs, sentences

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Ray Data `map_batches` shape: {"text": array} → same dict plus "embedding"."""
        return {**batch, "embedding": self.encode([str(t) for t in batch["text"]])}


class OnnxInt8Embedder(Embedder):
    """The same model as int8 ONNX, run with onnxruntime + the fast tokenizer; mean pooling in numpy."""

    def __init__(self, *, onnx_path: str | Path, **kwargs):
        super().__init__(**kwargs)
        self.onnx_path = Path(onnx_path)
        # Distinct id: int8 vectors differ slightly from fp32 ones and must not share cache entries.
        self.model_id = f"{self.model_id}+onnx-int8-per-channel"
        self._tokenizer = None

    @classmethod
    def from_config(cls, cfg: EmbeddingConfig) -> "OnnxInt8Embedder":
        return cls(onnx_path=resolve(cfg.onnx_file), model_dir=resolve(cfg.model_dir), model_id=cfg.model_id,
                   batch_size=cfg.batch_size, prefix=cfg.prefix, max_seq_length=cfg.max_seq_length)

    def _load(self):
        if self._model is None:
            if not self.onnx_path.is_file():
                raise FileNotFoundError(f"int8 ONNX model not found at {self.onnx_path}; build it with `make setup` "
                                        "(or `signals build-model`)")
            import onnxruntime as ort
            from tokenizers import Tokenizer

            opts = ort.SessionOptions()
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            self._model = ort.InferenceSession(str(self.onnx_path), opts, providers=["CPUExecutionProvider"])
            tok = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            tok.enable_truncation(max_length=self.max_seq_length)
            tok.enable_padding(pad_id=1, pad_token="<pad>")
            self._tokenizer = tok
        return self._model

    @property
    def dim(self) -> int:
        return int(self._load().get_outputs()[0].shape[-1])

    def _batches(self, texts: Sequence[str]):
        """(indices, encodings, last hidden states, attention mask) per batch of similar-length texts."""
        session = self._load()
        # Batches of similar length waste little compute on padding.
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            idx = order[start:start + self.batch_size]
            enc = self._tokenizer.encode_batch([self.prefix + texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            yield idx, enc, session.run(None, {"input_ids": ids, "attention_mask": mask})[0], mask

    def token_states(self, texts: Sequence[str]) -> list[TokenStates]:
        out: list[TokenStates | None] = [None] * len(texts)
        for idx, enc, hidden, mask in self._batches(texts):
            for row, (i, e) in enumerate(zip(idx, enc)):
                n = int(mask[row].sum())
                out[i] = TokenStates(hidden[row, :n].copy(), _text_ends(e.offsets[:n], e.special_tokens_mask[:n],
                                                                           len(self.prefix)))
        return out  # type: ignore[return-value]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        # Pooled batch by batch: memory stays at one batch of token states, however many texts.
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx, _, hidden, mask in self._batches(texts):
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


# Versioned names, chosen by `embedding.backend` in the config.
BACKENDS: dict[str, type[Embedder]] = {"sentence-transformers": Embedder, "onnx-int8": OnnxInt8Embedder}


def make_embedder(cfg: EmbeddingConfig) -> Embedder:
    return BACKENDS[cfg.backend].from_config(cfg)


class EmbeddingCache:
    """Append-only Parquet shards of (text_hash, embedding) per cache key.

    Content-addressed, so a shard left by a crashed run is still correct and simply reused.
    """

    def __init__(self, root: str | Path, key: str):
        self.dir = Path(root) / key

    def sibling(self, name: str) -> "EmbeddingCache":
        """A second cache beside this one for other vectors of the same model (e.g. sentences)."""
        return EmbeddingCache(self.dir.parent, f"{self.dir.name}-{name}")

    def lookup(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        wanted = set(hashes)
        found: dict[str, np.ndarray] = {}
        for shard in sorted(self.dir.glob("*.parquet")):
            table = pq.read_table(shard)
            for h, v in zip(table.column("text_hash").to_pylist(), table.column("embedding").to_numpy(zero_copy_only=False)):
                if h in wanted:
                    found[h] = np.asarray(v, dtype=np.float32)
        return found

    def add(self, hashes: Sequence[str], vectors: np.ndarray | Sequence[np.ndarray]) -> None:
        """Rows of one matrix, or vectors of differing lengths (a text's sentence vectors, flattened)."""
        if len(hashes) == 0:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        table = pa.table({"text_hash": pa.array(list(hashes), pa.string()),
                          "embedding": pa.array([np.asarray(v, dtype=np.float32) for v in vectors],
                                                pa.list_(pa.float32()))})
        name = f"part-{uuid.uuid4().hex}.parquet"
        tmp = self.dir / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, self.dir / name)


@dataclass
class Embedded:
    vectors: np.ndarray                        # one per text, in input order
    n_new: int                                 # texts that went through the encoder (the rest came from the cache)
    sentences: list[np.ndarray] | None = None  # per text a sentences × dim array, when spans were given


def sentence_key(text_hash: str, spans: Sequence[tuple[int, int]]) -> str:
    """Cache key of a text's sentence vectors: the same text split differently is a different entry."""
    return hashlib.sha256(f"{text_hash}|{[list(s) for s in spans]}".encode()).hexdigest()


def embed_documents(texts: Sequence[str], hashes: Sequence[str], embedder: Embedder, cache: EmbeddingCache,
                    chunk_size: int = 512, progress: bool = False,
                    sentence_spans: Sequence[Sequence[tuple[int, int]]] | None = None) -> Embedded:
    """Vectors for all texts, running the encoder only on those not cached.

    With `sentence_spans` (per text, its sentences' character spans), each multi-sentence text also
    gets a vector per sentence from the same forward pass, cached beside the document vectors.
    New vectors are cached chunk by chunk, so a crash mid-way loses at most one chunk of work.
    """
    spans = [[tuple(x) for x in sp] for sp in sentence_spans] if sentence_spans is not None else None
    if spans is not None and len(spans) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(spans)} sentence span lists")
    known = cache.lookup(hashes)
    skeys = {h: sentence_key(h, sp) for h, sp in zip(hashes, spans or []) if len(sp) > 1}
    sentence_cache = cache.sibling("sentences")
    known_s = sentence_cache.lookup(list(skeys.values())) if skeys else {}
    todo: dict[str, int] = {}
    for i, h in enumerate(hashes):
        if h not in todo and (h not in known or (h in skeys and skeys[h] not in known_s)):
            todo[h] = i
    todo_items = list(todo.items())
    with tqdm(total=len(todo_items), desc="embed", unit="doc", disable=not progress, leave=False) as bar:
        for start in range(0, len(todo_items), chunk_size):
            chunk = todo_items[start:start + chunk_size]
            chunk_texts = [texts[i] for _, i in chunk]
            if spans is None:
                vecs = embedder.encode(chunk_texts)
            else:
                vecs, sents = embedder.encode_with_sentences(chunk_texts, [spans[i] for _, i in chunk])
                multi = [(skeys[h], s) for (h, _), s in zip(chunk, sents) if h in skeys]
                sentence_cache.add([k for k, _ in multi], [s.ravel() for _, s in multi])
                known_s.update(multi)
            cache.add([h for h, _ in chunk if h not in known], [v for (h, _), v in zip(chunk, vecs) if h not in known])
            known.update({h: v for (h, _), v in zip(chunk, vecs)})
            bar.update(len(chunk))
    if not hashes:
        return Embedded(np.zeros((0, embedder.dim), dtype=np.float32), 0, [] if spans is not None else None)
    vectors = np.stack([known[h] for h in hashes])
    sentences = None
    if spans is not None:
        dim = vectors.shape[1]
        sentences = [known_s[skeys[h]].reshape(-1, dim) if h in skeys else vectors[i][None, :]
                     for i, h in enumerate(hashes)]
    return Embedded(vectors, len(todo_items), sentences)
