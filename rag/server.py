"""HTTP API (FastAPI). Handlers are thin: request model, service call, response; RagErrors
become JSON errors here and nowhere else. The UI is composed onto this app by `rag serve`
(ui.app.mount): the API knows nothing of it."""
from __future__ import annotations

import hmac
import json
import time
import uuid
from typing import Literal, Optional
from urllib.parse import quote

from fastapi import Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from .errors import AuthError, RagError, UserInputError
from .service import RagService


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="The question to answer from the documents.")
    history: Optional[list[Message]] = Field(None, max_length=40)
    top_k: Optional[int] = Field(None, ge=1, le=100)
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
    phase: Optional[Literal["scanning", "embedding", "writing", "swapping"]]
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


WaitOpt = Query(False, description="Hold the request until the index run ends and return its summary.")


def create_app(service: RagService) -> FastAPI:
    app = FastAPI(title="rag", description="Answers from your documents, each sentence cited.",
                  version="0.1.0", docs_url="/docs", openapi_url="/openapi.json")
    _errors(app)
    _upload_limit(app, service.settings.server.max_upload_mb)
    writer = Depends(_require_key(service))

    @app.get("/api/health")
    def health() -> dict:
        return {"status": "ok", **service.status()}

    @app.post("/api/ask")
    def ask(body: AskRequest) -> dict:
        return service.ask(body.question, history=_turns(body.history), top_k=body.top_k,
                           model=body.model).to_dict()

    @app.post("/api/ask/stream")
    async def ask_stream(body: AskRequest):
        events = service.ask_stream(body.question, history=_turns(body.history), top_k=body.top_k,
                                    model=body.model)
        first = await run_in_threadpool(next, events)  # validation errors surface as 4xx here
        return _sse(first, events, lambda e: (e["type"], e))

    @app.get("/api/documents")
    def documents() -> list[dict]:
        return service.documents()

    @app.get("/api/documents/{name:path}/file", response_class=Response,
             responses={200: {"description": "The original file, as uploaded", "content": {"*/*": {}}}})
    def document_file(name: str) -> Response:
        data, kind = service.document_file(name)
        filename = quote(name.rsplit("/", 1)[-1])
        headers = {"Content-Disposition": f"inline; filename*=UTF-8''{filename}", "X-Content-Type-Options": "nosniff"}
        if kind != "application/pdf":  # an uploaded HTML file never runs script in this origin
            headers["Content-Security-Policy"] = "sandbox"  # (Chromium's PDF viewer refuses a sandbox)
        return Response(data, media_type=kind, headers=headers)

    @app.get("/api/documents/{name:path}", response_model=DocumentText)
    def document(name: str) -> dict:
        return service.document(name)

    @app.post("/api/documents", dependencies=[writer], status_code=202, response_model=UploadJob,
              responses={200: {"description": "with wait=true: the index summary plus name"}})
    async def upload(file: UploadFile = File(...), replace: bool = Query(False), wait: bool = WaitOpt):
        data = await _read_limited(file, service.settings.server.max_upload_mb)
        name, job = await run_in_threadpool(service.upload, file.filename or "", data, replace=replace)
        if wait:
            return JSONResponse({"name": name, **await run_in_threadpool(service.jobs.result, job.id)})
        return {"name": name, **job.to_dict()}

    @app.delete("/api/documents/{name:path}", dependencies=[writer], status_code=202, response_model=JobView,
                responses={200: {"description": "with wait=true: the index summary"}})
    def delete(name: str, wait: bool = WaitOpt):
        return _job_or_summary(service, service.remove(name), wait)

    @app.post("/api/reindex", dependencies=[writer], status_code=202, response_model=JobView,
              responses={200: {"description": "with wait=true: the index summary"}})
    def reindex(wait: bool = WaitOpt):
        return _job_or_summary(service, service.start_index(), wait)

    @app.get("/api/jobs", response_model=list[JobView])
    def jobs() -> list[dict]:
        return [job.to_dict() for job in service.jobs.list()]

    @app.get("/api/jobs/{job_id}", response_model=JobView)
    def job(job_id: str) -> dict:
        return service.jobs.get(job_id).to_dict()

    @app.get("/api/jobs/{job_id}/events", response_class=StreamingResponse,
             responses={200: {"description": "Server-Sent Events: a `job` event at every change, until it ends",
                              "content": {"text/event-stream": {}}}})
    def job_events(job_id: str):
        events = service.jobs.events(job_id)
        return _sse(next(events), events, lambda job: ("job", job))

    @app.delete("/api/jobs/{job_id}", dependencies=[writer], response_model=JobView)
    def cancel(job_id: str) -> dict:
        return service.jobs.cancel(job_id).to_dict()

    _openai_routes(app, service)
    return app


def _turns(history: Optional[list[Message]]) -> Optional[list[dict]]:
    return [m.model_dump() for m in history] if history is not None else None


def _job_or_summary(service: RagService, job, wait: bool):
    """202 with the job, or (wait=true, for scripts) 200 with its summary once it ends."""
    return JSONResponse(service.jobs.result(job.id)) if wait else job.to_dict()


def _sse(first, rest, shape):
    """Server-Sent Events from a (blocking) event iterator; starlette runs it in a thread."""
    def frames():
        for event in _chain(first, rest):
            name, payload = shape(event)
            yield f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _chain(first, rest):
    yield first
    try:
        yield from rest
    except RagError as exc:
        yield {"type": "error", "error": str(exc)}


async def _read_limited(upload: UploadFile, limit_mb: float) -> bytes:
    """At most one byte past the limit: enough for the service's own size check to refuse it."""
    return await upload.read(int(limit_mb * 1024 * 1024) + 1)


def _upload_limit(app: FastAPI, limit_mb: float) -> None:
    """Refuse an oversized upload from its Content-Length, before any of it is read."""
    limit = int(limit_mb * 1024 * 1024) + 64 * 1024  # room for the multipart framing

    @app.middleware("http")
    async def check(request: Request, call_next):
        length = request.headers.get("content-length", "")
        if request.method == "POST" and request.url.path == "/api/documents" and length.isdigit() \
                and int(length) > limit:
            return JSONResponse({"detail": f"The file is larger than the {limit_mb:g} MB limit."},
                                status_code=413)
        return await call_next(request)


def _require_key(service: RagService):
    def check(request: Request) -> None:
        key = service.settings.server.api_key
        if not key:
            return
        given = request.headers.get("authorization", "")
        token = given[7:] if given.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(token.encode(), key.encode()):
            raise AuthError("This endpoint needs the API key: send 'Authorization: Bearer <key>'.")

    return check


def _errors(app: FastAPI) -> None:
    @app.exception_handler(RagError)
    async def rag_error(request: Request, exc: RagError):
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        where = ".".join(str(p) for p in errors[0]["loc"]) if errors else "request"
        message = errors[0]["msg"] if errors else "invalid request"
        return JSONResponse({"detail": f"{where}: {message}"}, status_code=422)


def _openai_routes(app: FastAPI, service: RagService) -> None:
    @app.get("/v1/models")
    def models() -> dict:
        names = sorted({"extractive", service.settings.generation.model, *service.settings.generation.models})
        return {"object": "list", "data": [{"id": n, "object": "model", "owned_by": "rag"} for n in names]}

    @app.post("/v1/chat/completions")
    async def chat(body: ChatRequest):
        question, history = _split_chat(body.messages)
        model = body.model if body.model and body.model not in ("rag", "default") else None
        if not body.stream:
            result = await run_in_threadpool(lambda: service.ask(question, history=history, model=model).to_dict())
            return _completion(result)
        events = service.ask_stream(question, history=history, model=model)
        first = await run_in_threadpool(next, events)
        return _openai_stream(first, events)


def _split_chat(messages: list[ChatMessage]) -> tuple[str, list[dict]]:
    turns = [{"role": m.role, "content": _text(m.content)} for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1]["role"] != "user":
        raise UserInputError("The last message must be the user's question.")
    return turns[-1]["content"], turns[:-1]


def _text(content) -> str:
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def _completion(result: dict) -> dict:
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
            "model": result["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": result["answer"]}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "sources": result["citations"], "rag": result}


def _openai_stream(first, events):
    ident, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

    def chunk(delta: dict, finish=None, extra=None) -> str:
        body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": "rag",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **(extra or {})}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    def frames():
        yield chunk({"role": "assistant", "content": ""})
        for event in _chain(first, events):
            if event["type"] == "token":
                yield chunk({"content": event["text"]})
            elif event["type"] == "final":
                result = event["result"]
                yield chunk({}, "stop", {"sources": result["citations"], "rag": result})
            else:
                yield chunk({}, "stop", {"error": event["error"]})
        yield "data: [DONE]\n\n"

    return StreamingResponse(frames(), media_type="text/event-stream")
