"""Ingest engines: where an index run reads, chunks and embeds its new files, chosen by
`ingest.engine`. An engine is a class `(settings: Settings)` whose `ingest` streams embedded chunks
into the run's transaction; the indexer (rag/ingest/indexer.py) decides what is new and commits."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from rag.records import Skipped
from rag.registry import Registry

Progress = Callable[[str, int, int], None]  # (phase, done, total): scanning, reading, embedding, writing


def quiet(phase: str, done: int, total: int) -> None:
    pass


@dataclass
class Ingested:
    """What reading, chunking and embedding the fresh files produced (chunks went to the transaction)."""
    entries: dict[str, dict] = field(default_factory=dict)  # source -> catalogue entry
    skipped: list[Skipped] = field(default_factory=list)


class IngestEngine(Protocol):
    def ingest(self, indexer, fresh: list[tuple[str, bytes]], txn, progress: Progress,
               cancelled: Callable[[], bool]) -> Ingested:
        """Read, chunk and embed `fresh` (source, bytes) pairs, adding each embedded slice to `txn`;
        `indexer` offers the run's own chunker and embedder to an engine that runs in this process."""


INGEST_ENGINES = Registry("ingest.engine", {
    "local": "rag.ingest.indexer:InProcess",  # this process, with the service's own embedder
    "ray": "rag.ingest.ray_engine:RayIngest",  # a Ray Data pipeline of actors that each hold the model
})
