"""Bring the index in line with the seeds folder: embed only what is new or changed.

Unchanged documents keep their chunks and vectors; removed ones lose them; a change of
embedding model or chunker settings rebuilds everything. The result is written as a new
version and swapped in atomically (see storage.py).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import storage
from .chunking import Chunker
from .embedding import Embedder, content_window
from .errors import CorruptIndexError, IndexCancelled, NoIndexError, RagError
from . import loaders
from .loaders import Unreadable, iter_files, parse_document, read_source
from .records import Chunk, Document, IndexSummary, Skipped, content_hash
from .vectorstore import STORES

EMBED_SLICE = 1024  # large slices let encode() sort by length: less padding
PROGRESS_STEPS = 20  # but small enough that progress moves about this many times a run

Progress = Callable[[str, int, int], None]  # (phase, done, total): scanning, embedding, writing


def quiet(phase: str, done: int, total: int) -> None:
    pass


def _never() -> bool:
    return False


@dataclass
class _Plan:
    keep: dict[str, dict] = field(default_factory=dict)  # source -> manifest entry
    fresh: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class Indexer:
    def __init__(self, embedder: Embedder, chunk_tokens: int, overlap_tokens: int, store: str = "faiss",
                 lexical: str = "bm25s"):
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.store, self.lexical = store, lexical  # names in STORES and LEXICAL, recorded in the manifest
        self._chunker: Chunker | None = None

    @property
    def chunker(self) -> Chunker:
        if self._chunker is None:
            size = min(self.chunk_tokens, content_window(self.embedder))
            self._chunker = Chunker(self.embedder.token_spans, size, self.overlap_tokens)
        return self._chunker

    def fingerprint(self) -> dict:
        """What, if changed, invalidates every vector in the index (known without loading the model)."""
        return {
            "embedding": {"model": self.embedder.name},
            "chunker": {"chunk_tokens": self.chunk_tokens, "overlap_tokens": self.overlap_tokens,
                        "version": 1, "loaders": loaders.VERSION},
            "store": {"vectors": self.store, "lexical": self.lexical},
        }

    def run(self, seeds_dir: Path, index_dir: Path, *, rebuild: bool = False,
            progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> IndexSummary:
        """Sync the index with the folder. `progress` hears each phase's counts; `cancelled` is
        asked between steps and, once true, stops the run before anything is written."""
        started = time.perf_counter()
        if not seeds_dir.is_dir():
            raise RagError(f"Seeds folder not found: {seeds_dir}")
        with storage.writer_lock(index_dir):
            previous = None if rebuild else self._previous(index_dir)
            summary = self._sync(seeds_dir, index_dir, previous, progress or quiet, cancelled or _never)
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    def _previous(self, index_dir: Path) -> storage.Snapshot | None:
        try:
            snapshot = storage.load_snapshot(index_dir)
        except (NoIndexError, CorruptIndexError):
            return None  # nothing usable to reuse: build from scratch
        same = all(snapshot.manifest.get(k) == v for k, v in self.fingerprint().items())
        return snapshot if same else None

    def _sync(self, seeds_dir, index_dir, previous, progress: Progress, cancelled) -> IndexSummary:
        old_docs = previous.documents if previous else {}
        plan = self._plan(seeds_dir, old_docs, progress, cancelled)
        new_chunks = [c for doc in plan.fresh for c in self.chunker.split(doc)]
        gone = set(old_docs) - set(plan.keep)
        summary = IndexSummary(
            added=sum(d.source not in old_docs for d in plan.fresh),
            updated=sum(d.source in old_docs for d in plan.fresh),
            removed=len(gone - {d.source for d in plan.fresh}),
            unchanged=len(plan.keep),
            skipped=plan.skipped,
            chunks_embedded=len(new_chunks),
        )
        if previous is not None and not (plan.fresh or gone):
            summary.chunks_total, summary.version = len(previous.chunks), previous.name
            return summary
        vectors = self._embed(new_chunks, progress, cancelled)
        progress("writing", 0, 1)
        chunks, store = self._merge(previous, plan.keep, new_chunks, vectors)
        manifest = {**self.fingerprint(), "dim": store.dim, "documents": {**plan.keep, **_entries(plan.fresh, new_chunks)}}
        if cancelled():
            raise IndexCancelled()
        summary.version = storage.write_snapshot(index_dir, manifest, chunks, store)
        summary.chunks_total = len(chunks)
        progress("writing", 1, 1)
        return summary

    def _plan(self, seeds_dir: Path, old_docs: dict, progress: Progress, cancelled) -> _Plan:
        plan = _Plan()
        files = list(iter_files(seeds_dir))
        for done, path in enumerate(files):
            progress("scanning", done, len(files))
            if cancelled():
                raise IndexCancelled()
            try:
                source, data = read_source(path, seeds_dir)
                old = old_docs.get(source)
                if old and old["hash"] == content_hash(data):
                    plan.keep[source] = old
                else:
                    plan.fresh.append(parse_document(source, data))
            except Unreadable as exc:
                plan.skipped.append(Skipped(path=path.relative_to(seeds_dir.resolve()).as_posix(), reason=str(exc)))
        progress("scanning", len(files), len(files))
        return plan

    def _embed(self, chunks: list[Chunk], progress: Progress, cancelled) -> np.ndarray:
        step = max(32, min(EMBED_SLICE, len(chunks) // PROGRESS_STEPS))
        parts = []
        progress("embedding", 0, len(chunks))
        for i in range(0, len(chunks), step):
            if cancelled():
                raise IndexCancelled()
            batch = chunks[i : i + step]
            parts.append(self.embedder.embed_batch([c.text for c in batch]))
            progress("embedding", i + len(batch), len(chunks))
        return np.vstack(parts) if parts else np.zeros((0, self.embedder.dim), dtype=np.float32)

    def _merge(self, previous, keep: dict, new_chunks: list[Chunk], vectors: np.ndarray):
        if previous is None:
            store, kept = STORES[self.store].create(self.embedder.dim), []
        else:
            store = previous.vectors.copy()
            kept_ids = {cid for entry in keep.values() for cid in entry["chunk_ids"]}
            kept = [c for c in previous.chunks.values() if c.id in kept_ids]
            dropped = [vid for vid, c in previous.chunks.items() if c.id not in kept_ids]
            store.delete(np.array(dropped, dtype=np.int64))
        store.add(np.array([c.vector_id for c in new_chunks], dtype=np.int64), vectors)
        return kept + new_chunks, store.fit()


def _entries(docs: list[Document], chunks: list[Chunk]) -> dict:
    by_source: dict[str, list[str]] = {}
    for chunk in chunks:
        by_source.setdefault(chunk.source, []).append(chunk.id)
    return {
        d.source: {"hash": d.hash, "title": d.title, "date": d.date, "chars": len(d.text),
                   "chunk_ids": by_source.get(d.source, [])}
        for d in docs
    }
