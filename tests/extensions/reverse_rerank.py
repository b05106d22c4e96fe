"""A reranker (RERANKERS in rag/answering/retrieval.py): the fused order, reversed."""


class Reverse:
    def __init__(self, embedder):
        pass

    def rerank(self, query, hits):
        return list(reversed(hits))
