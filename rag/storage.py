"""Versioned index folders, written beside the live one and swapped in by rename.

Layout:  index/CURRENT            name of the live version (replaced atomically)
         index/versions/<name>/   manifest.json, chunks.jsonl, vectors.faiss
         index/.lock              held by the one indexer allowed at a time

A crash or kill at any point leaves CURRENT naming a complete version.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import CorruptIndexError, IndexBusyError, NoIndexError, RagError
from .chunking import document_text
from .records import Chunk, vector_id
from .lexical import lexical_class
from .vectorstore import VectorStore, store_class

FORMAT = 1
KEEP_VERSIONS = 2


class Snapshot:
    """One loaded, immutable index version: manifest, chunks and their vectors."""

    def __init__(self, name: str, manifest: dict, chunks: list[Chunk], vectors: VectorStore):
        self.name = name
        self.manifest = manifest
        self.chunks = {c.vector_id: c for c in chunks}
        for entry in self.documents.values():  # (versions written before the catalogue had counts)
            ids = entry.get("chunk_ids", [])
            entry.setdefault("chunks", len(ids))
            entry.setdefault("first", vector_id(ids[0]) if ids else None)
        self.vectors = vectors
        self._lexical = None
        self._by_source: dict[str, list[int]] | None = None
        self._lexical_lock = threading.Lock()

    @property
    def documents(self) -> dict:
        return self.manifest.get("documents", {})

    # -- the View interface (rag/stores/base.py) --------------------------------------------

    def count(self) -> int:
        return len(self.chunks)

    def dense(self, vector, k: int) -> list[tuple[int, str]]:
        _, ids = self.vectors.search(vector[None, :], k)
        return [(int(i), self.chunks[int(i)].source) for i in ids[0] if i >= 0]

    def lexical_chunks(self, query: str, k: int) -> list[tuple[int, str]]:
        positions, _ = self.lexical.chunks.search(query, k)
        order = self.lexical.chunk_order
        return [(order[p], self.chunks[order[p]].source) for p in positions]

    def lexical_documents(self, query: str, k: int) -> list[str]:
        positions, _ = self.lexical.documents.search(query, k)
        return [self.lexical.doc_order[p] for p in positions]

    def get(self, ids) -> dict[int, Chunk]:
        return {i: self.chunks[i] for i in ids if i in self.chunks}

    def document_chunks(self, source: str, limit: int | None = None) -> list[Chunk]:
        return [self.chunks[v] for v in self.by_source.get(source, [])[:limit]]

    def warm(self) -> None:
        self.lexical

    @property
    def lexical(self):
        """Stemmed BM25 over chunks and over whole documents, built on first use
        (about a second per 10k chunks)."""
        with self._lexical_lock:
            if self._lexical is None:
                BM25Index = lexical_class(self.manifest.get("store", {}).get("lexical", "bm25s"))
                order = list(self.chunks)
                sources = list(self.by_source)
                self._lexical = Lexical(order, BM25Index([self.chunks[i].text for i in order]),
                                        sources, BM25Index([self.document_text(s) for s in sources]))
        return self._lexical

    @property
    def by_source(self) -> dict[str, list[int]]:
        """Each document's chunk ids, in document order."""
        if self._by_source is None:
            grouped: dict[str, list[int]] = {}
            for vid, chunk in sorted(self.chunks.items(), key=lambda kv: (kv[1].source, kv[1].start)):
                grouped.setdefault(chunk.source, []).append(vid)
            self._by_source = grouped
        return self._by_source

    def document_text(self, source: str) -> str:
        return document_text([self.chunks[vid] for vid in self.by_source[source]])


@dataclass
class Lexical:
    chunk_order: list[int]
    chunks: object
    doc_order: list[str]
    documents: object


def versions_dir(index_dir: Path) -> Path:
    return index_dir / "versions"


def current_name(index_dir: Path) -> str | None:
    try:
        return (index_dir / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def load_snapshot(index_dir: Path) -> Snapshot:
    name = current_name(index_dir)
    if name is None:
        raise NoIndexError(index_dir)
    folder = versions_dir(index_dir) / name
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        chunks = [Chunk.from_dict(json.loads(line)) for line in _lines(folder / "chunks.jsonl")]
        vectors = store_class(manifest.get("store", {}).get("vectors", "faiss")).load(folder)
    except FileNotFoundError as exc:
        raise CorruptIndexError(index_dir, f"missing {Path(exc.filename).name}") from None
    except (ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise CorruptIndexError(index_dir, f"unreadable files: {str(exc)[:120]}") from None
    if len(vectors) != len(chunks) or manifest.get("format") != FORMAT:
        raise CorruptIndexError(index_dir, "vectors and chunks disagree")
    return Snapshot(name, manifest, chunks, vectors)


def _lines(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line


def write_snapshot(index_dir: Path, manifest: dict, chunks: list[Chunk], vectors: VectorStore) -> str:
    """Write a complete new version, then make it current with one atomic rename."""
    name = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
    root = versions_dir(index_dir)
    staging = root / f".{name}.partial"
    try:
        staging.mkdir(parents=True)
        built = datetime.now(timezone.utc).isoformat(timespec="seconds")
        manifest = {**manifest, "format": FORMAT, "version": name, "chunks": len(chunks), "built": built}
        _write(staging / "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
        _write(staging / "chunks.jsonl", "".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in chunks))
        vectors.save(staging)
        _fsync_path(staging / vectors.FILENAME)
        os.rename(staging, root / name)
        _write(index_dir / "CURRENT.next", name)
        os.replace(index_dir / "CURRENT.next", index_dir / "CURRENT")
        _fsync_path(index_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise RagError(f"Could not write the index to {index_dir}: {exc.strerror or exc}. "
                       "The previous index is unchanged.") from None
    prune(index_dir)
    return name


def _write(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(index_dir: Path, keep: int = KEEP_VERSIONS) -> None:
    """Remove half-written versions and all but the newest `keep` complete ones."""
    root = versions_dir(index_dir)
    if not root.is_dir():
        return
    live = current_name(index_dir)
    complete = sorted(p for p in root.iterdir() if not p.name.startswith("."))
    stale = [p for p in root.iterdir() if p.name.startswith(".")] + complete[:-keep]
    for path in stale:
        if path.name != live:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def writer_lock(index_dir: Path, timeout: float = 0):
    """Only one indexer per index folder; a second one fails fast with a clear message."""
    from filelock import FileLock, Timeout

    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RagError(f"Cannot use {index_dir} as the index folder: {exc.strerror or exc}.") from None
    lock = FileLock(str(index_dir / ".lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise IndexBusyError(index_dir) from None
    try:
        yield
    finally:
        lock.release()
