"""A vector index for the local backend (VECTOR_INDEXES in rag/stores/segment.py): exact search
over a numpy matrix, saved with np.savez."""
import numpy as np


class NumpyIndex:
    FILENAME = "vectors.npz"

    def __init__(self, dim, ids=None, vectors=None):
        self.dim = dim
        self._ids = np.zeros(0, dtype=np.int64) if ids is None else ids
        self._vectors = np.zeros((0, dim), dtype=np.float32) if vectors is None else vectors

    @classmethod
    def build(cls, dim, ids, vectors):
        return cls(dim, ids, vectors)

    @classmethod
    def load(cls, directory):
        data = np.load(directory / cls.FILENAME)
        return cls(data["vectors"].shape[1], data["ids"], data["vectors"])

    def save(self, directory):
        with open(directory / self.FILENAME, "wb") as handle:
            np.savez(handle, ids=self._ids, vectors=self._vectors)

    def excluding(self, ids):
        return ids

    def search(self, queries, k, exclude=None):
        scores = queries @ self._vectors.T
        if exclude is not None:
            scores[:, np.isin(self._ids, exclude)] = -np.inf
        order = np.argsort(-scores, axis=1)[:, :k]
        return np.take_along_axis(scores, order, axis=1), self._ids[order]

    def vectors(self):
        return self._ids, self._vectors

    def __len__(self):
        return len(self._ids)
