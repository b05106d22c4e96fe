"""Long work as jobs a user can watch: index runs queued, run one at a time, reported as they go.

A re-index asked for while one is queued or running joins it; an upload or delete made while a
run is under way is picked up by the next run. Jobs are kept in a small JSON file beside the
index, so a job a restart cut short is reported as failed, never as running forever.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from rag.errors import IndexCancelled, NotFoundError, RagError
from rag.ingest.engines import Progress

log = logging.getLogger("rag.jobs")
ACTIVE = ("queued", "running")
KEEP = 50  # finished jobs remembered
INTERRUPTED = "Interrupted: the server stopped before this job finished; the previous index is live."

Runner = Callable[[Progress, Callable[[], bool]], object]  # returns an IndexSummary


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class Job:
    id: str
    kind: str  # what asked for the run: reindex, upload or delete
    state: str = "queued"  # queued | running | done | failed | cancelled
    phase: str | None = None  # scanning | reading | embedding | writing | swapping
    done: int = 0
    total: int = 0
    created: str = field(default_factory=now)
    started: str | None = None
    finished: str | None = None
    summary: dict | None = None
    error: str | None = None
    documents: list[str] = field(default_factory=list)  # uploaded or deleted names this run covers

    def to_dict(self) -> dict:
        return asdict(self)


class JobManager:
    def __init__(self, runner: Runner, path: Path | None = None):
        self.runner = runner
        self.path = path
        self._jobs: dict[str, Job] = {}
        self._queue: deque[str] = deque()
        self._running: str | None = None
        self._cancel = threading.Event()
        self._changed = threading.Condition()
        self._version = 0
        self._worker: threading.Thread | None = None
        self._errors: dict[str, RagError] = {}  # why a job failed, for callers that wait on it
        self.observers: list[Callable[[Job, float], None]] = []  # told of each job's end and its seconds
        self._load()

    # -- asking ---------------------------------------------------------------------------

    def submit(self, kind: str = "reindex", document: str | None = None) -> Job:
        """The job that will cover this request: a queued one, the running one for a plain
        re-index, or a new one."""
        with self._changed:
            job = self._jobs[self._queue[-1]] if self._queue else None
            if job is None and kind == "reindex" and self._running:
                job = self._jobs[self._running]
            if job is None:
                job = Job(id=uuid.uuid4().hex[:12], kind=kind)
                self._jobs[job.id] = job
                self._queue.append(job.id)
            if document:
                job.documents.append(document)
            self._touch(persist=True)
            self._start_worker()
            return job

    def cancel(self, job_id: str) -> Job:
        with self._changed:
            job = self.get(job_id)
            if job.state == "queued":
                self._queue.remove(job_id)
                self._end(job, "cancelled")
            elif job.state == "running":
                self._cancel.set()
            return job

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"No job '{job_id[:40]}'.")
        return job

    def list(self) -> list[Job]:
        return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        job = self.get(job_id)
        with self._changed:
            self._changed.wait_for(lambda: job.state not in ACTIVE, timeout)
        return job

    def result(self, job_id: str) -> dict:
        """Wait for the job; its summary, or the error that ended it raised again."""
        job = self.wait(job_id)
        if job.state == "done":
            return job.summary
        raise self._errors.get(job_id) or (IndexCancelled() if job.state == "cancelled" else RagError(job.error))

    def events(self, job_id: str, heartbeat: float = 15.0) -> Iterator[dict]:
        """The job as it is now, then again at every change, until it ends."""
        job, seen = self.get(job_id), -1
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._version != seen, heartbeat)
                seen, snapshot = self._version, job.to_dict()
            yield snapshot
            if snapshot["state"] not in ACTIVE:
                return

    # -- working --------------------------------------------------------------------------

    def _start_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="index-jobs", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while True:
            with self._changed:
                if not self._queue:
                    self._worker = None
                    return
                job = self._jobs[self._queue.popleft()]
                self._running, job.state, job.started = job.id, "running", now()
                self._cancel.clear()
                self._touch(persist=True)
            self._run(job)

    def _run(self, job: Job) -> None:
        started = time.perf_counter()
        try:
            summary = self.runner(lambda phase, done, total: self._progress(job, phase, done, total),
                                  self._cancel.is_set)
            job.summary = summary.model_dump(mode="json")
            state = "done"
        except IndexCancelled:
            state = "cancelled"
        except RagError as exc:
            job.error, state, self._errors[job.id] = str(exc), "failed", exc
        except Exception as exc:  # the worker must outlive any one job
            log.exception("index job %s failed", job.id)
            job.error, state = f"Unexpected {type(exc).__name__}: {exc}", "failed"
        with self._changed:
            self._running = None
            self._end(job, state)
        for observe in self.observers:
            try:
                observe(job, time.perf_counter() - started)
            except Exception:  # a counter must not stop the worker
                log.exception("a job observer failed")

    def _progress(self, job: Job, phase: str, done: int, total: int) -> None:
        with self._changed:
            new_phase = phase != job.phase
            job.phase, job.done, job.total = phase, done, total
            self._touch(persist=new_phase)

    def _end(self, job: Job, state: str) -> None:
        job.state, job.finished = state, now()
        self._touch(persist=True)

    def _touch(self, persist: bool = False) -> None:
        self._version += 1
        self._changed.notify_all()
        if persist:
            self._save()

    # -- kept beside the index ------------------------------------------------------------

    def _save(self) -> None:
        if self.path is None:
            return
        jobs = self.list()
        keep = [j for j in jobs if j.state in ACTIVE] + [j for j in jobs if j.state not in ACTIVE][:KEEP]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".partial")
            partial.write_text(json.dumps([j.to_dict() for j in keep], ensure_ascii=False), encoding="utf-8")
            os.replace(partial, self.path)
        except OSError as exc:  # losing the job log must never fail an index run
            log.warning("cannot save jobs to %s: %s", self.path, exc)

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            jobs = [Job(**row) for row in rows]
        except (OSError, ValueError, TypeError) as exc:
            log.warning("ignoring unreadable job file %s: %s", self.path, exc)
            return
        for job in jobs:
            if job.state in ACTIVE:
                job.state, job.error, job.finished = "failed", INTERRUPTED, job.finished or now()
            self._jobs[job.id] = job
        self._save()
