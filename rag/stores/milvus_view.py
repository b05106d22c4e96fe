"""Reading one version of the Milvus backend (rag/stores/milvus.py, which alone imports pymilvus):
every read filters to the rows that version sees; and the filter and query helpers the backend's
transactions share."""
from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Iterable

import numpy as np

from rag.language.words import analyze
from rag.records import Chunk

if TYPE_CHECKING:
    from rag.stores.milvus import MilvusBackend

IN_BATCH = 500  # ids or sources per `in [...]` filter


def visible(version: int) -> str:
    return f"added <= {version} and removed > {version}"


def quoted(values: Iterable) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def batches(items: list, size: int = IN_BATCH):
    for i in range(0, len(items), size):
        yield items[i : i + size]


class MilvusView:
    """One version: every read filters to the rows that version sees."""

    def __init__(self, backend: MilvusBackend, current: dict):
        self.backend, self.client = backend, backend.client
        self.name, self.version = current["name"], current["version"]
        self.manifest = current["manifest"]
        self.chunk_names, self.doc_names = backend.names(current["generation"])
        self.filter = visible(self.version)
        self._documents: dict | None = None
        for name in (self.chunk_names, self.doc_names):
            self.client.load_collection(name)  # a new process finds them released

    @property
    def documents(self) -> dict[str, dict]:
        if self._documents is None:
            rows = query_all(self.client, self.doc_names, f"part == 0 and {self.filter}", ["source", "entry"])
            self._documents = {r["source"]: r["entry"] for r in sorted(rows, key=lambda r: r["source"])}
        return self._documents

    def count(self) -> int:
        rows = self.client.query(self.chunk_names, filter=self.filter, output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[int, str]]:
        found = self.client.search(self.chunk_names, data=[vector.astype(np.float32).tolist()], anns_field="dense",
                                   filter=self.filter, limit=k, output_fields=["vid", "source"],
                                   search_params={"metric_type": "IP", "params": {"ef": max(128, k)}})
        return [(hit["entity"]["vid"], hit["entity"]["source"]) for hit in found[0]]

    def lexical_chunks(self, query: str, k: int) -> list[tuple[int, str]]:
        return [(e["vid"], e["source"]) for e in self._bm25(self.chunk_names, query, k, ["vid", "source"])]

    def lexical_documents(self, query: str, k: int) -> list[str]:
        sources = [e["source"] for e in self._bm25(self.doc_names, query, 3 * k, ["source"])]
        return list(dict.fromkeys(sources))[:k]  # a long document's best part ranks it

    def _bm25(self, collection: str, query: str, k: int, fields: list[str]) -> list[dict]:
        terms = " ".join(analyze([query])[0])
        if not terms:
            return []
        found = self.client.search(collection, data=[terms], anns_field="sparse", filter=self.filter, limit=k,
                                   output_fields=fields, search_params={"metric_type": "BM25"})
        return [hit["entity"] for hit in found[0]]

    def get(self, ids: Iterable[int]) -> dict[int, Chunk]:
        """By primary key (a scalar filter scans every row), then kept if this version sees it."""
        chunks = {}
        for part in batches(list(ids)):
            rows = self.client.query(self.chunk_names, ids=part, output_fields=["record", "added", "removed"])
            chunks |= {r["vid"]: Chunk.from_dict(r["record"]) for r in rows
                       if r["added"] <= self.version < r["removed"]}
        return chunks

    def document_chunks(self, source: str, limit: int | None = None) -> list[Chunk]:
        rows = query_all(self.client, self.chunk_names, f"source == {json.dumps(source)} and {self.filter}",
                         ["record"])
        chunks = sorted((Chunk.from_dict(r["record"]) for r in rows), key=lambda c: c.start)
        return chunks[:limit]

    def warm(self) -> None:
        self.documents

    def restricted(self, sources: Iterable[str]) -> "MilvusView":
        """Every read's filter also names the documents."""
        keep = set(sources)
        view = copy.copy(self)
        view.filter = f"{self.filter} and source in {json.dumps(sorted(keep))}"
        view._documents = {s: entry for s, entry in self.documents.items() if s in keep}
        return view


def pk(collection: str) -> str:
    """Chunks are keyed by their vector id, so a chunk is fetched by key; document parts by a string."""
    return "vid" if "_chunks_" in collection else "key"


def query_all(client, collection: str, filter: str, fields: list[str]) -> list[dict]:
    """Every matching row (a plain query stops at 16,384)."""
    iterator = client.query_iterator(collection, batch_size=1000, filter=filter, output_fields=fields)
    rows = []
    try:
        while batch := iterator.next():
            rows += batch
    finally:
        iterator.close()
    return rows
