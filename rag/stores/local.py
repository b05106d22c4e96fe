"""The embedded default: FAISS vectors and bm25s in versioned folders under index/ (storage.py).

A transaction builds a complete new version beside the live one and `commit` swaps it in with one
atomic rename, so a kill at any point leaves the previous version loadable."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable

import numpy as np

from .. import storage
from ..config import Store as StoreSettings
from ..errors import CorruptIndexError, NoIndexError
from ..lexical import lexical_class
from ..records import Chunk
from ..vectorstore import store_class


class Backend:
    def __init__(self, settings: StoreSettings, index_dir: Path):
        store_class(settings.vectors), lexical_class(settings.lexical)  # unknown names fail now
        self.settings, self.index_dir = settings, index_dir
        self.fingerprint = {"vectors": settings.vectors, "lexical": settings.lexical}
        self._view: storage.Snapshot | None = None
        self._swap = threading.Lock()

    def live_name(self) -> str | None:
        return storage.current_name(self.index_dir)

    def view(self) -> storage.Snapshot:
        current = self._view
        live = self.live_name()
        if current is None or live not in (None, current.name):
            with self._swap:
                current = self._view
                if current is None or (live and live != current.name):
                    current = self._view = storage.load_snapshot(self.index_dir)
        return current

    def latest(self) -> storage.Snapshot | None:
        try:
            return storage.load_snapshot(self.index_dir)
        except (NoIndexError, CorruptIndexError):
            return None

    def begin(self, base: storage.Snapshot | None) -> "LocalTransaction":
        return LocalTransaction(self, base)

    def lock(self):
        return storage.writer_lock(self.index_dir)

    def swap_in(self, view: storage.Snapshot) -> None:
        with self._swap:
            self._view = view


class LocalTransaction:
    """Collects the change in memory; `commit` writes the whole new version."""

    def __init__(self, backend: Backend, base: storage.Snapshot | None):
        self.backend, self.base = backend, base
        self.removed: set[str] = set()
        self.chunks: list[Chunk] = []
        self.vectors: list[np.ndarray] = []

    def remove(self, sources: Iterable[str]) -> None:
        self.removed |= set(sources)

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        self.chunks += chunks
        self.vectors.append(vectors)

    def commit(self, manifest: dict, documents: dict[str, dict]) -> str:
        settings, base = self.backend.settings, self.base
        if base is None:
            store, kept, catalogue = store_class(settings.vectors).create(manifest["dim"]), [], {}
        else:
            store = base.vectors.copy()
            kept = [c for c in base.chunks.values() if c.source not in self.removed]
            store.delete(np.array([v for v, c in base.chunks.items() if c.source in self.removed], dtype=np.int64))
            catalogue = {s: e for s, e in base.documents.items() if s not in self.removed}
        if self.chunks:
            store.add(np.array([c.vector_id for c in self.chunks], dtype=np.int64), np.vstack(self.vectors))
        ids: dict[str, list[str]] = {}
        for chunk in self.chunks:
            ids.setdefault(chunk.source, []).append(chunk.id)
        catalogue |= {s: {**e, "chunk_ids": ids.get(s, [])} for s, e in documents.items()}
        manifest = {**manifest, "documents": catalogue}
        return storage.write_snapshot(self.backend.index_dir, manifest, kept + self.chunks, store.fit())

    def abort(self) -> None:
        self.chunks, self.vectors = [], []
