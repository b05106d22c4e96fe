"""The one place that wires concrete classes together, and the service every boundary uses.

The CLI, the HTTP API and the UI all call `RagService`; none of them builds parts itself.
"""
from __future__ import annotations

import threading
from pathlib import Path

from . import storage
from .answer import AnswerSettings, ExtractiveAnswerer, not_found_answer
from .config import Settings
from .embedding import Embedder, SentenceTransformerEmbedder
from .errors import NoIndexError, UserInputError
from .indexer import Indexer
from .records import Answer, IndexSummary
from .retrieval import RetrievalSettings, Retriever


class RagService:
    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self.indexer = Indexer(embedder, settings.chunking.chunk_tokens, settings.chunking.overlap_tokens)
        self.retriever = Retriever(embedder, RetrievalSettings(**settings.retrieval.model_dump()))
        self.extractive = ExtractiveAnswerer(embedder, AnswerSettings(**settings.answer.model_dump()))
        self._snapshot: storage.Snapshot | None = None
        self._swap = threading.Lock()

    @property
    def seeds_dir(self) -> Path:
        return self.settings.paths.seeds

    @property
    def index_dir(self) -> Path:
        return self.settings.paths.index

    # -- index -------------------------------------------------------------------------

    def snapshot(self) -> storage.Snapshot:
        """The live index version; picks up a version another process swapped in."""
        current = self._snapshot
        if current is None or storage.current_name(self.index_dir) not in (None, current.name):
            with self._swap:
                current = self._snapshot
                live = storage.current_name(self.index_dir)
                if current is None or (live and live != current.name):
                    current = self._snapshot = storage.load_snapshot(self.index_dir)
        return current

    def has_index(self) -> bool:
        return storage.current_name(self.index_dir) is not None

    def index(self, *, rebuild: bool = False, progress: bool = False) -> IndexSummary:
        summary = self.indexer.run(self.seeds_dir, self.index_dir, rebuild=rebuild, progress=progress)
        with self._swap:
            self._snapshot = None
        self.snapshot()
        return summary

    # -- questions -----------------------------------------------------------------------

    def ask(self, question: str, *, top_k: int | None = None) -> Answer:
        question = self._check_question(question)
        top_k = self._check_top_k(top_k)
        snapshot = self.snapshot()
        hits = self.retriever.search(snapshot, question, top_k)
        answer = self.extractive.answer(question, hits) if hits else not_found_answer(question)
        answer.index_version = snapshot.name
        return answer

    def _check_question(self, question) -> str:
        if not isinstance(question, str) or not question.strip():
            raise UserInputError("The question is empty; ask something about the documents.")
        limit = self.settings.server.max_question_chars
        if len(question) > limit:
            raise UserInputError(f"The question is {len(question)} characters long; the limit is {limit}.")
        cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in question).strip()
        if not cleaned:
            raise UserInputError("The question holds no readable text.")
        return cleaned

    def _check_top_k(self, top_k) -> int:
        if top_k is None:
            return self.settings.retrieval.top_k
        if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 100:
            raise UserInputError("top_k must be a whole number from 1 to 100.")
        return top_k


def build_service(settings: Settings, embedder: Embedder | None = None) -> RagService:
    """Wire the real parts (or a given embedder, for tests) into a service."""
    if embedder is None:
        e = settings.embedding
        embedder = SentenceTransformerEmbedder(e.model, e.batch_size, e.query_threads, e.index_threads)
    return RagService(settings, embedder)


__all__ = ["RagService", "build_service", "NoIndexError"]
