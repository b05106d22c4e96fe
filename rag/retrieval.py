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
    rrf_k: int = 10
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
        lex = snapshot.lexical
        positions, _ = lex.chunks.search(query, k)
        return [lex.chunk_order[p] for p in positions]

    def lexical_documents(self, snapshot: Snapshot, query: str, k: int) -> list[str]:
        lex = snapshot.lexical
        positions, _ = lex.documents.search(query, k)
        return [lex.doc_order[p] for p in positions]

    def rank(self, snapshot: Snapshot, query: str, depth: int | None = None) -> list[int]:
        """Chunk ids, best first: documents ranked by fusing dense (each document's best chunk)
        with whole-document BM25, and chunks within a document by fusing dense with chunk BM25."""
        s = self.settings
        depth = depth or s.candidates
        dense = self.dense(snapshot, query, depth)
        chunk_lex = self.lexical(snapshot, query, depth)
        doc_lex = self.lexical_documents(snapshot, query, depth)
        dense_docs = list(dict.fromkeys(snapshot.chunks[v].source for v in dense))
        doc_score = rrf([(dense_docs, s.dense_weight), (doc_lex, s.bm25_weight)], s.rrf_k)
        chunk_score = rrf([(dense, s.dense_weight), (chunk_lex, s.bm25_weight)], s.rrf_k)
        pool = set(chunk_score) | {snapshot.by_source[d][0] for d in doc_lex if d not in dense_docs}
        key = {v: doc_score.get(snapshot.chunks[v].source, 0.0) + WITHIN_DOCUMENT * chunk_score.get(v, 0.0)
               for v in pool}
        return sorted(pool, key=lambda v: -key[v])

    def search(self, snapshot: Snapshot, query: str, top_k: int | None = None) -> list[Hit]:
        ranked = self.rank(snapshot, query)[: top_k or self.settings.top_k]
        return [Hit(snapshot.chunks[vid], 1.0 / (rank + 1)) for rank, vid in enumerate(ranked)]


WITHIN_DOCUMENT = 0.01  # chunk evidence only orders chunks inside a document


def rrf(rankings: list[tuple[list, float]], k: int) -> dict:
    """Reciprocal rank fusion: each ranking adds weight / (k + rank) to its items."""
    scores: dict = {}
    for ids, weight in rankings:
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores
