"""Hybrid retrieval: dense vectors and stemmed BM25, fused by reciprocal rank, then an optional
rerank stage (none by default) before the hits go to the answerer."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from rag.config import Retrieval
from rag.embedding import Embedder, embed_one
from rag.records import Hit
from rag.registry import Registry
from rag.stores import View


class Reranker(Protocol):
    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]: ...


class NoRerank:
    """The default: the fused order stands."""

    def __init__(self, embedder: Embedder):
        pass

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        return hits


RERANKERS = Registry("retrieval.rerank", {"none": "rag.answering.retrieval:NoRerank"})  # classes (embedder)


class Retriever:
    def __init__(self, embedder: Embedder, settings: Retrieval, reranker: Reranker | None = None):
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker or NoRerank(embedder)

    def fused(self, view: View, query: str, depth: int | None = None) -> list[tuple[int, float, str]]:
        """(chunk id, fused score, source), best first: documents ranked by fusing dense (each document's
        best chunk) with whole-document BM25, and chunks within a document by fusing dense with
        chunk BM25."""
        s = self.settings
        depth = depth or s.candidates
        chunk_job = _LEXICAL.submit(view.lexical_chunks, query, depth)  # while this thread embeds and searches
        dense = view.dense(embed_one(self.embedder, query), depth)
        doc_lex = view.lexical_documents(query, depth)
        chunk_lex = chunk_job.result()
        source = dict(dense + chunk_lex)
        dense_docs = list(dict.fromkeys(src for _, src in dense))
        doc_score = rrf([(dense_docs, s.dense_weight), (doc_lex, s.bm25_weight)], s.rrf_k)
        chunk_score = rrf([([v for v, _ in dense], s.dense_weight), ([v for v, _ in chunk_lex], s.bm25_weight)],
                          s.rrf_k)
        for doc in doc_lex:  # a document found only by its whole text enters by its first chunk
            first = view.documents.get(doc, {}).get("first")
            if doc not in dense_docs and first is not None:
                source[first] = doc
        key = {v: doc_score.get(source[v], 0.0) + WITHIN_DOCUMENT * chunk_score.get(v, 0.0) for v in source}
        return [(v, score, source[v]) for v, score in sorted(key.items(), key=lambda kv: (-kv[1], kv[0]))]

    def scored(self, view: View, query: str, depth: int | None = None) -> list[tuple[int, float]]:
        """(chunk id, fused score), best first (see `fused`)."""
        return [(vid, score) for vid, score, _ in self.fused(view, query, depth)]

    def search(self, view: View, query: str, top_k: int | None = None) -> list[Hit]:
        """The top_k hits with their fused scores, after the rerank stage."""
        ranked = self.scored(view, query)[: top_k or self.settings.top_k]
        chunks = view.get(vid for vid, _ in ranked)
        return self.reranker.rerank(query, [Hit(chunks[vid], score) for vid, score in ranked if vid in chunks])


WITHIN_DOCUMENT = 0.01  # chunk evidence only orders chunks inside a document
# Chunk BM25 (the slowest part at scale) runs beside the question's embedding and the vector search
# (onnxruntime, FAISS and the engines' clients release the GIL); document BM25 follows them on the
# asking thread. Two BM25 threads beside a third task on 2 cores fought over the GIL: at 1M chunks
# this order answered 7-10% faster, paired query by query in one process.
_LEXICAL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bm25")


def rrf(rankings: list[tuple[list, float]], k: int) -> dict:
    """Reciprocal rank fusion: each ranking adds weight / (k + rank) to its items."""
    scores: dict = {}
    for ids, weight in rankings:
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores
