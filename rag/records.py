"""The typed records that flow through every stage: Document -> Chunk -> Hit -> Answer."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


Span = tuple[int, int]
Marks = list  # [(offset, value)]: the value holds from that offset on


@dataclass
class Document:
    """One source file, as text. `source` (the path relative to the seeds folder) is its id.

    `headings` are spans that label rather than state; `pages` the start offset of each page
    (PDF); `sections` the heading path in force from each offset on. All offsets are into `text`.
    """

    source: str
    text: str
    title: str
    date: str | None = None
    hash: str = ""
    headings: list[Span] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    sections: Marks = field(default_factory=list)

    def __post_init__(self):
        if not self.hash:
            self.hash = content_hash(self.text)


def vector_id(chunk_id: str) -> int:
    """A stable 63-bit integer derived from a chunk's content-hash id, for the vector store."""
    return int(chunk_id[:15], 16)


@dataclass
class Chunk:
    """A span of a document small enough to embed whole.

    `start`/`end` are character offsets into the document text; `sentences` holds each
    sentence's (start, end) offsets into the document, so citations can name one sentence.
    """

    id: str
    source: str
    title: str
    date: str | None
    start: int
    end: int
    text: str
    sentences: list[Span] = field(default_factory=list)
    split_id: int = 0
    doc_hash: str = ""
    headings: list[Span] = field(default_factory=list)  # the document's headings inside this chunk
    pages: Marks = field(default_factory=list)     # (offset, page number) in force here
    sections: Marks = field(default_factory=list)  # (offset, heading path) in force here

    @property
    def vector_id(self) -> int:
        return vector_id(self.id)

    def sentence_text(self, start: int, end: int) -> str:
        return self.text[start - self.start : end - self.start]

    def is_heading(self, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in self.headings)

    def page_at(self, offset: int) -> int | None:
        return _mark_at(self.pages, offset)

    def section_at(self, offset: int) -> str | None:
        return _mark_at(self.sections, offset)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        data = dict(data)
        for key in ("sentences", "headings", "pages", "sections"):
            data[key] = [tuple(s) for s in data.get(key, [])]
        return cls(**data)


def _mark_at(marks: Marks, offset: int):
    value = None
    for at, mark in marks:
        if at > offset:
            break
        value = mark
    return value


@dataclass
class Hit:
    """A retrieved chunk and its fused retrieval score."""

    chunk: Chunk
    score: float


@dataclass
class Citation:
    id: int
    source: str
    title: str
    date: str | None
    quote: str
    start: int
    end: int
    chunk_id: str
    text: str
    score: float
    page: int | None = None      # 1-based, for paged formats (PDF)
    section: str | None = None   # heading path, e.g. "Results > Ferry service"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class AnswerPart:
    """One sentence of the answer and the citations that support it."""

    text: str
    citations: list[int] = field(default_factory=list)
    unsupported: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ShortAnswer:
    """The date, number or name that answers a "when", "how many" or "who" question, inside the
    sentence citation `citation` quotes; `start`/`end` are offsets into the document's text."""

    text: str
    citation: int
    start: int
    end: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    answer: str
    not_found: bool
    citations: list[Citation]
    query: str = ""
    model: str = "extractive"
    parts: list[AnswerPart] = field(default_factory=list)
    note: str | None = None
    index_version: str | None = None
    short_answer: ShortAnswer | None = None

    def to_dict(self) -> dict:
        return {
            "answer": self.answer,
            "not_found": self.not_found,
            "citations": [c.to_dict() for c in self.citations],
            "query": self.query,
            "model": self.model,
            "parts": [p.to_dict() for p in self.parts],
            "note": self.note,
            "index_version": self.index_version,
            "short_answer": self.short_answer.to_dict() if self.short_answer else None,
        }


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class IndexSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    version: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)
