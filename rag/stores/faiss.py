"""The local backend's vector index (`store.local.vectors: faiss`): build, search (leaving out
deleted ids), save, load; the `VectorIndex` protocol is in segment.py. The one home of faiss.

FAISS holds only normalised vectors under integer ids (inner product = cosine); the text lives in
the segment beside it. Exact search while small; when large, an inverted file over product codes
finds candidates and the exact vectors rank them.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np


ANN_FROM = 50_000  # below this many vectors search stays exact (one thread: about 5.4 ms at 50k, 1.2 ms at 12k)
PROBES = 512  # lists an IVF search visits, or an eighth of them when that is more (1M vectors: 512 of 4,096)
RERANK = 1000  # candidates an IVF search re-ranks on the exact vectors (at least 20 per result)
EF_SEARCH = 512  # for HNSW segments written before 2026-11-30 (the store no longer builds them)


class FaissStore:
    """Exact inner-product search while small. Once large, an inverted file over 4-bit product
    codes (FAISS fast-scan) finds candidates and the exact vectors re-rank them: on 1M really
    distinct vectors, recall@10 0.97 in 3.7-4 ms, where an HNSW graph needed 6.2-6.9 ms for 0.937.
    The exact vectors stay under their own integer ids (IndexIDMap2), so search can leave out ids
    marked deleted and merging reads them back unchanged; the inverted file knows only positions."""

    FILENAME = "vectors.faiss"
    COARSE = "vectors.ivf.faiss"

    def __init__(self, dim: int, index=None, coarse=None):
        import faiss

        self._faiss = faiss
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.coarse = coarse
        self.ef_search = EF_SEARCH
        self.nprobe = min(coarse.nlist, max(PROBES, coarse.nlist // 8)) if coarse is not None else 0
        self.rerank = RERANK
        if coarse is not None:  # (views of the index's own arrays: no copy)
            self._ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
            flat = faiss.downcast_index(self.index.index)
            self._exact = faiss.rev_swig_ptr(flat.get_xb(), len(self._ids) * dim).reshape(-1, dim)
        _one_thread(faiss)

    @property
    def kind(self) -> str:
        if self.coarse is not None:
            return "ivf"
        inner = self._faiss.downcast_index(self.index.index)
        return "hnsw" if isinstance(inner, self._faiss.IndexHNSW) else "flat"

    def nbytes(self) -> int:
        """The index's size as saved."""
        parts = [self.index] + ([self.coarse] if self.coarse is not None else [])
        return sum(int(self._faiss.serialize_index(p).nbytes) for p in parts)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if self.coarse is not None:
            raise ValueError("a large segment's vectors are written once, when it is built")
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self.index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def excluding(self, ids: np.ndarray):
        """What `search` takes to leave these ids out (built once per version, not per question)."""
        faiss = self._faiss
        ids = np.asarray(ids, dtype=np.int64)
        if self.coarse is not None:  # the inverted file names vectors by position
            ids = np.flatnonzero(np.isin(self._ids, ids)).astype(np.int64)
        batch = faiss.IDSelectorBatch(np.ascontiguousarray(ids))
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
        if self.coarse is not None:
            return self._search_ivf(queries, k, keep)
        if self.kind == "hnsw":
            return self.index.search(queries, k, params=self._faiss.SearchParametersHNSW(efSearch=self.ef_search, **keep))
        if keep:
            return self.index.search(queries, k, params=self._faiss.SearchParameters(**keep))
        return self.index.search(queries, k)

    def _search_ivf(self, queries: np.ndarray, k: int, keep: dict) -> tuple[np.ndarray, np.ndarray]:
        """Candidates from the product codes, ranked again on the exact vectors."""
        params = self._faiss.SearchParametersIVF(nprobe=self.nprobe, **keep)
        _, found = self.coarse.search(queries, min(max(self.rerank, 20 * k), len(self)), params=params)
        scores, ids = np.full((len(queries), k), -np.inf, np.float32), np.full((len(queries), k), -1, np.int64)
        for row, (query, positions) in enumerate(zip(queries, found)):
            positions = positions[positions >= 0]
            exact = self._exact[positions] @ query
            best = np.argsort(-exact)[:k]
            scores[row, :len(best)], ids[row, :len(best)] = exact[best], self._ids[positions[best]]
        return scores, ids

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) in the order they were added, for merging segments."""
        if self.coarse is not None:  # (already read, with a view of the vectors)
            return self._ids.copy(), self._exact.copy()
        ids = self._faiss.vector_to_array(self.index.id_map).astype(np.int64)
        return ids, self.index.index.reconstruct_n(0, len(ids)) if len(ids) else np.zeros((0, self.dim), np.float32)

    @classmethod
    def create(cls, dim: int) -> "FaissStore":
        return cls(dim)

    @classmethod
    def build(cls, dim: int, ids: np.ndarray, vectors: np.ndarray) -> "FaissStore":
        """Exact search below ANN_FROM vectors; above, the exact vectors and an inverted file."""
        store = cls(dim)
        store.add(ids, vectors)
        if len(ids) < ANN_FROM:
            return store
        return cls(dim, store.index, build_ivf(np.ascontiguousarray(vectors, dtype=np.float32)))

    def save(self, directory: Path) -> None:
        self._faiss.write_index(self.index, str(directory / self.FILENAME))
        if self.coarse is not None:
            self._faiss.write_index(self.coarse, str(directory / self.COARSE))

    @classmethod
    def load(cls, directory: Path) -> "FaissStore":
        import faiss

        index = faiss.read_index(str(directory / cls.FILENAME))
        coarse = faiss.read_index(str(directory / cls.COARSE)) if (directory / cls.COARSE).exists() else None
        return cls(index.d, index, coarse)

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


def build_ivf(vectors: np.ndarray):
    """An inverted file over 4-bit product codes, vectors named by position: about 4 x sqrt(n)
    lists (a power of two; 4,096 at 1M), each vector coded in dim / 4 sub-vectors of 4 bits
    (48 bytes at 384 dimensions), trained on 50 vectors a list."""
    import faiss

    n, dim = vectors.shape
    nlist = 1 << max(4, round(np.log2(min(4 * np.sqrt(n), n / 39))))  # (FAISS wants 39 a list to train)
    parts = dim // 4 if dim % 4 == 0 else dim
    index = faiss.index_factory(dim, f"IVF{nlist},PQ{parts}x4fs", faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(n, min(n, 50 * nlist), replace=False)
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building is bulk work: use every core
    try:
        index.train(vectors[np.sort(sample)])
        index.add(vectors)
    finally:
        faiss.omp_set_num_threads(1)
    return index


def engine_version() -> str:
    import faiss

    return faiss.__version__
