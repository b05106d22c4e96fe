"""The vector store seam of the local backend: add, search (leaving out deleted ids), save, load.

FAISS holds only normalised vectors under integer ids (inner product = cosine); the text lives in
the segment beside it. Exact search while small, an HNSW graph when large.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np


class VectorStore(Protocol):
    """Vectors under integer ids, written once per segment (rag/stores/segment.py)."""

    FILENAME: str
    dim: int

    @classmethod
    def build(cls, dim: int, ids: np.ndarray, vectors: np.ndarray) -> "VectorStore":
        """An index of these vectors, organised for their number."""

    @classmethod
    def load(cls, directory: Path) -> "VectorStore": ...

    def excluding(self, ids: np.ndarray) -> object:
        """A prepared exclusion of these ids, for `search`."""

    def search(self, queries: np.ndarray, k: int, exclude: object | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the best k per query, leaving out what `exclude` names."""

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) in the order they were added."""

    def save(self, path: Path) -> None: ...

    def __len__(self) -> int: ...


HNSW_FROM = 50_000  # below this many vectors exact search is fast enough (about 2 ms at 50k)
HNSW_M = 32  # graph links per vector (memory: 2 x M x 4 bytes each, beside the vector's 4 x dim)
EF_CONSTRUCTION = 160  # candidates kept while building: graph quality against build time
EF_SEARCH = 512  # candidates kept while searching: recall against speed (1M vectors: 0.935 in 5.5 ms, 256: 0.867 in 3 ms)


class FaissStore:
    """Exact inner-product search while small; an HNSW graph once large. Both keep vectors under
    their own integer ids (IndexIDMap2), so search can leave out ids marked deleted."""

    FILENAME = "vectors.faiss"

    def __init__(self, dim: int, index=None, ef_search: int = EF_SEARCH):
        import faiss

        self._faiss = faiss
        self.dim = dim
        self.ef_search = ef_search
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        _one_thread(faiss)

    @property
    def kind(self) -> str:
        inner = self._faiss.downcast_index(self.index.index)
        return "hnsw" if isinstance(inner, self._faiss.IndexHNSW) else "flat"

    def nbytes(self) -> int:
        """The index's size as saved."""
        return int(self._faiss.serialize_index(self.index).nbytes)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self.index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def excluding(self, ids: np.ndarray):
        """What `search` takes to leave these ids out (built once per version, not per question)."""
        faiss = self._faiss
        batch = faiss.IDSelectorBatch(np.ascontiguousarray(ids, dtype=np.int64))
        selector = faiss.IDSelectorNot(batch)
        selector.referenced = batch  # (faiss keeps a raw pointer)
        return selector

    def search(self, queries: np.ndarray, k: int, exclude=None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the best k, leaving out what `exclude` (from `excluding`) names."""
        k = min(k, len(self))
        if k <= 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        _one_thread(self._faiss)
        keep = {"sel": exclude} if exclude is not None else {}
        if self.kind == "hnsw":
            return self.index.search(queries, k, params=self._faiss.SearchParametersHNSW(efSearch=self.ef_search, **keep))
        if keep:
            return self.index.search(queries, k, params=self._faiss.SearchParameters(**keep))
        return self.index.search(queries, k)

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) in the order they were added, for merging segments."""
        ids = self._faiss.vector_to_array(self.index.id_map).astype(np.int64)
        return ids, self.index.index.reconstruct_n(0, len(ids)) if len(ids) else np.zeros((0, self.dim), np.float32)

    @classmethod
    def create(cls, dim: int) -> "FaissStore":
        return cls(dim)

    @classmethod
    def build(cls, dim: int, ids: np.ndarray, vectors: np.ndarray) -> "FaissStore":
        """Exact search below HNSW_FROM vectors, HNSW above (built directly: one copy of the vectors)."""
        if len(ids) >= HNSW_FROM:
            return build_hnsw(dim, ids, vectors)
        store = cls(dim)
        store.add(ids, vectors)
        return store

    def save(self, directory: Path) -> None:
        self._faiss.write_index(self.index, str(directory / self.FILENAME))

    @classmethod
    def load(cls, directory: Path) -> "FaissStore":
        import faiss

        index = faiss.read_index(str(directory / cls.FILENAME))
        return cls(index.d, index)

    def __len__(self) -> int:
        return int(self.index.ntotal)


_THREAD = threading.local()


def _one_thread(faiss) -> None:
    """One OpenMP thread for FAISS in the calling thread. Questions search one vector at a time:
    a team's idle threads only fight the embedder's for the cores (14 ms per search at 12k vectors
    with them, under 3 ms without). OpenMP's setting is per thread, and questions arrive on the
    server's threads, not the one that loaded the index; two searches side by side in threads
    left at the default took as long as one after the other (9.7 against 6.0 ms, two 500k graphs)."""
    if not getattr(_THREAD, "single", False):
        faiss.omp_set_num_threads(1)
        _THREAD.single = True


def build_hnsw(dim: int, ids: np.ndarray, vectors: np.ndarray, m: int = HNSW_M) -> FaissStore:
    """A graph index (inner product): search cost grows with log n, no training."""
    import faiss

    index = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = EF_CONSTRUCTION
    mapped = faiss.IndexIDMap2(index)
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building is bulk work: use every core
    try:
        mapped.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
    finally:
        faiss.omp_set_num_threads(1)
    return FaissStore(dim, mapped)


def engine_version() -> str:
    import faiss

    return faiss.__version__


STORES: dict[str, type] = {"faiss": FaissStore}  # store.vectors names one; the manifest records it


def store_class(name: str) -> type:
    from .errors import ConfigError

    if name not in STORES:
        raise ConfigError(f"store.vectors '{name}' is unknown; choose one of: {', '.join(STORES)}.")
    return STORES[name]
