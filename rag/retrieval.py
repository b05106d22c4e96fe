"""Hybrid retrieval: FAISS (dense) and stemmed BM25, fused by reciprocal rank."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .embedding import Embedder, embed_one
from .records import Hit
from .storage import Snapshot


@dataclass
class RetrievalSettings:
    top_k: int = 5
    candidates: int = 50
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0


class Retriever:
    def __init__(self, embedder: Embedder, settings: RetrievalSettings):
        self.embedder = embedder
        self.settings = settings

    def dense(self, snapshot: Snapshot, query: str, k: int, vector: np.ndarray | None = None) -> list[int]:
        vector = embed_one(self.embedder, query) if vector is None else vector
        _, ids = snapshot.vectors.search(vector[None, :], k)
        return [int(i) for i in ids[0] if i >= 0]

    def lexical(self, snapshot: Snapshot, query: str, k: int) -> list[int]:
        order, index = snapshot.lexical
        positions, _ = index.search(query, k)
        return [order[p] for p in positions]

    def search(self, snapshot: Snapshot, query: str, top_k: int | None = None) -> list[Hit]:
        s = self.settings
        fused = rrf(
            [(self.dense(snapshot, query, s.candidates), s.dense_weight),
             (self.lexical(snapshot, query, s.candidates), s.bm25_weight)],
            s.rrf_k,
        )
        best = sorted(fused.items(), key=lambda kv: -kv[1])[: top_k or s.top_k]
        return [Hit(snapshot.chunks[vid], score) for vid, score in best]


def rrf(rankings: list[tuple[list[int], float]], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: each ranking adds weight / (k + rank) to its items."""
    scores: dict[int, float] = {}
    for ids, weight in rankings:
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores
