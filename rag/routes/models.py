"""Request and response models of the HTTP API: what /docs shows for each endpoint."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from rag.config import TOP_K_MAX


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="The question to answer from the documents.")
    history: Optional[list[Message]] = Field(None, max_length=40)
    top_k: Optional[int] = Field(None, ge=1, le=TOP_K_MAX)
    model: Optional[str] = Field(None, max_length=200)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: Optional[str | list] = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: Optional[str] = Field(None, max_length=200)
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=80)
    stream: bool = False


class PageStart(BaseModel):
    page: int = Field(..., description="1-based page number")
    start: int = Field(..., description="offset in `text` where the page begins")


class SectionStart(BaseModel):
    start: int
    path: str = Field(..., description='heading path in force from `start` on, e.g. "Results > Ferry service"')


class TextSpan(BaseModel):
    start: int
    end: int


class DocumentText(BaseModel):
    """An indexed document as the service reads it: citation offsets point into `text`."""

    name: str
    title: str
    date: Optional[str]
    hash: str
    chunks: int
    content_type: str
    text: str
    pages: list[PageStart]
    sections: list[SectionStart]
    headings: list[TextSpan]


class JobView(BaseModel):
    """An index run: queued, then running through its phases, then done, failed or cancelled."""

    id: str
    kind: Literal["reindex", "upload", "delete"]
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    phase: Optional[Literal["scanning", "reading", "embedding", "writing", "swapping"]]
    done: int
    total: int
    created: str
    started: Optional[str]
    finished: Optional[str]
    summary: Optional[dict] = Field(None, description="the index summary, once done")
    error: Optional[str]
    documents: list[str] = Field(..., description="uploaded or deleted documents this run covers")


class UploadJob(JobView):
    name: str = Field(..., description="the name the upload was saved under")


class Citation(BaseModel):
    id: int = Field(..., description="the n of [n] in the answer")
    source: str
    title: str
    date: Optional[str]
    quote: str = Field(..., description="the cited sentence, exactly as in the document")
    start: int = Field(..., description="offset of the quote in the document's text")
    end: int
    chunk_id: str
    text: str = Field(..., description="the retrieved passage the quote sits in")
    score: float
    page: Optional[int] = Field(None, description="1-based page, for paged formats")
    section: Optional[str] = Field(None, description="heading path, where the document has headings")


class AnswerPart(BaseModel):
    text: str
    citations: list[int]
    unsupported: bool


class ShortAnswer(BaseModel):
    text: str = Field(..., description="the date, number or name that answers, as in the document")
    citation: int = Field(..., description="the n of the citation whose sentence holds it")
    start: int = Field(..., description="offset in the document's text")
    end: int


class AskResult(BaseModel):
    """An answer whose every sentence cites the retrieved text, or not_found."""

    answer: str
    not_found: bool
    citations: list[Citation]
    query: str = Field(..., description="what was searched (a follow-up condensed with its history)")
    model: str
    parts: list[AnswerPart]
    note: Optional[str]
    index_version: Optional[str]
    short_answer: Optional[ShortAnswer] = Field(
        None, description="for a when / how many / who question whose answer sentence holds exactly one such span")


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    chunks: int
    index_version: str
    built: Optional[str] = Field(None, description="when the live index version was written (UTC)")


class DocumentRow(BaseModel):
    name: str
    title: str
    date: Optional[str]
    chunks: int
    hash: str
