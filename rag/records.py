"""The typed records that flow through every stage: Document -> Chunk -> Hit -> Answer."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass
class Document:
    """One source file, as text. `source` (the path relative to the seeds folder) is its id."""

    source: str
    text: str
    title: str
    date: str | None = None
    hash: str = ""

    def __post_init__(self):
        if not self.hash:
            self.hash = content_hash(self.text)


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
    sentences: list[tuple[int, int]] = field(default_factory=list)
    split_id: int = 0
    doc_hash: str = ""

    @property
    def vector_id(self) -> int:
        """A stable 63-bit integer derived from the content-hash id, for the vector store."""
        return int(self.id[:15], 16)

    def sentence_text(self, start: int, end: int) -> str:
        return self.text[start - self.start : end - self.start]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        data = dict(data)
        data["sentences"] = [tuple(s) for s in data.get("sentences", [])]
        return cls(**data)


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
class Answer:
    answer: str
    not_found: bool
    citations: list[Citation]
    query: str = ""
    model: str = "extractive"
    parts: list[AnswerPart] = field(default_factory=list)
    note: str | None = None
    index_version: str | None = None

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
