"""The vector store seam: add, delete, search, save, load.

FAISS holds only normalised vectors under integer ids (inner product = cosine), so a
delete needs no rebuild; the text lives in the chunk store beside it. A distributed
vector database can take FAISS's place behind this interface and nothing else changes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class VectorStore(Protocol):
    dim: int

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def delete(self, ids: np.ndarray) -> int: ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    def save(self, path: Path) -> None: ...

    def __len__(self) -> int: ...


class FaissStore:
    """Exact inner-product search over an id-mapped flat index."""

    FILENAME = "vectors.faiss"

    def __init__(self, dim: int, index=None):
        import faiss

        self._faiss = faiss
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self.index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def delete(self, ids: np.ndarray) -> int:
        if not len(ids):
            return 0
        return int(self.index.remove_ids(np.asarray(ids, dtype=np.int64)))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self))
        if k <= 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def ids(self) -> np.ndarray:
        return self._faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def save(self, directory: Path) -> None:
        self._faiss.write_index(self.index, str(directory / self.FILENAME))

    @classmethod
    def load(cls, directory: Path) -> "FaissStore":
        import faiss

        index = faiss.read_index(str(directory / cls.FILENAME))
        return cls(index.d, index)

    def copy(self) -> "FaissStore":
        return FaissStore(self.dim, self._faiss.clone_index(self.index))

    def __len__(self) -> int:
        return int(self.index.ntotal)
