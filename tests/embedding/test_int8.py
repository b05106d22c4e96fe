"""The int8 ONNX backend, exported here from the packaged model, against the fp32 original."""
import subprocess
import sys

import numpy as np
import pytest

from rag.service import build_service

from tests.conftest import SEED_FILE, make_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    """A cache the model is exported into by a process of its own, which must never import torch:
    the export runs in a child, so a serving process does not keep torch's memory."""
    cache = tmp_path_factory.mktemp("onnx-cache")
    probe = ("import sys; from rag.embedding.int8 import OnnxInt8Embedder; "
             f"OnnxInt8Embedder('all-MiniLM-L6-v2', cache_dir={str(cache)!r}).embed_batch(['x']); "
             "print(sorted({'torch', 'transformers'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
    assert [p.suffix for p in cache.iterdir()] == [".onnx"]  # no temporary file left behind
    return cache


@pytest.fixture(scope="module")
def onnx_embedder(onnx_cache):
    from rag.embedding.int8 import OnnxInt8Embedder

    return OnnxInt8Embedder("all-MiniLM-L6-v2", cache_dir=onnx_cache)


def test_calls_at_once_give_the_vectors_one_call_at_a_time_gives(onnx_embedder, onnx_cache):
    from rag.embedding.int8 import OnnxInt8Embedder

    sentences = [line for line in SEED_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    one = OnnxInt8Embedder("all-MiniLM-L6-v2", batch_size=2, threads=1, cache_dir=onnx_cache)
    many = OnnxInt8Embedder("all-MiniLM-L6-v2", batch_size=2, threads=3, cache_dir=onnx_cache)
    assert len(sentences) > 6 and many.calls == 3
    assert np.array_equal(one.embed_batch(sentences), many.embed_batch(sentences))


def test_vectors_stay_close_to_fp32(onnx_embedder, real_embedder):
    sentences = [line for line in SEED_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    int8 = onnx_embedder.embed_batch(sentences)
    fp32 = real_embedder.embed_batch(sentences)
    agreement = (int8 * fp32).sum(axis=1)
    assert agreement.min() > 0.97 and agreement.mean() > 0.985
    assert onnx_embedder.token_spans(sentences[3]) == real_embedder.token_spans(sentences[3])
    assert onnx_embedder.name != real_embedder.name  # a switch of backend rebuilds the index


def test_service_answers_through_the_int8_backend(onnx_embedder, tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
    service = build_service(make_settings(tmp_path / "seeds", tmp_path / "index"), onnx_embedder)
    service.index.run()
    answer = service.answers.ask("What did Xi tell Biden?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "core interests" in quotes and "conflict and turmoil" in quotes
    assert service.answers.ask("What is the population of Brazil?").not_found


def test_the_tokenizer_gives_the_ids_and_offsets_transformers_gives():
    from transformers import AutoTokenizer

    from rag.embedding import resolve_model_path
    from rag.embedding.int8 import wordpieces

    folder = resolve_model_path("all-MiniLM-L6-v2")
    texts = [SEED_FILE.read_text(encoding="utf-8"),  # far past the 256-token window: cut
             "Café déjà vu — “quoted” naïve résumé, 北京 and ＡＢＣ ½.", "x", "Tabs\tand\nnewlines  twice."]
    reference = AutoTokenizer.from_pretrained(folder)
    expected = reference(texts, padding=True, truncation=True, max_length=256, return_tensors="np")
    encoded = wordpieces(folder, 256).encode_batch(texts)
    assert [e.ids for e in encoded] == expected["input_ids"].tolist()
    assert [e.attention_mask for e in encoded] == expected["attention_mask"].tolist()
    assert [e.type_ids for e in encoded] == expected["token_type_ids"].tolist()
    for text in texts:  # chunk boundaries come from these offsets: uncut, no special tokens
        spans = reference(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)["offset_mapping"]
        assert wordpieces(folder, None).encode(text, add_special_tokens=False).offsets == [tuple(s) for s in spans]
