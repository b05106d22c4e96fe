"""Bulk ingestion on Ray Data: read, chunk and embed on a pool of actors that each hold the model,
while this process streams the results into the store's transaction.

`rag index --ray` starts a local Ray (offline, no dashboard, its own temp folder) and stops it
afterwards; `rag index --ray ADDRESS` joins a running cluster, where the same pipeline spreads
over its workers (each needs this package installed). Chunks and ids are exactly those of the
in-process path: the same readers, chunker and model run in the actors.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tempfile
import warnings

import numpy as np

from rag.config import Chunking, Embedding, OcrSettings, Settings
from rag.errors import IndexCancelled, RagError
from rag.ingest.engines import Ingested, Progress
from rag.records import Chunk, Skipped

START_ATTEMPTS = 3  # a local Ray start on a busy machine can miss Ray's fixed 30 s waits


class Worker:
    """One actor: builds the chunker and the embedder once, then turns files into chunk rows."""

    def __init__(self, embedding: dict, chunking: dict, ocr_settings: dict | None = None):
        from rag.embedding import make_embedder
        from rag.ingest import ocr
        from rag.ingest.indexer import Indexer

        ocr.use(OcrSettings(**(ocr_settings or {})))  # a scan reads the same in an actor as at home
        settings = Embedding(**embedding)
        self.embedder, self.sentences = make_embedder(settings), settings.sentences
        self.whole = settings.chunk_vectors == "whole"
        chunking = Chunking(**chunking)
        self.chunker = Indexer(self.embedder, chunking.chunk_tokens, chunking.overlap_tokens).chunker

    def __call__(self, batch: dict) -> dict:
        from rag.embedding import embed_chunks
        from rag.ingest.indexer import _entries
        from rag.ingest.layout import Unreadable
        from rag.ingest.readers import parse_document

        rows = {"source": [], "record": [], "entry": [], "skipped": []}
        chunks: list[Chunk] = []
        for source, data in zip(batch["source"], batch["data"]):
            try:
                doc = parse_document(str(source), bytes(data))
            except Unreadable as exc:
                _row(rows, source, skipped=str(exc))
                continue
            pieces = self.chunker.split(doc)
            _row(rows, source, entry=json.dumps(_entries([doc], pieces)[doc.source]))
            for _ in pieces:
                _row(rows, source, record=None)  # written once embedded: a record carries its sentences' vectors
            chunks += pieces
        out = np.zeros((len(rows["source"]), self.embedder.dim), dtype=np.float32)
        if chunks:
            at = [i for i, r in enumerate(rows["record"]) if r is None]
            out[at] = embed_chunks(self.embedder, chunks, self.sentences, self.whole)
            for i, chunk in zip(at, chunks):
                rows["record"][i] = json.dumps(chunk.to_dict(), ensure_ascii=False)
        return {**{k: np.array(v, dtype=object) for k, v in rows.items()}, "vector": out}


def _row(rows: dict, source, record: str | None = "", entry: str = "", skipped: str = "") -> None:
    for key, value in (("source", str(source)), ("record", record), ("entry", entry), ("skipped", skipped)):
        rows[key].append(value)


def _quiet(ray) -> None:
    """Progress goes through our own progress callback; Ray Data's bars and banners would
    interleave with it on stderr."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*minimum number of concurrent actors.*")


class RayIngest:
    """The `ingest.engine: ray` engine: actors build their own chunker and embedder from the settings."""

    def __init__(self, settings: Settings):
        self.settings, self.embedding, self.chunking = settings.ingest, settings.embedding, settings.chunking
        self.ocr = settings.ocr
        self._temp: str | None = None  # the session folder of a local Ray this engine started

    def ingest(self, indexer, fresh: list[tuple[str, bytes]], txn, progress: Progress, cancelled) -> Ingested:
        import ray

        started_here = self._start(ray)
        _quiet(ray)
        try:
            return self._run(ray, fresh, txn, progress, cancelled)
        finally:
            if started_here:
                self._stop(ray)

    def _stop(self, ray) -> None:
        """Shut the local Ray down and remove its session folder (logs, sockets): one per run."""
        ray.shutdown()
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None

    def _start(self, ray) -> bool:
        """Join the configured cluster, or start a local Ray; True if this call started it."""
        if ray.is_initialized():
            return False
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                self._init(ray)
                return True
            except Exception as exc:  # ray.init raises bare Exceptions as well as its own
                self._stop(ray)
                if attempt == START_ATTEMPTS:
                    raise RagError(f"Cannot start or reach Ray ({self.settings.ray_address or 'local'}): "
                                   f"{str(exc)[:200]}. Check ingest.ray_address, try again when the "
                                   "machine is less busy, or index without --ray.") from None

    def _init(self, ray) -> None:
        if self.settings.ray_address:
            ray.init(address=self.settings.ray_address, log_to_driver=False, configure_logging=False)
            return
        # Ray 2.59+ turns token auth on for local clusters and keeps the token in ~/.ray;
        # a token of our own means two local runs at once never read each other's.
        os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
        self._temp = tempfile.mkdtemp(prefix="rag-ray-")
        ray.init(address="local", num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False,
                 configure_logging=False, _temp_dir=self._temp)

    def _run(self, ray, fresh, txn, progress: Progress, cancelled) -> Ingested:
        ingested = Ingested()
        if not fresh:
            return ingested
        embedding = self.embedding.model_dump(mode="json") | {"threads": self.settings.threads_per_worker}
        items = [{"source": s, "data": d} for s, d in fresh]
        blocks = max(1, min(len(fresh), 4 * self.settings.workers))  # enough to keep every actor busy
        ds = ray.data.from_items(items, override_num_blocks=blocks).map_batches(
            Worker, fn_constructor_kwargs={"embedding": embedding, "chunking": self.chunking.model_dump(),
                                           "ocr_settings": self.ocr.model_dump()},
            compute=ray.data.ActorPoolStrategy(size=self.settings.workers), batch_size=self.settings.docs_per_batch,
            num_cpus=self.settings.threads_per_worker, batch_format="numpy")
        done = 0
        progress("embedding", 0, len(fresh))
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            if cancelled():
                raise IndexCancelled()
            chunk_rows = [i for i, r in enumerate(batch["record"]) if r]
            if chunk_rows:
                txn.add([Chunk.from_dict(json.loads(batch["record"][i])) for i in chunk_rows],
                        np.asarray(batch["vector"][chunk_rows], dtype=np.float32))
            for source, entry, skipped in zip(batch["source"], batch["entry"], batch["skipped"]):
                if entry:
                    ingested.entries[str(source)] = json.loads(entry)
                elif skipped:
                    ingested.skipped.append(Skipped(path=str(source), reason=str(skipped)))
            done += sum(1 for e, s in zip(batch["entry"], batch["skipped"]) if e or s)
            progress("embedding", done, len(fresh))
        return ingested
