"""Documents: list, read (text and original file), upload, delete, and re-index."""
from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from rag.api.models import DocumentRow, DocumentText, JobView, UploadJob

WaitOpt = Query(False, description="Hold the request until the index run ends and return its summary.")


def routes(service, writer) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["documents"])

    @router.get("/documents", response_model=list[DocumentRow])
    def documents() -> list[dict]:
        return service.index.documents()

    @router.get("/documents/{name:path}/file", response_class=Response,
                responses={200: {"description": "The original file, as uploaded", "content": {"*/*": {}}}})
    def document_file(name: str) -> Response:
        data, kind = service.index.document_file(name)
        filename = quote(name.rsplit("/", 1)[-1])
        headers = {"Content-Disposition": f"inline; filename*=UTF-8''{filename}", "X-Content-Type-Options": "nosniff"}
        if kind != "application/pdf":  # an uploaded HTML file never runs script in this origin
            headers["Content-Security-Policy"] = "sandbox"  # (Chromium's PDF viewer refuses a sandbox)
        return Response(data, media_type=kind, headers=headers)

    @router.get("/documents/{name:path}", response_model=DocumentText)
    def document(name: str) -> dict:
        return service.index.document(name)

    @router.post("/documents", dependencies=[writer], status_code=202, response_model=UploadJob,
                 responses={200: {"description": "with wait=true: the index summary plus name"}})
    async def upload(file: UploadFile = File(...), replace: bool = Query(False), wait: bool = WaitOpt):
        data = await read_limited(file, service.settings.server.max_upload_mb)
        name, job = await run_in_threadpool(service.index.upload, file.filename or "", data, replace=replace)
        if wait:
            return JSONResponse({"name": name, **await run_in_threadpool(service.index.jobs.result, job.id)})
        return {"name": name, **job.to_dict()}

    @router.delete("/documents/{name:path}", dependencies=[writer], status_code=202, response_model=JobView,
                   responses={200: {"description": "with wait=true: the index summary"}})
    def delete(name: str, wait: bool = WaitOpt):
        return job_or_summary(service, service.index.remove(name), wait)

    @router.post("/reindex", dependencies=[writer], status_code=202, response_model=JobView,
                 responses={200: {"description": "with wait=true: the index summary"}})
    def reindex(wait: bool = WaitOpt):
        return job_or_summary(service, service.index.start(), wait)

    return router


def job_or_summary(service, job, wait: bool):
    """202 with the job, or (wait=true, for scripts) 200 with its summary once it ends."""
    return JSONResponse(service.index.jobs.result(job.id)) if wait else job.to_dict()


async def read_limited(upload: UploadFile, limit_mb: float) -> bytes:
    """At most one byte past the limit: enough for the service's own size check to refuse it."""
    return await upload.read(int(limit_mb * 1024 * 1024) + 1)
