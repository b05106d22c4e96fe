"""HTTP API (FastAPI): the app, its errors and who may call it; the endpoints are APIRouters, one
module of rag/api a group. A collection's groups (ROUTES) are mounted twice: at /api for the
`default` collection and at /api/collections/{collection} for any; the service-wide ones (OpenAI,
metrics, collections, health) once. RagErrors become JSON errors here and nowhere else. The UI is
composed onto this app by `rag serve` (server.ui): the API knows nothing of it."""
from __future__ import annotations

import re
import time
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from rag.api import collections, metrics, openai, status
from rag.api.auth import access, bearer
from rag.api.mcp import mount as mount_mcp
from rag.library import DEFAULT, Library
from rag.errors import AuthError, RagError
from rag.observe.request_log import log_request
from rag.registry import Registry
from rag.service import RagService

# A collection's route groups: each routes(current, writer, prefix) -> APIRouter under prefix (/api
# or /api/collections/{collection}), where a handler takes the collection's RagService as a
# parameter defaulting to `current`, and a change lists `writer`.
ROUTES = Registry("an API route group", {
    "questions": "rag.api.questions:routes",
    "documents": "rag.api.documents:routes",
    "jobs": "rag.api.jobs:routes",
    "feedback": "rag.api.feedback:routes",
})
SCOPES = ("/api", "/api/collections/{collection}")


def create_app(service: RagService | None = None, library: Library | None = None) -> FastAPI:
    """The app over a library of collections (or one service as its `default`)."""
    library = library or Library(service.settings, service)
    service = library.get(DEFAULT)
    app = FastAPI(title="rag", description="Answers from your documents, each sentence cited.",
                  version="0.1.0", docs_url="/docs", openapi_url="/openapi.json")
    _errors(app)
    _upload_limit(app, service.settings.server.max_upload_mb)
    _observed(app, service)
    caller, current, writer, admin = access(library)
    app.include_router(status.routes(library, current))
    for routes in ROUTES.load_all().values():
        for prefix in SCOPES:  # built once each, so every route knows its whole path (metrics, logs, OpenAPI)
            app.include_router(routes(current, writer, prefix))
    app.include_router(collections.routes(library, caller, admin))
    app.include_router(openai.routes(library, caller))
    app.include_router(metrics.routes(service, admin))
    mount_mcp(app, service, lambda header: library.keys.caller(bearer(header)).may("read", DEFAULT))
    return app


REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
UPLOADS = re.compile(r"/api(?:/collections/[^/]+)?/documents")


def _observed(app: FastAPI, service: RagService) -> None:
    """Every request: an id (the caller's X-Request-ID when it is a plain token), counted by route
    template and status, timed to its first byte, and logged as one JSON line when log.requests is on."""

    @app.middleware("http")
    async def observe(request: Request, call_next):
        given = request.headers.get("x-request-id", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        seconds = time.perf_counter() - started
        route = getattr(request.scope.get("route"), "path", None) or "unmatched"
        service.counters.request(route, request.method, response.status_code, seconds)
        log_request(request_id, request.method, route, response.status_code, seconds)
        response.headers["X-Request-ID"] = request_id
        return response


def _upload_limit(app: FastAPI, limit_mb: float) -> None:
    """Refuse an oversized upload from its Content-Length, before any of it is read."""
    limit = int(limit_mb * 1024 * 1024) + 64 * 1024  # room for the multipart framing

    @app.middleware("http")
    async def check(request: Request, call_next):
        length = request.headers.get("content-length", "")
        if request.method == "POST" and UPLOADS.fullmatch(request.url.path) and length.isdigit() \
                and int(length) > limit:
            return JSONResponse({"detail": f"The file is larger than the {limit_mb:g} MB limit."},
                                status_code=413)
        return await call_next(request)


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
