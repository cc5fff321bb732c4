import csv
import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

from signals.config import REPO_ROOT, Config, load_config

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
MODEL_DIR = REPO_ROOT / "models" / "cache" / "multilingual-e5-small"

os.environ.setdefault("SIGNALS_PSEUDONYM_KEY", "test-key-not-secret")


def needs_shared(*parts: str) -> Path:
    """Path inside ../shared/data, or skip: a user's clone has no shared data, CI has."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared/data is only beside the checkout in CI)")
    return path


@pytest.fixture
def cfg() -> Config:
    return load_config()


@pytest.fixture(scope="session")
def model_dir() -> Path:
    if not (MODEL_DIR / "BUILD_OK.json").is_file():
        pytest.fail(f"embedding model not built at {MODEL_DIR}: run `make setup`")
    return MODEL_DIR


@pytest.fixture(scope="session")
def embedder(model_dir):
    """The embedder the nightly run uses (configured backend): heads are trained on its vectors."""
    from signals.embed import make_embedder

    return make_embedder(load_config().embedding)


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_jsonl(path: Path, items: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [it if isinstance(it, str) else json.dumps(it, ensure_ascii=False) for it in items]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def keyword_vectors(texts: list[str], signal: dict[str, int], dim: int) -> np.ndarray:
    """Deterministic fake embeddings for head tests: per-text hash noise plus a spike on the
    dimension named by the text's first word, so a head has something real to learn."""
    out = []
    for t in texts:
        rng = np.random.default_rng(int(hashlib.sha256(t.encode()).hexdigest()[:8], 16))
        v = rng.normal(0, 0.5, dim)
        word = t.split()[0]
        if word in signal:
            v[signal[word]] += 3
        out.append(v / np.linalg.norm(v))
    return np.array(out, dtype=np.float32)
