"""The index of one seeds folder: bring it in line with the files, hold the live version, and
manage the documents in it, run in the caller's thread or as jobs a user can watch."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from rag.config import FetchSettings
from rag.errors import NotFoundError, PayloadTooLargeError
from rag.ingest import sources
from rag.ingest.fetch import fetch
from rag.ingest.files import content_type, read_indexed, resolve_existing, save_upload
from rag.ingest.readers import supported
from rag.ingest.indexer import Indexer
from rag.ingest.engines import Progress, quiet
from rag.ingest.job_queue import Job, JobManager
from rag.records import IndexSummary
from rag.stores import IndexStore, View


class IndexManager:
    def __init__(self, seeds_dir: Path, index_dir: Path, indexer: Indexer, max_upload_mb: float,
                 store: IndexStore | None = None, fetching: FetchSettings | None = None):
        self.seeds_dir, self.index_dir = seeds_dir, index_dir
        self.indexer = indexer
        self.store = store or indexer.open(index_dir)
        self.max_upload_mb = max_upload_mb
        self.fetching = fetching or FetchSettings()
        self._indexing = threading.RLock()  # one re-index at a time in this process
        self.jobs = JobManager(lambda progress, cancelled: self.run(progress=progress, cancelled=cancelled),
                               index_dir / "jobs.json")

    # -- the live version -----------------------------------------------------------------

    def snapshot(self) -> View:
        """The live index version; picks up a version another process made live."""
        return self.store.view()

    def has_index(self) -> bool:
        return self.store.live_name() is not None

    def status(self) -> dict:
        """The live index: how many documents and chunks, its version and when it was built."""
        snap = self.snapshot() if self.has_index() else None
        return {"documents": len(snap.documents) if snap else 0, "chunks": snap.count() if snap else 0,
                "index_version": snap.name if snap else "", "built": snap.manifest.get("built") if snap else None}

    def run(self, *, rebuild: bool = False, progress: Progress | None = None,
              cancelled: Callable[[], bool] | None = None) -> IndexSummary:
        """Re-index in the caller's thread; questions keep using the old version until the swap."""
        progress = progress or quiet
        with self._indexing:
            summary = self.indexer.run(self.seeds_dir, self.store, rebuild=rebuild, progress=progress,
                                       cancelled=cancelled)
            progress("swapping", 0, 1)
            fresh = self.store.latest()
            if fresh is not None:
                fresh.warm()  # before the swap, so the first question after it pays nothing
                self.store.swap_in(fresh)
            progress("swapping", 1, 1)
        return summary

    # -- index runs as jobs (the HTTP API and the UI) -------------------------------------

    def start(self, kind: str = "reindex", document: str | None = None) -> Job:
        """Queue an index run, or join the one that will cover this request; returns at once."""
        return self.jobs.submit(kind, document)

    def upload(self, filename: str, data: bytes, *, replace: bool = False) -> tuple[str, Job]:
        """Save a checked upload into the seeds folder now; index it in a job."""
        name = self._save(filename, data, replace)
        return name, self.start("upload", name)

    def remove(self, name: str) -> Job:
        resolve_existing(self.seeds_dir, name).unlink()
        sources.forget(self.seeds_dir, name)
        return self.start("delete", name)

    def add_url(self, url: str) -> tuple[str, Job]:
        """Fetch a page or PDF (through the guard in rag/ingest/fetch.py), keep it in the seeds
        folder with where it came from, and index it in a job."""
        page = fetch(url, self.fetching, supported())
        name = sources.name_for(self.seeds_dir, page.url, page.suffix)
        self._keep(name, page)
        return name, self.start("fetch", name)

    def refresh(self, name: str) -> tuple[bool, Job | None]:
        """Fetch a document's URL again; index it only if what came back differs."""
        path = resolve_existing(self.seeds_dir, name)
        url = sources.url_of(self.seeds_dir, name)
        if url is None:
            raise NotFoundError(f"'{name[:80]}' was not added by URL, so there is nothing to fetch again.")
        page = fetch(url, self.fetching, supported())
        if page.data == path.read_bytes():
            return False, None
        self._keep(name, page)
        return True, self.start("refresh", name)

    def _keep(self, name: str, page) -> None:
        self._save(name, page.data, replace=True)
        sources.record(self.seeds_dir, name, {"url": page.url, "final_url": page.final_url, "fetched": page.fetched})

    # -- documents ------------------------------------------------------------------------

    def documents(self) -> list[dict]:
        docs = self.snapshot().documents if self.has_index() else {}
        return [{"name": name, "title": d["title"], "date": d["date"], "chunks": d["chunks"],
                 "hash": d["hash"], "url": d.get("url")} for name, d in sorted(docs.items())]

    def document(self, name: str) -> dict:
        """An indexed document's metadata and text, with where its pages and sections begin."""
        entry, (_, doc) = self._indexed(name)
        return {"name": name, "title": doc.title, "date": doc.date, "hash": doc.hash, "url": entry.get("url"),
                "chunks": entry["chunks"], "content_type": content_type(name), "text": doc.text,
                "pages": [{"page": n, "start": at} for n, at in enumerate(doc.pages, start=1)],
                "sections": [{"start": at, "path": path} for at, path in doc.sections],
                "headings": [{"start": a, "end": b} for a, b in doc.headings]}

    def document_file(self, name: str) -> tuple[bytes, str]:
        """The original bytes of an indexed document and their content type."""
        _, (data, _) = self._indexed(name)
        return data, content_type(name)

    def _indexed(self, name: str):
        entry = self.snapshot().documents.get(name) if self.has_index() else None
        if entry is None:
            raise NotFoundError(f"No document named '{name[:80]}' in the index.")
        return entry, read_indexed(self.seeds_dir, name, entry["hash"])

    def _save(self, filename: str, data: bytes, replace: bool) -> str:
        if len(data) > int(self.max_upload_mb * 1024 * 1024):
            raise PayloadTooLargeError(f"The file is larger than the {self.max_upload_mb:g} MB limit.")
        return save_upload(self.seeds_dir, filename, data, replace=replace)
