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
from pathlib import Path
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from signals.config import EmbeddingConfig, resolve
from signals.offline import enforce_offline


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

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        session = self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batches of similar length waste little compute on padding.
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            idx = order[start:start + self.batch_size]
            enc = self._tokenizer.encode_batch([self.prefix + texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
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

    def lookup(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        wanted = set(hashes)
        found: dict[str, np.ndarray] = {}
        for shard in sorted(self.dir.glob("*.parquet")):
            table = pq.read_table(shard)
            for h, v in zip(table.column("text_hash").to_pylist(), table.column("embedding").to_numpy(zero_copy_only=False)):
                if h in wanted:
                    found[h] = np.asarray(v, dtype=np.float32)
        return found

    def add(self, hashes: Sequence[str], vectors: np.ndarray) -> None:
        if len(hashes) == 0:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        table = pa.table({"text_hash": pa.array(list(hashes), pa.string()),
                          "embedding": pa.array(list(vectors.astype(np.float32)), pa.list_(pa.float32()))})
        name = f"part-{uuid.uuid4().hex}.parquet"
        tmp = self.dir / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, self.dir / name)


def embed_documents(texts: Sequence[str], hashes: Sequence[str], embedder: Embedder,
                    cache: EmbeddingCache, chunk_size: int = 512, progress: bool = False) -> tuple[np.ndarray, int]:
    """Vectors for all texts, embedding only those not cached; returns (vectors, n_newly_embedded).

    New vectors are cached chunk by chunk, so a crash mid-way loses at most one chunk of work.
    """
    known = cache.lookup(hashes)
    todo: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        if h not in known and h not in todo:
            todo[h] = t
    todo_items = list(todo.items())
    with tqdm(total=len(todo_items), desc="embed", unit="doc", disable=not progress, leave=False) as bar:
        for start in range(0, len(todo_items), chunk_size):
            chunk = todo_items[start:start + chunk_size]
            vecs = embedder.encode([t for _, t in chunk])
            cache.add([h for h, _ in chunk], vecs)
            known.update({h: v for (h, _), v in zip(chunk, vecs)})
            bar.update(len(chunk))
    if not hashes:
        return np.zeros((0, embedder.dim), dtype=np.float32), 0
    return np.stack([known[h] for h in hashes]), len(todo_items)
