"""Each extension point is one class (or module) plus one registry line, chosen by config:
shown here by adding a fake one of each and using it through the real service."""
import numpy as np
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from rag.ingest import readers
from rag.ingest.formats import READERS
from rag.api import app as server
from rag import service as service_module
from rag.stores.segment import VECTOR_INDEXES
from rag.language.sentences import split_sentences
from rag.config import Embedding
from rag.ingest.files import safe_name
from rag.answering.pipeline import ANSWERERS
from rag.embedding import EMBEDDERS, make_embedder
from rag.errors import ConfigError
from rag.records import Answer, AnswerPart, Citation

from tests.conftest import FakeEmbedder, make_settings


def test_a_file_format(tmp_path, monkeypatch):
    package = tmp_path / "teaformats"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "semicolons.py").write_text(
        "from rag.ingest.layout import Layout\n\n\ndef read(data):\n    layout = Layout()\n"
        "    for part in data.decode().split(';'):\n        layout.block(part)\n    return layout.finish()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(READERS, ".tea", "teaformats.semicolons:read")  # the one registry line
    doc = readers.parse_document("menu.tea", b"Green tea is steamed;Black tea is oxidised")
    assert [doc.text[a:b] for a, b in split_sentences(doc.text)] == ["Green tea is steamed", "Black tea is oxidised"]
    assert safe_name("menu.tea") == "menu.tea"


class BowEmbedder(FakeEmbedder):
    name = "bag-of-words"

    def __init__(self, model, batch_size, threads, cache_dir):
        super().__init__()


def test_an_embedder(monkeypatch, seeds_copy, tmp_path):
    monkeypatch.setitem(EMBEDDERS, "bow", f"{__name__}:BowEmbedder")
    assert isinstance(make_embedder(Embedding(backend="bow")), BowEmbedder)
    svc = service_module.build_service(make_settings(seeds_copy, tmp_path / "index", embedding__backend="bow"))
    svc.index.run()
    assert svc.index.snapshot().manifest["embedding"]["model"] == "bag-of-words"
    with pytest.raises(ConfigError, match="choose one of"):
        make_embedder(Embedding(backend="nope"))


class NumpyStore:
    """Exact search over a numpy matrix, saved with np.save."""

    FILENAME = "vectors.npz"

    def __init__(self, dim, ids=None, vectors=None):
        self.dim = dim
        self._ids = np.zeros(0, dtype=np.int64) if ids is None else ids
        self._vectors = np.zeros((0, dim), dtype=np.float32) if vectors is None else vectors

    @classmethod
    def build(cls, dim, ids, vectors):
        return cls(dim, ids, vectors)

    @classmethod
    def load(cls, directory):
        data = np.load(directory / cls.FILENAME)
        return cls(data["vectors"].shape[1], data["ids"], data["vectors"])

    def save(self, directory):
        with open(directory / self.FILENAME, "wb") as handle:
            np.savez(handle, ids=self._ids, vectors=self._vectors)

    def excluding(self, ids):
        return ids

    def search(self, queries, k, exclude=None):
        scores = queries @ self._vectors.T
        if exclude is not None:
            scores[:, np.isin(self._ids, exclude)] = -np.inf
        order = np.argsort(-scores, axis=1)[:, :k]
        return np.take_along_axis(scores, order, axis=1), self._ids[order]

    def vectors(self):
        return self._ids, self._vectors

    def __len__(self):
        return len(self._ids)


def test_a_vector_store(monkeypatch, seeds_copy, tmp_path, fake_embedder):
    monkeypatch.setitem(VECTOR_INDEXES, "numpy", f"{__name__}:NumpyStore")
    svc = service_module.build_service(make_settings(seeds_copy, tmp_path / "index", store__local__vectors="numpy"),
                                       fake_embedder)
    svc.index.run()
    assert all(isinstance(s.vectors, NumpyStore) for s in svc.index.snapshot().segments) and svc.index.snapshot().manifest["store"]["vectors"] == "numpy"
    answer = svc.answers.ask("What did Xi tell Biden?")
    assert any("core interests" in c.quote for c in answer.citations)


class FirstSentence:
    """Answers with the first sentence of the best hit, cited."""

    def __init__(self, embedder, settings, cache):
        pass

    def answer(self, question, hits):
        chunk = hits[0].chunk
        start, end = chunk.sentences[0]
        quote = chunk.sentence_text(start, end)
        citation = Citation(id=1, source=chunk.source, title=chunk.title, date=chunk.date, quote=quote, start=start,
                            end=end, chunk_id=chunk.id, text=chunk.text, score=1.0)
        return Answer(answer=f"{quote} [1]", not_found=False, citations=[citation],
                      parts=[AnswerPart(text=quote, citations=[1])])


def test_an_answerer(monkeypatch, seeds_copy, tmp_path, fake_embedder):
    monkeypatch.setitem(ANSWERERS, "first-sentence", f"{__name__}:FirstSentence")
    svc = service_module.build_service(make_settings(seeds_copy, tmp_path / "index"), fake_embedder)
    svc.index.run()
    answer = svc.answers.ask("What did Xi tell Biden?", model="first-sentence")
    assert answer.model == "first-sentence" and answer.answer.endswith("[1]") and answer.index_version


def count_routes(service, writer):
    router = APIRouter(prefix="/api")

    @router.get("/count")
    def count() -> dict:
        return {"documents": len(service.index.documents())}

    return router


def test_an_endpoint(monkeypatch, fake_service):
    monkeypatch.setitem(server.ROUTES, "count", f"{__name__}:count_routes")
    fake_service.index.run()
    assert TestClient(server.create_app(fake_service)).get("/api/count").json() == {"documents": 1}
