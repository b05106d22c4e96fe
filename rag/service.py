"""The service every boundary uses, and `build_service`: the one place that picks concrete classes.

The CLI, the HTTP API and the UI call `RagService`; none of them builds parts itself. It is two
pieces, each readable and testable alone: an `IndexManager` (the seeds folder's index, its
documents, index runs as jobs) and an `AnswerPipeline` (the path a question takes).
"""
from __future__ import annotations

from pathlib import Path

from rag import local_llm
from rag.answer import ExtractiveAnswerer
from rag.config import Settings
from rag.embedding import Embedder, VectorCache, make_embedder
from rag.errors import ConfigError, NoIndexError
from rag.generation import LLM
from rag.grounding import Grounder
from rag.ingest.manager import IndexManager
from rag.ingest.engines import INGEST_ENGINES
from rag.ingest.indexer import Indexer
from rag.pipeline import EXTRACTIVE, AnswerPipeline
from rag.retrieval import RERANKERS, Retriever

ANSWERERS: dict[str, type] = {EXTRACTIVE: ExtractiveAnswerer}  # generation.model may name one of these


class RagService:
    def __init__(self, settings: Settings, embedder: Embedder, index: IndexManager, pipeline: AnswerPipeline):
        self._settings = settings
        self.embedder = embedder
        self.index_manager = index
        self.pipeline = pipeline

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """New settings at run time (API key, model, limits): every piece reads them from here."""
        self._settings = self.pipeline.settings = settings
        self.index_manager.max_upload_mb = settings.server.max_upload_mb

    @property
    def llm(self):
        return self.pipeline.llm

    @llm.setter
    def llm(self, llm) -> None:
        self.pipeline.llm = llm

    @property
    def retriever(self) -> Retriever:
        return self.pipeline.retriever

    @property
    def jobs(self):
        return self.index_manager.jobs

    @property
    def seeds_dir(self) -> Path:
        return self.index_manager.seeds_dir

    @property
    def index_dir(self) -> Path:
        return self.index_manager.index_dir

    def for_folders(self, seeds: Path, index: Path, **overrides) -> "RagService":
        """The same service over another folder and index (evaluation, benchmarks), sharing the
        loaded models; `overrides` as for Settings.with_overrides."""
        settings = self.settings.with_overrides(paths__seeds=seeds, paths__index=index, **overrides)
        return build_service(settings, self.embedder)

    # -- the index and its documents (IndexManager) --------------------------------------

    def snapshot(self):
        return self.index_manager.snapshot()

    def has_index(self) -> bool:
        return self.index_manager.has_index()

    def status(self) -> dict:
        return self.index_manager.status()

    def index(self, **options):
        return self.index_manager.index(**options)

    def start_index(self, kind: str = "reindex", document: str | None = None):
        return self.index_manager.start_index(kind, document)

    def upload(self, filename: str, data: bytes, *, replace: bool = False):
        return self.index_manager.upload(filename, data, replace=replace)

    def remove(self, name: str):
        return self.index_manager.remove(name)

    def documents(self) -> list[dict]:
        return self.index_manager.documents()

    def document(self, name: str) -> dict:
        return self.index_manager.document(name)

    def document_file(self, name: str):
        return self.index_manager.document_file(name)

    # -- questions (AnswerPipeline) -------------------------------------------------------

    def ask(self, question: str, **options):
        return self.pipeline.ask(question, **options)

    def ask_stream(self, question: str, **options):
        return self.pipeline.ask_stream(question, **options)

    def retrieve(self, query: str, top_k: int | None = None):
        return self.pipeline.retrieve(query, top_k)

    def extract(self, query: str, hits):
        return self.pipeline.extract(query, hits)

    def answers_under(self, question: str, variants: list[dict]):
        return self.pipeline.answers_under(question, variants)


def build_service(settings: Settings, embedder: Embedder | None = None) -> RagService:
    """Wire the configured parts (or a given embedder, for tests) into a service."""
    embedder = embedder or make_embedder(settings.embedding)
    indexer = Indexer(embedder, settings.chunking.chunk_tokens, settings.chunking.overlap_tokens, settings.store,
                      engine=INGEST_ENGINES.load(settings.ingest.engine)(settings),
                      sentences=settings.embedding.sentences)
    index = IndexManager(settings.paths.seeds, settings.paths.index, indexer, settings.server.max_upload_mb)
    if settings.retrieval.rerank not in RERANKERS:
        raise ConfigError(f"retrieval.rerank '{settings.retrieval.rerank}' is unknown; "
                          f"choose one of: {', '.join(RERANKERS)}.")
    retriever = Retriever(embedder, settings.retrieval, RERANKERS[settings.retrieval.rerank](embedder))
    sentences = VectorCache(embedder)  # shared: the answerer and the citation checker see the same sentences
    answerers = {name: cls(embedder, settings.answer, sentences) for name, cls in ANSWERERS.items()}
    llm = LLM(settings.generation, providers=(local_llm.register,))
    pipeline = AnswerPipeline(settings, index.snapshot, retriever, answerers,
                              Grounder(embedder, settings.grounding, sentences), llm)
    return RagService(settings, embedder, index, pipeline)


__all__ = ["RagService", "build_service", "NoIndexError"]
