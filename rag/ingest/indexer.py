"""Bring the index in line with the seeds folder: embed only what is new or changed.

Unchanged documents keep their chunks and vectors; removed ones lose them; a change of
embedding model or chunker settings rebuilds everything. The result is written as a new
version that goes live atomically (see rag/stores/).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rag.ingest.chunker import VERSION as CHUNKER_VERSION, Chunker
from rag.embedding import Embedder, content_window, embed_chunks
from rag.config import Store as StoreSettings
from rag.errors import IndexCancelled, RagError
from rag.ingest.engines import IngestEngine, Ingested, Progress, quiet
from rag.ingest import ocr, readers, sources
from rag.ingest.layout import Unreadable
from rag.ingest.read_ahead import read_ahead
from rag.ingest.readers import iter_files, parse_document, read_source
from rag.records import Chunk, Document, IndexSummary, Skipped, content_hash
from rag.stores import IndexStore, View, open_store
from rag.stores.interfaces import catalogue_entry

EMBED_SLICE = 1024  # large slices let encode() sort by length: less padding
READ_AHEAD = 64  # files read and chunked ahead of the embedder
READ_SLICE = 256  # chunks embedded at a time while files are still being read
PROGRESS_STEPS = 20  # but small enough that progress moves about this many times a run


def _never() -> bool:
    return False


@dataclass
class _Plan:
    keep: dict[str, dict] = field(default_factory=dict)  # source -> catalogue entry
    fresh: list[tuple[str, bytes]] = field(default_factory=list)  # (source, bytes) new or changed
    skipped: list[Skipped] = field(default_factory=list)


class Indexer:
    def __init__(self, embedder: Embedder, chunk_tokens: int, overlap_tokens: int,
                 store: StoreSettings | None = None, engine: IngestEngine | None = None, sentences: bool = True,
                 whole_chunks: bool = False):
        self.embedder = embedder
        self.sentences = sentences  # embed each sentence too (embedding.sentences)
        self.whole_chunks = whole_chunks or not sentences  # each chunk in a pass of its own (embedding.chunk_vectors)
        self.engine = engine or InProcess()  # where new files are read, chunked and embedded
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.store_settings = store or StoreSettings()
        self._chunker: Chunker | None = None

    @property
    def chunker(self) -> Chunker:
        if self._chunker is None:
            size = min(self.chunk_tokens, content_window(self.embedder))
            self._chunker = Chunker(self.embedder.token_spans, size, self.overlap_tokens)
        return self._chunker

    def open(self, index_dir: Path) -> IndexStore:
        """The configured store for this index folder."""
        return open_store(self.store_settings, index_dir)

    def fingerprint(self, store: IndexStore) -> dict:
        """What, if changed, invalidates every vector in the index (known without loading the model)."""
        return {
            "embedding": {"model": self.embedder.name, "sentences": self.sentences,
                          "chunk_vectors": "whole" if self.whole_chunks else "sentences"},
            "chunker": {"chunk_tokens": self.chunk_tokens, "overlap_tokens": self.overlap_tokens,
                        "version": CHUNKER_VERSION, "loaders": readers.VERSION},
            "store": store.fingerprint,
        }

    def run(self, seeds_dir: Path, index: Path | IndexStore, *, rebuild: bool = False,
            progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> IndexSummary:
        """Sync the index (a store, or the configured store in this folder) with the folder.
        `progress` hears each phase's counts; `cancelled` is asked between steps and, once true,
        stops the run before anything is committed."""
        started = time.perf_counter()
        store = self.open(index) if isinstance(index, Path) else index
        if not seeds_dir.is_dir():
            raise RagError(f"Seeds folder not found: {seeds_dir}")
        with store.lock():
            previous = None if rebuild else self._previous(store)
            summary = self._sync(seeds_dir, store, previous, progress or quiet, cancelled or _never)
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    def _previous(self, store: IndexStore) -> View | None:
        """The live version, if its vectors can be reused (same model, chunker and engines)."""
        view = store.latest()
        if view is None:
            return None  # nothing usable to reuse: build from scratch
        same = all(view.manifest.get(k) == v for k, v in self.fingerprint(store).items())
        return view if same else None

    def _sync(self, seeds_dir, store: IndexStore, previous, progress: Progress, cancelled) -> IndexSummary:
        old_docs = previous.documents if previous else {}
        plan = self._plan(seeds_dir, old_docs, progress, cancelled)
        gone = set(old_docs) - set(plan.keep)
        ingested, version = Ingested(), previous.name if previous is not None else None
        if previous is None or plan.fresh or gone:
            txn = store.begin(previous)
            try:
                txn.remove(gone)
                ingested = self.engine.ingest(self, plan.fresh, txn, progress, cancelled)
                _with_urls(ingested.entries, sources.load(seeds_dir))
                if previous is not None and not (ingested.entries or gone):
                    txn.abort()  # only unreadable files were new: nothing to write
                else:
                    progress("writing", 0, 1)
                    if cancelled():
                        raise IndexCancelled()
                    version = txn.commit({**self.fingerprint(store), "dim": self.embedder.dim}, ingested.entries)
                    progress("writing", 1, 1)
            except BaseException:
                txn.abort()
                raise
        entries = ingested.entries
        return IndexSummary(
            added=sum(s not in old_docs for s in entries), updated=sum(s in old_docs for s in entries),
            removed=len(gone - set(entries)), unchanged=len(plan.keep), skipped=plan.skipped + ingested.skipped,
            chunks_embedded=sum(e["chunks"] for e in entries.values()),
            chunks_total=sum(e["chunks"] for e in [*plan.keep.values(), *entries.values()]),
            version=version)

    def read_and_embed(self, fresh: list[tuple[str, bytes]], txn, progress: Progress, cancelled) -> Ingested:
        """Read, chunk and embed in this process, the next files read while the last are embedded;
        each embedded slice goes to the transaction."""
        docs, skipped, chunks, pending = [], [], [], []
        progress("reading", 0, len(fresh))
        with read_ahead(fresh, lambda item: self._read(*item, progress), READ_AHEAD) as read:
            for done, result in enumerate(read, 1):
                if cancelled():
                    raise IndexCancelled()
                if isinstance(result, Skipped):
                    skipped.append(result)
                else:
                    docs.append(result[0])
                    chunks += result[1]
                    pending += result[1]
                if len(pending) >= READ_SLICE and done < len(fresh):  # the last file's are embedded below, with progress
                    self._embed(pending, txn, cancelled, READ_SLICE)  # no total yet to report against
                    pending = []
                progress("reading", done, len(fresh))
        already, total = len(chunks) - len(pending), len(chunks)
        progress("embedding", already, total)
        self._embed(pending, txn, cancelled, max(32, min(EMBED_SLICE, total // PROGRESS_STEPS)),
                    lambda done: progress("embedding", already + done, total))
        return Ingested(_entries(docs, chunks), skipped)

    def _read(self, source: str, data: bytes, progress: Progress) -> tuple[Document, list[Chunk]] | Skipped:
        try:
            with ocr.reporting(lambda pages_done, pages: progress("ocr", pages_done, pages)):
                doc = parse_document(source, data)
        except Unreadable as exc:
            return Skipped(path=source, reason=str(exc))
        return doc, self.chunker.split(doc)

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
                    plan.fresh.append((source, data))
            except Unreadable as exc:
                plan.skipped.append(Skipped(path=path.relative_to(seeds_dir.resolve()).as_posix(), reason=str(exc)))
        progress("scanning", len(files), len(files))
        return plan

    def _embed(self, chunks: list[Chunk], txn, cancelled, step: int, done=lambda embedded: None) -> None:
        """Embed in slices of `step`, each handed to the transaction as soon as it is done; a
        cancel is heard between slices, and `done` hears how many of `chunks` are embedded."""
        for i in range(0, len(chunks), step):
            if cancelled():
                raise IndexCancelled()
            batch = chunks[i : i + step]
            txn.add(batch, embed_chunks(self.embedder, batch, self.sentences, self.whole_chunks))
            done(i + len(batch))


def _with_urls(entries: dict, fetched: dict) -> None:
    """A document fetched by URL names it in its entry, so citations can link back to it."""
    for source, entry in entries.items():
        if fetched.get(source, {}).get("url"):
            entry["url"] = fetched[source]["url"]


def _entries(docs: list[Document], chunks: list[Chunk]) -> dict:
    by_source: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_source.setdefault(chunk.source, []).append(chunk)
    return {d.source: catalogue_entry(d, [c.id for c in by_source.get(d.source, [])],
                                      [c.vector_id for c in by_source.get(d.source, [])]) for d in docs}


class InProcess:
    """The default engine (`ingest.engine: local`): the indexer's own chunker and embedder, here."""

    def __init__(self, settings=None):
        pass

    def ingest(self, indexer: Indexer, fresh, txn, progress: Progress, cancelled) -> Ingested:
        return indexer.read_and_embed(fresh, txn, progress, cancelled)
