"""Each extension point is one file plus one registry entry, chosen by config: shown here by
registering the fake of each in tests/extensions/ and using it through the real service."""
import pytest
from fastapi.testclient import TestClient

from rag.answering.pipeline import ANSWERERS
from rag.answering.retrieval import RERANKERS
from rag.answering.verifier import CHECKS
from rag.api import app as api
from rag.config import Embedding
from rag.embedding import EMBEDDERS, make_embedder
from rag.errors import ConfigError
from rag.ingest import readers
from rag.ingest.engines import INGEST_ENGINES
from rag.ingest.files import safe_name
from rag.ingest.formats import READERS
from rag.language.sentences import split_sentences
from rag.service import build_service
from rag.stores import BACKENDS
from rag.stores.segment import VECTOR_INDEXES

from tests.conftest import make_settings
from tests.extensions.bow_embedder import BowEmbedder
from tests.extensions.counting_engine import Counting
from tests.extensions.numpy_index import NumpyIndex

QUESTION = "What did Xi tell Biden?"


def test_a_file_format(monkeypatch):
    monkeypatch.setitem(READERS, ".tea", "tests.extensions.semicolons:read")
    doc = readers.parse_document("menu.tea", b"Green tea is steamed;Black tea is oxidised")
    assert [doc.text[a:b] for a, b in split_sentences(doc.text)] == ["Green tea is steamed", "Black tea is oxidised"]
    assert safe_name("menu.tea") == "menu.tea"


def test_an_embedder(monkeypatch, seeds_copy, tmp_path):
    monkeypatch.setitem(EMBEDDERS, "bow", "tests.extensions.bow_embedder:BowEmbedder")
    assert isinstance(make_embedder(Embedding(backend="bow")), BowEmbedder)
    svc = build_service(make_settings(seeds_copy, tmp_path / "index", embedding__backend="bow"))
    svc.index.run()
    assert svc.index.snapshot().manifest["embedding"]["model"] == "bag-of-words"
    with pytest.raises(ConfigError, match="choose one of"):
        make_embedder(Embedding(backend="nope"))


def test_an_embedder_named_in_config_alone(seeds_copy, tmp_path):
    """No registry edit at all: config names the class as module:Class."""
    svc = build_service(make_settings(seeds_copy, tmp_path / "index",
                                      embedding__backend="tests.extensions.bow_embedder:BowEmbedder"))
    assert isinstance(svc.embedder, BowEmbedder)


def test_an_index_backend(monkeypatch, seeds_copy, tmp_path, fake_embedder):
    monkeypatch.setitem(BACKENDS, "memory", "tests.extensions.memory_store:MemoryBackend")
    settings = make_settings(seeds_copy, tmp_path / "index", store__backend="memory",
                             store__memory={"label": "in this process"})
    svc = build_service(settings, fake_embedder)
    svc.index.run()
    view = svc.index.snapshot()
    assert view.name.startswith("memory-") and view.manifest["label"] == "in this process"
    answer = svc.answers.ask(QUESTION)
    assert any("core interests" in c.quote for c in answer.citations) and answer.index_version == view.name
    assert not any(tmp_path.joinpath("index").glob("**/*.faiss"))  # nothing of the local store was written


def test_a_vector_index(monkeypatch, seeds_copy, tmp_path, fake_embedder):
    monkeypatch.setitem(VECTOR_INDEXES, "numpy", "tests.extensions.numpy_index:NumpyIndex")
    svc = build_service(make_settings(seeds_copy, tmp_path / "index", store__local__vectors="numpy"), fake_embedder)
    svc.index.run()
    view = svc.index.snapshot()
    assert all(isinstance(s.vectors, NumpyIndex) for s in view.segments)
    assert view.manifest["store"]["vectors"] == "numpy"
    assert any("core interests" in c.quote for c in svc.answers.ask(QUESTION).citations)


def test_an_ingest_engine(monkeypatch, seeds_copy, tmp_path, fake_embedder):
    monkeypatch.setitem(INGEST_ENGINES, "counting", "tests.extensions.counting_engine:Counting")
    svc = build_service(make_settings(seeds_copy, tmp_path / "index", ingest__engine="counting"), fake_embedder)
    before = Counting.files
    assert svc.index.run().added == 1 and Counting.files == before + 1


def test_a_reranker(monkeypatch, seeds_copy, tmp_path, fake_embedder):
    monkeypatch.setitem(RERANKERS, "reverse", "tests.extensions.reverse_rerank:Reverse")
    plain = build_service(make_settings(seeds_copy, tmp_path / "index"), fake_embedder)
    plain.index.run()
    reversed_ = plain.reconfigured(retrieval__rerank="reverse")
    fused = [h.chunk.id for h in plain.answers.search(QUESTION)]
    assert len(fused) > 1 and [h.chunk.id for h in reversed_.answers.search(QUESTION)] == fused[::-1]


def test_an_answerer(monkeypatch, seeds_copy, tmp_path, fake_embedder):
    monkeypatch.setitem(ANSWERERS, "first-sentence", "tests.extensions.first_sentence:FirstSentence")
    svc = build_service(make_settings(seeds_copy, tmp_path / "index"), fake_embedder)
    svc.index.run()
    answer = svc.answers.ask(QUESTION, model="first-sentence")
    assert answer.model == "first-sentence" and answer.answer.endswith("[1]") and answer.index_version


def test_an_endpoint(monkeypatch, fake_service):
    monkeypatch.setitem(api.ROUTES, "count", "tests.extensions.count_routes:routes")
    fake_service.index.run()
    assert TestClient(api.create_app(fake_service)).get("/api/count").json() == {"documents": 1}


class Scripted:
    """Stands in for litellm: always writes the same answer."""

    def __init__(self, text):
        self.text = text

    def complete(self, model, messages):
        return self.text


def test_a_verifier_check(monkeypatch, seeds_copy, tmp_path, fake_embedder):
    monkeypatch.setitem(CHECKS, "no-hedging", "tests.extensions.no_hedging:no_hedging")
    settings = make_settings(seeds_copy, tmp_path / "index", generation__model="scripted/model",
                             verifier__checks=["no-hedging", "roles", "negation", "specifics"])
    told = ("Xi told Biden at the Asia-Pacific Economic Cooperation summit in Peru that Beijing does not allow "
            "conflict and turmoil to happen on the Korean Peninsula")
    svc = build_service(settings, fake_embedder, llm=Scripted(f"{told} [1]. Probably, {told} [1]."))
    svc.index.run()
    kept, hedged = svc.answers.ask(QUESTION).parts
    assert not kept.unsupported and kept.citations
    assert hedged.unsupported and hedged.check == "no-hedging" and hedged.reason == "It hedges where the passage does not."
