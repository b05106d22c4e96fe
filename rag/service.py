"""The one place that wires concrete classes together, and the service every boundary uses.

The CLI, the HTTP API and the UI all call `RagService`; none of them builds parts itself.
"""
from __future__ import annotations

import threading
from pathlib import Path

from . import storage
from dataclasses import dataclass
from typing import Callable, Iterator

from .answer import AnswerSettings, ExtractiveAnswerer, not_found_answer
from .config import Settings
from .conversation import check_history, condense
from .embedding import Embedder, SentenceTransformerEmbedder, VectorCache
from .documents import content_type, read_indexed, resolve_existing, save_upload
from .errors import NoIndexError, NotFoundError, PayloadTooLargeError, ProviderError, UserInputError
from .generation import LLM, build_messages
from .grounding import Grounder
from .indexer import Indexer, Progress
from .jobs import Job, JobManager
from .records import Answer, IndexSummary
from .retrieval import RetrievalSettings, Retriever


class RagService:
    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self.indexer = Indexer(embedder, settings.chunking.chunk_tokens, settings.chunking.overlap_tokens)
        self.retriever = Retriever(embedder, RetrievalSettings(**settings.retrieval.model_dump()))
        sentences = VectorCache(embedder)  # shared: the answerer and the citation checker see the same sentences
        self.extractive = ExtractiveAnswerer(embedder, AnswerSettings(**settings.answer.model_dump()), sentences)
        self.grounder = Grounder(embedder, cache=sentences)
        self.llm = LLM(settings.generation)
        self._snapshot: storage.Snapshot | None = None
        self._swap = threading.Lock()
        self._indexing = threading.RLock()  # one re-index at a time in this process
        self.jobs = JobManager(lambda progress, cancelled: self.index(progress=progress, cancelled=cancelled),
                               settings.paths.index / "jobs.json")

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

    def status(self) -> dict:
        """The live index: how many documents and chunks, its version and when it was built."""
        snap = self.snapshot() if self.has_index() else None
        return {"documents": len(snap.documents) if snap else 0, "chunks": len(snap.chunks) if snap else 0,
                "index_version": snap.name if snap else "", "built": snap.manifest.get("built") if snap else None}

    def has_index(self) -> bool:
        return storage.current_name(self.index_dir) is not None

    def index(self, *, rebuild: bool = False, progress: Progress | None = None,
              cancelled: Callable[[], bool] | None = None) -> IndexSummary:
        """Re-index in the caller's thread; questions keep using the old version until the swap."""
        progress = progress or (lambda phase, done, total: None)
        with self._indexing:
            summary = self.indexer.run(self.seeds_dir, self.index_dir, rebuild=rebuild, progress=progress,
                                       cancelled=cancelled)
            progress("swapping", 0, 1)
            fresh = storage.load_snapshot(self.index_dir)
            fresh.lexical  # built before the swap, so the first question after it pays nothing
            with self._swap:
                self._snapshot = fresh
            progress("swapping", 1, 1)
        return summary

    # -- index runs as jobs (the HTTP API and the UI) -------------------------------------

    def start_index(self, kind: str = "reindex", document: str | None = None) -> Job:
        """Queue an index run, or join the one that will cover this request; returns at once."""
        return self.jobs.submit(kind, document)

    def upload(self, filename: str, data: bytes, *, replace: bool = False) -> tuple[str, Job]:
        """Save a checked upload into the seeds folder now; index it in a job."""
        name = self._save(filename, data, replace)
        return name, self.start_index("upload", name)

    def remove(self, name: str) -> Job:
        resolve_existing(self.seeds_dir, name).unlink()
        return self.start_index("delete", name)

    # -- documents -----------------------------------------------------------------------

    def documents(self) -> list[dict]:
        docs = self.snapshot().documents if self.has_index() else {}
        return [{"name": name, "title": d["title"], "date": d["date"], "chunks": len(d["chunk_ids"]),
                 "hash": d["hash"]} for name, d in sorted(docs.items())]

    def document(self, name: str) -> dict:
        """An indexed document's metadata and text, with where its pages and sections begin."""
        entry, (_, doc) = self._indexed(name)
        return {"name": name, "title": doc.title, "date": doc.date, "hash": doc.hash,
                "chunks": len(entry["chunk_ids"]), "content_type": content_type(name), "text": doc.text,
                "pages": [{"page": n, "start": at} for n, at in enumerate(doc.pages, start=1)],
                "sections": [{"start": at, "path": path} for at, path in doc.sections],
                "headings": [{"start": a, "end": b} for a, b in doc.headings]}

    def document_file(self, name: str) -> tuple[bytes, str]:
        """The original bytes of an indexed document and their content type."""
        _, (data, _) = self._indexed(name)
        return data, content_type(name)

    def _indexed(self, name: str):
        entry = self.snapshot().documents.get(name) if self.has_index() else None
        if entry is None:
            raise NotFoundError(f"No document named '{name[:80]}' in the index.")
        return entry, read_indexed(self.seeds_dir, name, entry["hash"])

    def add_document(self, filename: str, data: bytes, *, replace: bool = False) -> tuple[str, IndexSummary]:
        with self._indexing:
            return self._save(filename, data, replace), self.index()

    def _save(self, filename: str, data: bytes, replace: bool) -> str:
        limit = int(self.settings.server.max_upload_mb * 1024 * 1024)
        if len(data) > limit:
            raise PayloadTooLargeError(f"The file is larger than the {self.settings.server.max_upload_mb:g} MB limit.")
        return save_upload(self.seeds_dir, filename, data, replace=replace)

    def delete_document(self, name: str) -> IndexSummary:
        with self._indexing:
            resolve_existing(self.seeds_dir, name).unlink()
            return self.index()

    # -- questions -----------------------------------------------------------------------

    def ask(self, question: str, *, history: list[dict] | None = None, top_k: int | None = None,
            model: str | None = None) -> Answer:
        """The answer, whatever wrote it, with citations checked against the retrieved text."""
        turn = self._prepare(question, history, top_k, model)
        if turn.settled is not None:
            return turn.settled
        try:
            text = self.llm.complete(turn.model, build_messages(turn.question, turn.hits, turn.history))
        except ProviderError as exc:
            return self._fallback(turn, str(exc))
        return self._grounded(turn, text)

    def ask_stream(self, question: str, *, history: list[dict] | None = None, top_k: int | None = None,
                   model: str | None = None) -> Iterator[dict]:
        """Events: {"type": "token", "text"} while the answer is written, then
        {"type": "final", "result": <ask result>}; the final result is authoritative."""
        turn = self._prepare(question, history, top_k, model)
        if turn.settled is not None:
            yield {"type": "token", "text": turn.settled.answer}
            yield {"type": "final", "result": turn.settled.to_dict()}
            return
        pieces: list[str] = []
        try:
            for piece in self.llm.stream(turn.model, build_messages(turn.question, turn.hits, turn.history)):
                pieces.append(piece)
                yield {"type": "token", "text": piece}
        except ProviderError as exc:
            yield {"type": "final", "result": self._fallback(turn, str(exc)).to_dict()}
            return
        yield {"type": "final", "result": self._grounded(turn, "".join(pieces)).to_dict()}

    def _prepare(self, question, history, top_k, model) -> "_Turn":
        question = self._check_question(question)
        history = check_history(history)
        top_k = self._check_top_k(top_k)
        model = self._check_model(model)
        snapshot = self.snapshot()
        query = condense(question, history, self._rewriter(model))
        hits = self.retriever.search(snapshot, query, top_k)
        extractive = self.extractive.answer(query, hits) if hits else not_found_answer(query)
        turn = _Turn(question, history, query, model, hits, snapshot.name)
        if model == EXTRACTIVE:
            turn.settled = turn.finish(extractive, EXTRACTIVE)
        elif extractive.not_found:
            turn.settled = turn.finish(extractive, EXTRACTIVE, NOT_ASKED)
        turn.extractive = extractive
        return turn

    def _rewriter(self, model: str):
        if model == EXTRACTIVE:
            return None
        return lambda prompt: self.llm.complete(model, [{"role": "user", "content": prompt}])

    def _fallback(self, turn: "_Turn", reason: str) -> Answer:
        return turn.finish(turn.extractive, EXTRACTIVE, f"{reason} Showing the extracted sentences instead.")

    def _grounded(self, turn: "_Turn", text: str) -> Answer:
        answer = self.grounder.ground(text, turn.hits, turn.query)
        if answer is None:
            return turn.finish(turn.extractive, EXTRACTIVE, UNGROUNDED.format(model=turn.model))
        note = UNSUPPORTED if any(p.unsupported for p in answer.parts) else None
        return turn.finish(answer, turn.model, note)

    def _check_model(self, model) -> str:
        g = self.settings.generation
        if model is None:
            return g.model
        allowed = {EXTRACTIVE, g.model, *g.models}
        if model not in allowed:
            raise UserInputError(f"Unknown model '{model}'; choose one of: {', '.join(sorted(allowed))}.")
        return model

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


EXTRACTIVE = "extractive"
NOT_ASKED = "Nothing in the documents answers this closely enough, so the model was not asked."
UNGROUNDED = ("The answer of {model} could not be matched to the documents; "
              "showing the extracted sentences instead.")
UNSUPPORTED = "Sentences marked (unsupported) are not backed by the documents."


@dataclass
class _Turn:
    """One question on its way through the pipeline."""

    question: str
    history: list[dict]
    query: str
    model: str
    hits: list
    version: str
    extractive: Answer | None = None
    settled: Answer | None = None

    def finish(self, answer: Answer, model: str, note: str | None = None) -> Answer:
        answer.query, answer.model, answer.index_version = self.query, model, self.version
        answer.note = note or answer.note
        return answer


def build_service(settings: Settings, embedder: Embedder | None = None) -> RagService:
    """Wire the real parts (or a given embedder, for tests) into a service."""
    if embedder is None:
        e = settings.embedding
        if e.backend == "onnx-int8":
            from .onnx_embedding import OnnxInt8Embedder

            embedder = OnnxInt8Embedder(e.model, e.batch_size, e.threads, e.cache_dir)
        else:
            embedder = SentenceTransformerEmbedder(e.model, e.batch_size, e.threads)
    return RagService(settings, embedder)


__all__ = ["RagService", "build_service", "NoIndexError"]
