"""The vector store seam of the local backend: add, search (leaving out deleted ids), save, load.

FAISS holds only normalised vectors under integer ids (inner product = cosine); the text lives in
the segment beside it. Exact search while small, an HNSW graph when large.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Protocol

import numpy as np


class VectorStore(Protocol):
    """Vectors under integer ids, written once per segment (rag/stores/segment.py)."""

    FILENAME: str
    dim: int

    @classmethod
    def create(cls, dim: int) -> "VectorStore": ...

    @classmethod
    def load(cls, directory: Path) -> "VectorStore": ...

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def search(self, queries: np.ndarray, k: int, exclude: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the best k per query, ids in `exclude` left out."""

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) in the order they were added."""

    def fit(self) -> "VectorStore":
        """The same vectors, organised for their number (called once, before `save`)."""

    def save(self, path: Path) -> None: ...

    def __len__(self) -> int: ...


IVF_FROM = HNSW_FROM = 50_000  # below this many vectors exact search is fast enough (about 2 ms at 50k)
HNSW_M = 32  # graph links per vector (memory: 2 x M x 4 bytes each, beside the vector's 4 x dim)
EF_CONSTRUCTION = 160
EF_SEARCH = 256  # candidates kept while searching: recall against speed (see `rag bench --store-scale`)


def ivf_lists(n: int) -> int:
    """Inverted lists for n vectors: about 4 x sqrt(n), a power of two."""
    return 1 << max(6, round(math.log2(4 * math.sqrt(max(n, 1)))))


def ivf_probes(nlist: int) -> int:
    """Lists searched per query: a quarter of them. On vectors drawn from a Gaussian fitted to real
    SciFact embeddings (harder than text, whose neighbours cluster), 100k vectors in 1,024 lists
    recalled 0.72 of the exact top 10 at 32 probes, 0.95 at 128 and 0.99 at 256."""
    return max(32, nlist // 4)


class FaissStore:
    """Exact inner-product search while small; an inverted-file index once large.

    Both keep vectors under their own integer ids, so deletes never need a rebuild.
    """

    FILENAME = "vectors.faiss"

    def __init__(self, dim: int, index=None, nprobe: int | None = None, ef_search: int = EF_SEARCH):
        import faiss

        self._faiss = faiss
        self.dim = dim
        self.nprobe = nprobe
        self.ef_search = ef_search
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._set_nprobe()
        # Questions search one vector at a time: OpenMP threads only fight the embedder's for the
        # cores (14 ms per search at 12k vectors with them, under 3 ms without).
        faiss.omp_set_num_threads(1)

    @property
    def kind(self) -> str:
        if self._ivf() is not None:
            return "ivf"
        inner = self._faiss.downcast_index(self.index.index)
        return "hnsw" if isinstance(inner, self._faiss.IndexHNSW) else "flat"

    def _ivf(self):
        try:
            return self._faiss.extract_index_ivf(self.index)
        except RuntimeError:
            return None

    def _set_nprobe(self) -> None:
        ivf = self._ivf()
        if ivf is not None:
            ivf.nprobe = min(self.nprobe or ivf_probes(ivf.nlist), ivf.nlist)

    def set_nprobe(self, nprobe: int) -> None:
        """Inverted lists searched per query (IVF only): recall against speed."""
        self.nprobe = nprobe
        self._set_nprobe()

    @property
    def probes(self) -> int:
        """Lists searched per query now (0 for exact search)."""
        ivf = self._ivf()
        return ivf.nprobe if ivf is not None else 0

    @property
    def nlist(self) -> int:
        ivf = self._ivf()
        return ivf.nlist if ivf is not None else 0

    def nbytes(self) -> int:
        """The index's size as saved."""
        return int(self._faiss.serialize_index(self.index).nbytes)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self.index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def delete(self, ids: np.ndarray) -> int:
        if not len(ids):
            return 0
        return int(self.index.remove_ids(np.asarray(ids, dtype=np.int64)))

    def search(self, queries: np.ndarray, k: int, exclude: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the best k, leaving out the ids in `exclude` (deletion marks)."""
        k = min(k, len(self))
        if k <= 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        params = self._params(exclude)
        return self.index.search(queries, k, params=params) if params else self.index.search(queries, k)

    def _params(self, exclude: np.ndarray | None):
        faiss, kind = self._faiss, self.kind
        if kind == "flat" and exclude is None:
            return None
        keep = {}
        if exclude is not None and len(exclude):
            batch = faiss.IDSelectorBatch(np.ascontiguousarray(exclude, dtype=np.int64))
            keep = {"sel": faiss.IDSelectorNot(batch)}
            keep["sel"].referenced = batch  # (faiss keeps a raw pointer)
        if kind == "hnsw":
            return faiss.SearchParametersHNSW(efSearch=self.ef_search, **keep)
        if kind == "ivf":
            return faiss.SearchParametersIVF(nprobe=self.probes, **keep)
        return faiss.SearchParameters(**keep) if keep else None

    def ids(self) -> np.ndarray:
        if self.kind != "ivf":
            return self._faiss.vector_to_array(self.index.id_map).astype(np.int64)
        invlists = self._ivf().invlists
        return np.concatenate([self._faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i)).copy()
                               for i in range(invlists.nlist)]).astype(np.int64)

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of everything stored, for re-organising the index."""
        if self.kind != "ivf":
            ids = self.ids()
            return ids, self.index.index.reconstruct_n(0, len(ids)) if len(ids) else np.zeros((0, self.dim))
        ivf = self._ivf()
        ivf.make_direct_map()
        ids = self.ids()
        return ids, np.vstack([ivf.reconstruct(int(i)) for i in ids]) if len(ids) else np.zeros((0, self.dim))

    def fit(self) -> "FaissStore":
        """The store re-organised for its size: flat below HNSW_FROM vectors, HNSW above."""
        if self.kind == "flat" and len(self) >= HNSW_FROM:
            ids, vectors = self.vectors()
            return build_hnsw(self.dim, ids, vectors)
        return self

    @classmethod
    def create(cls, dim: int) -> "FaissStore":
        return cls(dim)

    def save(self, directory: Path) -> None:
        self._faiss.write_index(self.index, str(directory / self.FILENAME))

    @classmethod
    def load(cls, directory: Path) -> "FaissStore":
        import faiss

        index = faiss.read_index(str(directory / cls.FILENAME))
        return cls(index.d, index)

    def copy(self) -> "FaissStore":
        return FaissStore(self.dim, self._faiss.clone_index(self.index), self.nprobe)

    def __len__(self) -> int:
        return int(self.index.ntotal)


def build_ivf(dim: int, ids: np.ndarray, vectors: np.ndarray, nprobe: int | None = None,
              train_size: int = 100_000, seed: int = 0) -> FaissStore:
    """An IVF-Flat index (inner product) trained on a sample of the vectors."""
    import faiss

    nlist = ivf_lists(len(ids))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(seed)
    sample = vectors[rng.choice(len(vectors), min(train_size, len(vectors)), replace=False)]
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building is bulk work: use every core
    try:
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
    finally:
        faiss.omp_set_num_threads(1)
    return FaissStore(dim, index, nprobe)


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
