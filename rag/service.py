"""The service every boundary uses, and `build_service`: the one place that picks concrete classes.

The CLI, the HTTP API and the UI hold a `RagService` and reach its two wings directly:
`service.index` (an `IndexManager`: the seeds folder's index, its documents, index runs as jobs)
and `service.answers` (an `AnswerPipeline`: the path a question takes). Settings are fixed once
built, so no part can hold a stale copy: `reconfigured` builds another service on the same models.
"""
from __future__ import annotations

from rag.answering.generation import LLM
from rag.answering.grounding import Grounder
from rag.answering.pipeline import ANSWERERS, AnswerPipeline
from rag.answering.retrieval import RERANKERS, Retriever
from rag.answering.verifier import Verifier
from rag.config import Settings
from rag.embedding import Embedder, VectorCache, make_embedder
from rag.errors import NoIndexError
from rag.ingest.engines import INGEST_ENGINES
from rag.ingest.indexer import Indexer
from rag.ingest.manager import IndexManager


class RagService:
    def __init__(self, settings: Settings, embedder: Embedder, index: IndexManager, answers: AnswerPipeline):
        self._settings = settings
        self.embedder = embedder
        self.index = index
        self.answers = answers

    @property
    def settings(self) -> Settings:
        return self._settings

    def reconfigured(self, **overrides) -> "RagService":
        """The same service with settings changed (`paths__index=...`, as Settings.with_overrides),
        sharing the loaded embedding model; this one is left as it was."""
        return build_service(self.settings.with_overrides(**overrides), self.embedder)


def build_service(settings: Settings, embedder: Embedder | None = None, llm: LLM | None = None) -> RagService:
    """Wire the configured parts (or a given embedder or LLM client, for tests) into a service."""
    embedder = embedder or make_embedder(settings.embedding)
    indexer = Indexer(embedder, settings.chunking.chunk_tokens, settings.chunking.overlap_tokens, settings.store,
                      engine=INGEST_ENGINES.load(settings.ingest.engine)(settings),
                      sentences=settings.embedding.sentences)
    index = IndexManager(settings.paths.seeds, settings.paths.index, indexer, settings.server.max_upload_mb)
    retriever = Retriever(embedder, settings.retrieval, RERANKERS.load(settings.retrieval.rerank)(embedder))
    sentences = VectorCache(embedder)  # shared: the answerer and the citation checker see the same sentences
    verifier = Verifier(settings.verifier.checks)  # one for both: the extractive answer and the grounding check
    answerers = {name: cls(embedder, settings.answer, sentences, verifier)
                 for name, cls in ANSWERERS.load_all().items()}
    answers = AnswerPipeline(settings, index.snapshot, retriever, answerers,
                             Grounder(embedder, settings.grounding, sentences, verifier), llm or LLM(settings.generation))
    return RagService(settings, embedder, index, answers)


__all__ = ["RagService", "build_service", "NoIndexError"]
