"""The int8 ONNX backend, exported here from the packaged model, against the fp32 original."""
import pytest

from rag.service import build_service

from .conftest import SEED_FILE, make_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def onnx_embedder(tmp_path_factory):
    from rag.onnx_embedding import OnnxInt8Embedder

    return OnnxInt8Embedder("all-MiniLM-L6-v2", cache_dir=tmp_path_factory.mktemp("onnx-cache"))


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
    service.index()
    answer = service.ask("What did Xi tell Biden?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "core interests" in quotes and "conflict and turmoil" in quotes
    assert service.ask("What is the population of Brazil?").not_found
