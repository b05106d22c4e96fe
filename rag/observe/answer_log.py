"""Every answer and its rating, in an embedded SQLite database in the index folder (answers.sqlite3):
what `POST /api/answers/{id}/feedback` rates, `rag eval --feedback` re-asks and `rag feedback export`
writes out. With `log.questions: false` only ids, offsets and timings are kept, never text."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

from rag.errors import NotFoundError, UserInputError
from rag.records import Asked

RATINGS = ("up", "down")
SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
  id TEXT PRIMARY KEY, at REAL NOT NULL, question TEXT, query TEXT, answer TEXT, model TEXT, outcome TEXT,
  not_found INTEGER, chunk_ids TEXT, citations TEXT, seconds REAL, index_version TEXT);
CREATE INDEX IF NOT EXISTS answers_at ON answers(at);
CREATE TABLE IF NOT EXISTS feedback (
  answer_id TEXT PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE, at REAL NOT NULL, rating TEXT NOT NULL,
  comment TEXT, correct_source TEXT);
"""
MAX_COMMENT = 2000


class AnswerLog:
    def __init__(self, path: Path, keep_text: bool = True, retention_days: float = 90.0):
        self.path, self.keep_text, self.retention = Path(path), keep_text, retention_days * 86400
        self._lock = threading.Lock()  # one writer at a time; SQLite serialises the rest
        self._ready = False
        self._pruned = 0.0
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="answer-log")  # in order, off the answer's path

    def record(self, asked: Asked) -> None:
        """Queue the answer for the log: the question does not wait on the disk."""
        self._writer.submit(self._record, asked).add_done_callback(_report)

    def flush(self) -> None:
        """Wait until every answer queued so far is written."""
        self._writer.submit(lambda: None).result()

    def _record(self, asked: Asked) -> None:
        answer, text = asked.answer, self.keep_text
        citations = [{"n": c.id, "source": c.source, "start": c.start, "end": c.end,
                      **({"quote": c.quote} if text else {})} for c in answer.citations]
        row = (answer.answer_id, time.time(), asked.question if text else None, answer.query if text else None,
               answer.answer if text else None, answer.model, asked.outcome, int(answer.not_found),
               json.dumps([h.chunk.id for h in asked.hits]), json.dumps(citations), round(asked.seconds, 4),
               answer.index_version)
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)
            if time.time() - self._pruned > 3600:  # retention is in days: once an hour is often enough
                db.execute("DELETE FROM answers WHERE at < ?", (time.time() - self.retention,))
                self._pruned = time.time()

    def rate(self, answer_id: str, rating: str, comment: str | None = None,
             correct_source: str | None = None) -> dict:
        if rating not in RATINGS:
            raise UserInputError(f"rating must be one of: {', '.join(RATINGS)}.")
        if comment is not None and len(comment) > MAX_COMMENT:
            raise UserInputError(f"The comment is {len(comment)} characters long; the limit is {MAX_COMMENT}.")
        self.flush()  # an answer rated the moment it arrives is in the log
        with self._write() as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                raise NotFoundError(f"No answer with id '{answer_id[:40]}' in the answer log "
                                    "(it may be older than log.retention_days).")
            db.execute("INSERT OR REPLACE INTO feedback VALUES (?,?,?,?,?)",
                       (answer_id, time.time(), rating, comment, correct_source))
        return {"answer_id": answer_id, "rating": rating}

    def rated(self) -> list[dict]:
        """Rated answers, oldest first: the question, what was cited, and the rating."""
        self.flush()
        with self._read() as db:
            rows = db.execute("SELECT a.id, a.question, a.answer, a.not_found, a.citations, f.rating, f.comment,"
                              " f.correct_source FROM answers a JOIN feedback f ON f.answer_id = a.id"
                              " ORDER BY f.at").fetchall()
        return [{"answer_id": r[0], "question": r[1], "answer": r[2], "not_found": bool(r[3]),
                 "citations": json.loads(r[4]), "rating": r[5], "comment": r[6], "correct_source": r[7]}
                for r in rows]

    def get(self, answer_id: str) -> dict | None:
        self.flush()
        with self._read() as db:
            row = db.execute("SELECT id, question, outcome, seconds FROM answers WHERE id = ?",
                             (answer_id,)).fetchone()
        return dict(zip(("answer_id", "question", "outcome", "seconds"), row)) if row else None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")  # in WAL: a power cut may lose the last answer, never the file
        if not self._ready:
            db.execute("PRAGMA journal_mode = WAL")  # readers never wait on the writer
            db.executescript(SCHEMA)
            self._ready = True
        return db

    def _write(self):
        return _Locked(self._lock, self._connect)

    def _read(self):
        return _Locked(None, self._connect)


def _report(done) -> None:
    if done.exception() is not None:
        logging.getLogger(__name__).error("an answer could not be logged: %s", done.exception())


class _Locked:
    """A connection for one unit of work, committed on success, closed always."""

    def __init__(self, lock: threading.Lock | None, connect):
        self.lock, self.connect = lock, connect

    def __enter__(self) -> sqlite3.Connection:
        if self.lock:
            self.lock.acquire()
        self.db = self.connect()
        return self.db

    def __exit__(self, kind, exc, tb) -> None:
        try:
            with closing(self.db):
                if kind is None:
                    self.db.commit()
        finally:
            if self.lock:
                self.lock.release()
