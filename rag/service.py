"""The service every boundary uses, and `build_service`: the one place that picks concrete classes.

The CLI, the HTTP API and the UI hold a `RagService` and reach its two wings directly:
`service.index` (an `IndexManager`: the seeds folder's index, its documents, index runs as jobs)
and `service.answers` (an `AnswerPipeline`: the path a question takes); `service.counters` (the
Prometheus metrics) and `service.answer_log` (answers and their ratings) observe both. Settings are fixed once
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
from rag.errors import ConfigError, NoIndexError
from rag.ingest import ocr
from rag.ingest.engines import INGEST_ENGINES
from rag.ingest.indexer import Indexer
from rag.ingest.manager import IndexManager
from rag.observe.answer_log import AnswerLog
from rag.observe.counters import Counters


class RagService:
    def __init__(self, settings: Settings, embedder: Embedder, index: IndexManager, answers: AnswerPipeline,
                 counters: Counters | None = None, answer_log: AnswerLog | None = None):
        self._settings = settings
        self.embedder = embedder
        self.index = index
        self.answers = answers
        self.counters = counters or Counters()
        self.answer_log = answer_log  # None when log.answers is off

    def rate(self, answer_id: str, rating: str, comment: str | None = None,
             correct_source: str | None = None) -> dict:
        """Keep a user's rating of an answer (the answer log must be on)."""
        if self.answer_log is None:
            raise ConfigError("Ratings need the answer log: set log.answers: true in config.yaml.")
        rated = self.answer_log.rate(answer_id, rating, comment, correct_source)
        self.counters.rated(rating)
        return rated

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
    ocr.use(settings.ocr)  # readers take bytes alone: scanned pages read with these settings
    indexer = Indexer(embedder, settings.chunking.chunk_tokens, settings.chunking.overlap_tokens, settings.store,
                      engine=INGEST_ENGINES.load(settings.ingest.engine)(settings),
                      sentences=settings.embedding.sentences, whole_chunks=settings.embedding.chunk_vectors == "whole")
    index = IndexManager(settings.paths.seeds, settings.paths.index, indexer, settings.server.max_upload_mb,
                         fetching=settings.fetch)
    retriever = Retriever(embedder, settings.retrieval, RERANKERS.load(settings.retrieval.rerank)(embedder))
    sentences = VectorCache(embedder)  # shared: the answerer and the citation checker see the same sentences
    verifier = Verifier(settings.verifier.checks)  # one for both: the extractive answer and the grounding check
    answerers = {name: cls(embedder, settings.answer, sentences, verifier)
                 for name, cls in ANSWERERS.load_all().items()}
    answers = AnswerPipeline(settings, index.snapshot, retriever, answerers,
                             Grounder(embedder, settings.grounding, sentences, verifier), llm or LLM(settings.generation))
    return _observed(RagService(settings, embedder, index, answers, Counters(index_size=_size(index)),
                                _answer_log(settings)))


def _answer_log(settings: Settings) -> AnswerLog | None:
    log = settings.log
    if not log.answers:
        return None
    return AnswerLog(settings.paths.index / "answers.sqlite3", keep_text=log.questions,
                     retention_days=log.retention_days)


def _observed(service: RagService) -> RagService:
    """The counters and the answer log hear of every answer and every index job."""
    service.answers.observers.append(service.counters.asked)
    if service.answer_log is not None:
        service.answers.observers.append(service.answer_log.record)
    service.index.jobs.observers.append(lambda job, seconds: service.counters.job(
        job.kind, job.state, seconds, (job.summary or {}).get("chunks_embedded", 0)))
    return service


def _size(index: IndexManager):
    def size() -> tuple[int, int]:
        if not index.has_index():
            return 0, 0
        documents = index.snapshot().documents
        return len(documents), sum(d["chunks"] for d in documents.values())

    return size


__all__ = ["RagService", "build_service", "NoIndexError"]
