"""The typed records that flow through every stage: Document -> Chunk -> Hit -> Answer.

Document, Chunk and Hit stay inside the service (dataclasses; a chunk carries numpy vectors);
what leaves it (Answer and its parts, IndexSummary) is a pydantic model, the one declaration of its shape.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field, fields
from typing import Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field


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
    ocr_pages: list[int] = field(default_factory=list)  # pages whose text was read by OCR
    tags: list[str] = field(default_factory=list)  # front matter tags:, DOCX/PPTX/PDF keywords

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
    ocr_pages: list[int] = field(default_factory=list)  # the document's pages read by OCR
    # one unit vector a sentence, in `sentences` order, embedded while indexing (None: embed when asked)
    sentence_vectors: np.ndarray | None = field(default=None, compare=False, repr=False)

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

    def ocr_at(self, offset: int) -> bool:
        return bool(self.ocr_pages) and self.page_at(offset) in self.ocr_pages

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        vectors = data.pop("sentence_vectors")
        if vectors is not None:
            data["sentence_vectors"] = pack_vectors(vectors)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        data = dict(data)
        for key in ("sentences", "headings", "pages", "sections"):
            data[key] = [tuple(s) for s in data.get(key, [])]
        if data.get("sentence_vectors") is not None:
            data["sentence_vectors"] = unpack_vectors(data["sentence_vectors"], len(data["sentences"]))
        return cls(**data)


def pack_vectors(vectors: np.ndarray) -> str:
    """Unit vectors as text for a chunk's record: int8 with one scale a row, a quarter of
    float32's bytes (cosine to the original above 0.9999)."""
    scale = np.abs(vectors).max(axis=1, keepdims=True).astype(np.float32) / 127
    scale[scale == 0] = 1
    codes = np.round(vectors / scale).astype(np.int8)
    return base64.b64encode(scale.tobytes() + codes.tobytes()).decode("ascii")


def unpack_vectors(text: str, rows: int) -> np.ndarray:
    raw = base64.b64decode(text)
    scale = np.frombuffer(raw, np.float32, rows).reshape(rows, 1)
    vectors = np.frombuffer(raw, np.int8, offset=4 * rows).reshape(rows, -1) * scale
    return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)


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


class _Record(BaseModel):
    """A record that leaves the service: validated where it is made, serialised by `model_dump` in
    the API, the CLI's --json, SSE events, the OpenAI endpoint's `sources` and the UI alike."""

    model_config = ConfigDict(extra="forbid")


class Citation(_Record):
    id: int = Field(..., description="the n of [n] in the answer")
    source: str = Field(..., description="the document's name (its path in the seeds folder)")
    title: str
    date: Optional[str]
    quote: str = Field(..., description="the cited sentence, exactly as in the document")
    start: int = Field(..., description="offset of the quote in the document's text")
    end: int
    chunk_id: str
    text: str = Field(..., description="the retrieved passage the quote sits in")
    score: float
    page: Optional[int] = Field(None, description="1-based page, for paged formats (PDF)")
    section: Optional[str] = Field(None, description='heading path, e.g. "Results > Ferry service"')
    ocr: bool = Field(False, description="the quote was read from a page image by OCR")
    url: Optional[str] = Field(None, description="where the document was fetched from, when it was added by URL")


class AnswerPart(_Record):
    """One sentence of the answer and the citations that support it."""

    text: str
    citations: list[int] = Field(default_factory=list)
    unsupported: bool = False
    reason: Optional[str] = Field(None, description="why an unsupported sentence is not backed by the documents")
    check: Optional[str] = Field(None, description="the verifier check that failed (or similarity: nothing close)")


class ShortAnswer(_Record):
    """The date, number or name that answers a "when", "how many" or "who" question, inside the
    sentence citation `citation` quotes; `start`/`end` are offsets into the document's text."""

    text: str = Field(..., description="the date, number or name that answers, as in the document")
    citation: int = Field(..., description="the n of the citation whose sentence holds it")
    start: int = Field(..., description="offset in the document's text")
    end: int


class Filters(BaseModel):
    """Which documents a question searches (all of them when empty); each given field narrows it."""

    model_config = ConfigDict(extra="forbid")
    documents: Optional[list[str]] = Field(None, description='names or globs, e.g. ["reports/*.pdf", "notes.md"]')
    folder: Optional[str] = Field(None, description="a folder of the seeds folder, e.g. reports/2024")
    date_from: Optional[str] = Field(None, description="the document's date on or after this (yyyy-mm-dd)")
    date_to: Optional[str] = Field(None, description="the document's date on or before this (yyyy-mm-dd)")
    tags: Optional[list[str]] = Field(None, description="any of these tags (front matter tags:, DOCX/PDF keywords)")

    def empty(self) -> bool:
        return not any(getattr(self, name) for name in type(self).model_fields)


class Answer(_Record):
    """An answer whose every sentence cites the retrieved text, or not_found."""

    answer: str
    not_found: bool
    citations: list[Citation]
    query: str = Field("", description="what was searched (a follow-up condensed with its history)")
    model: str = "extractive"
    parts: list[AnswerPart] = Field(default_factory=list)
    note: Optional[str] = None
    index_version: Optional[str] = None
    short_answer: Optional[ShortAnswer] = Field(
        None, description="for a when / how many / who question whose answer sentence holds exactly one such span")
    answer_id: Optional[str] = Field(None, description="what POST /api/answers/{answer_id}/feedback rates")
    filters: Optional[Filters] = Field(None, description="the filters the question was asked with (what was searched)")


class Skipped(_Record):
    path: str
    reason: str


class IndexSummary(_Record):
    """What an index run did: `rag index --json` prints it without `version`."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = Field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    version: str | None = None



@dataclass(frozen=True)
class Asked:
    """One answered question, as the pipeline tells its observers (the answer log, the metrics)."""

    question: str
    answer: "Answer"
    hits: list[Hit]
    outcome: str  # answered | not_found | unsupported (some sentences flagged) | fallback | ungrounded
    seconds: float
    retrieval_seconds: float
    generation_seconds: float = 0.0
