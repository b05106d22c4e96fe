"""Hybrid retrieval: dense vectors and stemmed BM25, fused by reciprocal rank, then an optional
rerank stage (none by default) before the hits go to the answerer."""
from __future__ import annotations

from typing import Protocol

import numpy as np

from .config import Retrieval
from .embedding import Embedder, embed_one
from .records import Hit
from .storage import Snapshot


class Reranker(Protocol):
    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]: ...


class NoRerank:
    """The default: the fused order stands."""

    def __init__(self, embedder: Embedder):
        pass

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        return hits


RERANKERS: dict[str, type] = {"none": NoRerank}  # retrieval.rerank names one of these


class Retriever:
    def __init__(self, embedder: Embedder, settings: Retrieval, reranker: Reranker | None = None):
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker or NoRerank(embedder)

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
        """Chunk ids, best first (see `scored`)."""
        return [vid for vid, _ in self.scored(snapshot, query, depth)]

    def scored(self, snapshot: Snapshot, query: str, depth: int | None = None) -> list[tuple[int, float]]:
        """(chunk id, fused score), best first: documents ranked by fusing dense (each document's
        best chunk) with whole-document BM25, and chunks within a document by fusing dense with
        chunk BM25."""
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
        return sorted(key.items(), key=lambda kv: (-kv[1], kv[0]))

    def search(self, snapshot: Snapshot, query: str, top_k: int | None = None) -> list[Hit]:
        """The top_k hits with their fused scores, after the rerank stage."""
        ranked = self.scored(snapshot, query)[: top_k or self.settings.top_k]
        return self.reranker.rerank(query, [Hit(snapshot.chunks[vid], score) for vid, score in ranked])


WITHIN_DOCUMENT = 0.01  # chunk evidence only orders chunks inside a document


def rrf(rankings: list[tuple[list, float]], k: int) -> dict:
    """Reciprocal rank fusion: each ranking adds weight / (k + rank) to its items."""
    scores: dict = {}
    for ids, weight in rankings:
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores
