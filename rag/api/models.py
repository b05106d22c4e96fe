"""Request models of the HTTP API and the responses that are the API's own (health, documents, jobs);
an answer is `rag.records.Answer`, the one model every boundary serialises."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from rag.config import TOP_K_MAX
from rag.records import Filters


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
    filters: Optional[Filters] = Field(None, description="narrow the documents searched; returned on the answer")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: Optional[str | list] = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: Optional[str] = Field(None, max_length=200)
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=80)
    stream: bool = False
    filters: Optional[Filters] = Field(None, description="as in /api/ask (the OpenAI client's extra_body)")
    metadata: Optional[dict[str, str]] = Field(None, description='or {"filters": "<the filters as JSON>"}')


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
    url: Optional[str] = Field(None, description="where it was fetched from, when added by URL")
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
    phase: Optional[Literal["scanning", "reading", "ocr", "embedding", "writing", "swapping"]]
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


class Health(BaseModel):
    """`status` for anyone; the counts for a caller who may read the collection."""

    status: Literal["ok"]
    documents: Optional[int] = None
    chunks: Optional[int] = None
    index_version: Optional[str] = None
    built: Optional[str] = Field(None, description="when the live index version was written (UTC)")


class CollectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=40, description="lower-case letters, digits, - and _")


class CollectionView(BaseModel):
    name: str
    documents: int
    chunks: int
    index_version: str
    built: Optional[str] = None


class DocumentRow(BaseModel):
    name: str
    title: str
    date: Optional[str]
    chunks: int
    hash: str
    url: Optional[str] = None


class FetchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., max_length=4000, description="an http(s) web page or PDF to fetch and index")
    wait: bool = Field(False, description="hold the request until the index run ends and return its summary")


class Refreshed(BaseModel):
    name: str
    changed: bool = Field(..., description="false: the page is as it was, nothing to index")
    job: Optional[JobView] = None


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: Literal["up", "down"]
    comment: Optional[str] = Field(None, max_length=2000)
    correct_source: Optional[str] = Field(None, max_length=500, description="the document that holds the answer")


class FeedbackView(BaseModel):
    answer_id: str
    rating: Literal["up", "down"]
