"""The distributed backend: vectors, chunk text, metadata and BM25 in Milvus (pymilvus).

`store.milvus.uri` names a Milvus server or cluster (http://host:19530) or a file that milvus-lite runs
in this process; the code is the same for both.

Versions without copies: every row carries `added` and `removed` version numbers, and a version V
sees the rows with added <= V < removed. A transaction writes rows for version V+1 (invisible to
readers), marks removed rows with V+1, and goes live by one upsert of the `meta` row `current`.
A run killed before that leaves only rows no version sees; the next transaction deletes them
first. A rebuild (no base) writes a fresh generation of collections and drops the old one later.

BM25 is Milvus's own full-text search over our stemmed tokens (rag.language.words.analyze), so it ranks
the same words as the local backend; only ranks are used (scores differ between engines).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import numpy as np

from rag.stores import versions
from rag.stores.milvus_view import MilvusView, batches, pk, query_all, quoted, visible
from rag.config import MilvusStore
from rag.errors import MissingDependencyError, NoIndexError, RagError, StoreUnavailableError
from rag.stores.interfaces import document_text
from rag.language.words import analyze
from rag.records import Chunk

FOREVER = 2**62  # `removed` of a row no version has removed
PART_CHARS = 20_000  # a document's BM25 text is split into parts this long (VARCHAR holds 64 KB)


HNSW = {"index_type": "HNSW", "metric_type": "IP", "params": {"M": 16, "efConstruction": 200}}


def create_collections(client, chunk_names: str, doc_names: str, dim: int) -> None:
    """The two collections each index generation writes: chunks (vector id, record, dense vector)
    and document parts (key, part, catalogue entry), both with BM25 over their terms and the
    version range (added, removed) every read filters on."""
    from pymilvus import DataType, Function, FunctionType

    def schema(key, fields):
        s = client.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field(key[0], key[1], is_primary=True, **key[2])
        s.add_field("source", DataType.VARCHAR, max_length=4096)
        s.add_field("added", DataType.INT64)
        s.add_field("removed", DataType.INT64)
        s.add_field("terms", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                    analyzer_params={"tokenizer": "standard"})
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"],
                                output_field_names=["sparse"]))
        for name, kind, extra in fields:
            s.add_field(name, kind, **extra)
        return s

    def indexes(dense: bool):
        index = client.prepare_index_params()
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        if dense:
            index.add_index("dense", **HNSW)
        return index

    chunks = schema(("vid", DataType.INT64, {}), [("record", DataType.JSON, {}),
                                                  ("dense", DataType.FLOAT_VECTOR, {"dim": dim})])
    documents = schema(("key", DataType.VARCHAR, {"max_length": 64}),
                       [("part", DataType.INT64, {}), ("entry", DataType.JSON, {})])
    client.create_collection(chunk_names, schema=chunks, index_params=indexes(True), consistency_level="Strong")
    client.create_collection(doc_names, schema=documents, index_params=indexes(False), consistency_level="Strong")


class MilvusBackend:
    fingerprint = {"backend": "milvus"}

    def __init__(self, settings: MilvusStore, index_dir: Path):
        self.settings, self.index_dir = settings, index_dir
        self.prefix = settings.collection_prefix
        self._client = None
        self._view: "MilvusView | None" = None
        self._lock = threading.Lock()

    # -- connection -------------------------------------------------------------------------

    @property
    def uri(self) -> str:
        uri = self.settings.uri
        if "://" in uri:
            return uri
        path = Path(uri) if Path(uri).is_absolute() else self.index_dir / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)

    @property
    def client(self):
        with self._lock:
            if self._client is None:
                self._client = self._connect()
        return self._client

    def _connect(self):
        try:
            from pymilvus import MilvusClient
        except ImportError:
            raise MissingDependencyError("pymilvus", " or pip install -e '.[milvus]'") from None

        # milvus-lite lacks AllocTimestamp: query_iterator falls back to the client's clock, and
        # both sides would log it for every catalogue read.
        logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
        logging.getLogger("pymilvus.client.iterator.query_iterator").setLevel(logging.ERROR)

        try:
            client = MilvusClient(uri=self.uri, token=self.settings.token or "", db_name=self.settings.db_name)
        except Exception as exc:  # pymilvus raises its own and grpc's errors
            raise RagError(f"Cannot reach Milvus at {self.settings.uri}: {str(exc)[:200]}. Check store.milvus.uri "
                           "(and store.token); a milvus-lite file can be open in one process only, so "
                           "point other processes at a `milvus-lite server` by its http:// address.") from None
        self._ensure_meta(client)
        return Guarded(client, self.settings.uri)

    def _ensure_meta(self, client) -> None:
        from pymilvus import DataType

        name = self.prefix + "meta"
        if client.has_collection(name):
            client.load_collection(name)
            return
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("value", DataType.JSON)
        schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)  # every collection needs a vector field
        index = client.prepare_index_params()
        index.add_index("unused", index_type="FLAT", metric_type="L2")
        client.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")

    def close(self) -> None:
        """Disconnect; for milvus-lite also stop its in-process server, which frees the file."""
        if self._client is not None:
            self._client.close()
            self._client = None
            if "://" not in self.settings.uri:
                from milvus_lite.server_manager import server_manager_instance

                server_manager_instance.release_server(self.uri)

    # -- versions -----------------------------------------------------------------------------

    def current(self) -> dict | None:
        rows = self.client.query(self.prefix + "meta", ids=["current"], output_fields=["value"])
        return rows[0]["value"] if rows else None

    def live_name(self) -> str | None:
        current = self.current()
        return current["name"] if current else None

    def view(self) -> "MilvusView":
        current = self.current()
        if current is None:
            raise NoIndexError(self.index_dir)
        view = self._view
        if view is None or view.name != current["name"]:
            view = self._view = MilvusView(self, current)
        return view

    def latest(self) -> "MilvusView | None":
        current = self.current()
        return MilvusView(self, current) if current else None

    def swap_in(self, view: "MilvusView") -> None:
        self._view = view

    def begin(self, base: "MilvusView | None") -> "MilvusTransaction":
        return MilvusTransaction(self, base)

    def lock(self):
        return versions.writer_lock(self.index_dir)

    def names(self, generation: int) -> tuple[str, str]:
        return f"{self.prefix}chunks_{generation}", f"{self.prefix}documents_{generation}"

    def destroy(self) -> None:
        """Drop every Milvus collection of this index (those of its prefix): a deleted collection's."""
        client = self.client
        for name in client.list_collections():
            if name.startswith(self.prefix) and name[len(self.prefix):].split("_")[0] in ("chunks", "documents", "meta"):
                client.drop_collection(name)


class Guarded:
    """The client, with Milvus's own errors (a server gone, a timeout) turned into one that names
    the fix, so the HTTP API answers 503 and a job reports why it failed."""

    def __init__(self, client, where: str):
        from pymilvus.exceptions import MilvusException

        self._client, self._where, self._errors = client, where, (MilvusException, ConnectionError)

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except self._errors as exc:
                raise StoreUnavailableError(self._where, str(exc)) from None

        return call


class MilvusTransaction:
    """Rows for version live+1, invisible until `commit` upserts `meta.current`."""

    def __init__(self, backend: MilvusBackend, base: MilvusView | None):
        self.backend, self.client = backend, backend.client
        current = backend.current()
        self.live = current["version"] if current else 0
        self.version = self.live + 1
        live_generation = current["generation"] if current else 0
        self.generation = live_generation if base is not None else live_generation + 1
        self.chunk_names, self.doc_names = backend.names(self.generation)
        self._drop_generations(keep={live_generation})
        if base is not None:
            self._clean()
        self.texts: dict[str, list[Chunk]] = {}

    def _drop_generations(self, keep: set[int]) -> None:
        """Collections of older generations, and a fresh one a killed rebuild left."""
        for name in self.client.list_collections():
            for stem in ("chunks_", "documents_"):
                head = self.backend.prefix + stem
                if name.startswith(head) and name[len(head):].isdigit() and int(name[len(head):]) not in keep:
                    self.client.drop_collection(name)

    def _clean(self) -> None:
        """Undo what a killed run wrote, and drop rows no version still sees."""
        for name in (self.chunk_names, self.doc_names):
            if not self.client.has_collection(name):
                continue
            self.client.load_collection(name)
            self.client.delete(name, filter=f"added > {self.live} or removed <= {self.live}")
            marked = query_all(self.client, name, f"removed > {self.live} and removed < {FOREVER}", [pk(name)])
            self._mark(name, [r[pk(name)] for r in marked], FOREVER)

    def _mark(self, collection: str, keys: list, removed: int) -> None:
        key = pk(collection)
        for part in batches(keys):
            self.client.upsert(collection, [{key: k, "removed": removed} for k in part], partial_update=True)

    def remove(self, sources: Iterable[str]) -> None:
        for part in batches(sorted(sources)):
            for name in (self.chunk_names, self.doc_names):
                if self.client.has_collection(name):
                    rows = query_all(self.client, name, f"source in {quoted(part)} and {visible(self.live)}",
                                     [pk(name)])
                    self._mark(name, [r[pk(name)] for r in rows], self.version)

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        if not chunks:
            return
        self._ensure(vectors.shape[1])
        for chunk in chunks:
            self.texts.setdefault(chunk.source, []).append(chunk)
        terms = analyze([c.text for c in chunks])
        rows = [{"vid": c.vector_id, "source": c.source, "added": self.version, "removed": FOREVER,
                 "terms": " ".join(t), "record": c.to_dict(), "dense": v.astype(np.float32).tolist()}
                for c, t, v in zip(chunks, terms, vectors)]
        # Ids hash the document's source and content, so a live row never shares one; upsert (not
        # insert, which would keep both) covers the rare dead row not yet cleaned.
        self.client.upsert(self.chunk_names, rows)

    def commit(self, manifest: dict, documents: dict[str, dict]) -> str:
        self._ensure(manifest["dim"])
        rows = []
        for source, entry in documents.items():
            terms = " ".join(analyze([document_text(self.texts.get(source, []))])[0])
            for part, text in enumerate(split_terms(terms)):
                rows.append({"key": f"{self.version}:{len(rows)}", "source": source, "part": part,
                             "added": self.version, "removed": FOREVER, "terms": text,
                             "entry": entry if part == 0 else {}})
        for part in batches(rows):
            self.client.insert(self.doc_names, part)
        self.client.flush(self.chunk_names)
        self.client.flush(self.doc_names)
        built = datetime.now(timezone.utc)
        name = built.strftime("%Y%m%dT%H%M%S%f") + f"-v{self.version}"
        manifest = {**manifest, "version": name, "built": built.isoformat(timespec="seconds")}
        current = {"name": name, "version": self.version, "generation": self.generation, "manifest": manifest}
        self.client.upsert(self.backend.prefix + "meta", [{"key": "current", "value": current, "unused": [0.0, 0.0]}])
        self.client.flush(self.backend.prefix + "meta")
        return name

    def abort(self) -> None:
        """Nothing to undo: rows of this version are invisible, and the next run deletes them."""

    def _ensure(self, dim: int) -> None:
        if not self.client.has_collection(self.chunk_names):
            create_collections(self.client, self.chunk_names, self.doc_names, dim)


def split_terms(terms: str) -> list[str]:
    """At most PART_CHARS of space-separated terms a part; always at least one part."""
    parts, start = [], 0
    while len(terms) - start > PART_CHARS:
        cut = terms.rfind(" ", start, start + PART_CHARS)
        cut = cut if cut > start else start + PART_CHARS
        parts.append(terms[start:cut])
        start = cut + 1
    return parts + [terms[start:]]
