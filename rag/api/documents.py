"""Documents: list, read (text and original file), upload a file or fetch a URL, refresh, delete,
and re-index."""
from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from rag.api.models import DocumentRow, DocumentText, FetchRequest, JobView, Refreshed, UploadJob
from rag.errors import UserInputError

WaitOpt = Query(False, description="Hold the request until the index run ends and return its summary.")
ADD_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
    "application/json": {"schema": FetchRequest.model_json_schema()}}}}


def routes(current, writer, prefix: str = "/api") -> APIRouter:
    router = APIRouter(prefix=prefix, tags=["documents"])

    @router.get("/documents", response_model=list[DocumentRow])
    def documents(service=current) -> list[dict]:
        return service.index.documents()

    @router.get("/documents/{name:path}/file", response_class=Response,
                responses={200: {"description": "The original file, as uploaded", "content": {"*/*": {}}}})
    def document_file(name: str, service=current) -> Response:
        data, kind = service.index.document_file(name)
        filename = quote(name.rsplit("/", 1)[-1])
        headers = {"Content-Disposition": f"inline; filename*=UTF-8''{filename}", "X-Content-Type-Options": "nosniff"}
        if kind != "application/pdf":  # an uploaded HTML file never runs script in this origin
            headers["Content-Security-Policy"] = "sandbox"  # (Chromium's PDF viewer refuses a sandbox)
        return Response(data, media_type=kind, headers=headers)

    @router.get("/documents/{name:path}", response_model=DocumentText)
    def document(name: str, service=current) -> dict:
        return service.index.document(name)

    @router.post("/documents", dependencies=[writer], status_code=202, response_model=UploadJob,
                 openapi_extra=ADD_BODY, responses={200: {"description": "with wait=true: the index summary plus name"}})
    async def add(request: Request, replace: bool = Query(False), wait: bool = WaitOpt, service=current):
        """A file as multipart field `file`, or `{"url": ...}` as JSON: a web page or PDF fetched
        (public addresses only, unless fetch.allow_private) and kept with its URL."""
        if request.headers.get("content-type", "").startswith("application/json"):
            body = _fetch_request(await request.body())
            name, job = await run_in_threadpool(service.index.add_url, body.url)
            wait = wait or body.wait
        else:
            data, filename = await _uploaded(request, service.settings.server.max_upload_mb)
            name, job = await run_in_threadpool(service.index.upload, filename, data, replace=replace)
        if wait:
            return JSONResponse({"name": name, **await run_in_threadpool(service.index.jobs.result, job.id)})
        return {"name": name, **job.to_dict()}

    @router.post("/documents/{name:path}/refresh", dependencies=[writer], response_model=Refreshed)
    def refresh(name: str, wait: bool = WaitOpt, service=current) -> dict:
        """Fetch a document added by URL again; it is re-indexed only if the page changed."""
        changed, job = service.index.refresh(name)
        if job is not None and wait:
            service.index.jobs.result(job.id)
            job = service.index.jobs.get(job.id)
        return {"name": name, "changed": changed, "job": job.to_dict() if job else None}

    @router.delete("/documents/{name:path}", dependencies=[writer], status_code=202, response_model=JobView,
                   responses={200: {"description": "with wait=true: the index summary"}})
    def delete(name: str, wait: bool = WaitOpt, service=current):
        return job_or_summary(service, service.index.remove(name), wait)

    @router.post("/reindex", dependencies=[writer], status_code=202, response_model=JobView,
                 responses={200: {"description": "with wait=true: the index summary"}})
    def reindex(wait: bool = WaitOpt, service=current):
        return job_or_summary(service, service.index.start(), wait)

    return router


def job_or_summary(service, job, wait: bool):
    """202 with the job, or (wait=true, for scripts) 200 with its summary once it ends."""
    return JSONResponse(service.index.jobs.result(job.id)) if wait else job.to_dict()


def _fetch_request(body: bytes) -> FetchRequest:
    try:
        return FetchRequest.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


async def _uploaded(request: Request, limit_mb: float) -> tuple[bytes, str]:
    form = await request.form(max_files=1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise UserInputError('Send a file as the multipart form field "file", or JSON {"url": "https://..."}.')
    return await read_limited(upload, limit_mb), upload.filename or ""


async def read_limited(upload: UploadFile, limit_mb: float) -> bytes:
    """At most one byte past the limit: enough for the service's own size check to refuse it."""
    return await upload.read(int(limit_mb * 1024 * 1024) + 1)
