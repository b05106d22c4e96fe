"""The service's Prometheus metrics (prometheus-client), in a registry of its own so that two services
in one process never share a counter. Fed by observers (requests, answers, jobs, ratings); the index
size is read from the live version when /metrics is scraped. The one home of prometheus_client."""
from __future__ import annotations

from typing import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from rag.records import Asked

FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)  # seconds: an answer takes 20 ms to 30 s
SLOW = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600)  # an index job


class Counters:
    def __init__(self, collection: str = "default", index_size: Callable[[], tuple[int, int]] | None = None):
        self.registry = registry = CollectorRegistry()
        self.collection = collection
        self.requests = Counter("rag_http_requests", "HTTP requests by route template, method and status",
                                ["route", "method", "status"], registry=registry)
        self.request_seconds = Histogram("rag_http_request_seconds", "HTTP request latency to the first byte",
                                         ["route"], buckets=FAST, registry=registry)
        self.ask_seconds = Histogram("rag_ask_seconds", "A question, end to end", ["collection"],
                                     buckets=FAST, registry=registry)
        self.retrieval_seconds = Histogram("rag_retrieval_seconds", "Retrieval (embed, search, fuse)",
                                           ["collection"], buckets=FAST, registry=registry)
        self.generation_seconds = Histogram("rag_generation_seconds", "LLM generation, when a model wrote",
                                            ["collection"], buckets=FAST, registry=registry)
        self.answers = Counter("rag_answers", "Answers by outcome: answered, not_found, unsupported (sentences "
                               "flagged), fallback (provider failed), ungrounded", ["collection", "outcome"],
                               registry=registry)
        self.unsupported = Counter("rag_unsupported_sentences", "Sentences of LLM answers the verifier flagged",
                                   ["collection", "check"], registry=registry)
        self.ratings = Counter("rag_feedback", "Ratings of answers", ["collection", "rating"], registry=registry)
        self.jobs = Counter("rag_index_jobs", "Index jobs by kind and end state", ["collection", "kind", "state"],
                            registry=registry)
        self.job_seconds = Histogram("rag_index_job_seconds", "Index job duration", ["collection", "kind"],
                                     buckets=SLOW, registry=registry)
        self.embed_rate = Gauge("rag_index_embedded_chunks_per_second", "Chunks embedded per second in the last "
                                "job that embedded any", ["collection"], registry=registry)
        size = index_size or (lambda: (0, 0))
        documents = Gauge("rag_index_documents", "Documents in the live index", ["collection"], registry=registry)
        chunks = Gauge("rag_index_chunks", "Chunks in the live index", ["collection"], registry=registry)
        documents.labels(collection).set_function(lambda: size()[0])
        chunks.labels(collection).set_function(lambda: size()[1])

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.request_seconds.labels(route).observe(seconds)

    def asked(self, asked: Asked) -> None:
        c = self.collection
        self.ask_seconds.labels(c).observe(asked.seconds)
        self.retrieval_seconds.labels(c).observe(asked.retrieval_seconds)
        if asked.generation_seconds:
            self.generation_seconds.labels(c).observe(asked.generation_seconds)
        self.answers.labels(c, asked.outcome).inc()
        for part in asked.answer.parts:
            if part.unsupported:
                self.unsupported.labels(c, part.check or "unknown").inc()

    def rated(self, rating: str) -> None:
        self.ratings.labels(self.collection, rating).inc()

    def job(self, kind: str, state: str, seconds: float, chunks_embedded: int) -> None:
        self.jobs.labels(self.collection, kind, state).inc()
        self.job_seconds.labels(self.collection, kind).observe(seconds)
        if chunks_embedded and seconds > 0:
            self.embed_rate.labels(self.collection).set(chunks_embedded / seconds)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
