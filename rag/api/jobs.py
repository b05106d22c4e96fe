"""Index runs as jobs: list, one, its progress as Server-Sent Events, cancel."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from rag.api.models import JobView
from rag.api.sse import sse


def routes(current, writer, prefix: str = "/api") -> APIRouter:
    router = APIRouter(prefix=f"{prefix}/jobs", tags=["jobs"])

    @router.get("", response_model=list[JobView])
    def jobs(service=current) -> list[dict]:
        return [job.to_dict() for job in service.index.jobs.list()]

    @router.get("/{job_id}", response_model=JobView)
    def job(job_id: str, service=current) -> dict:
        return service.index.jobs.get(job_id).to_dict()

    @router.get("/{job_id}/events", response_class=StreamingResponse,
                responses={200: {"description": "Server-Sent Events: a `job` event at every change, until it ends",
                                 "content": {"text/event-stream": {}}}})
    def job_events(job_id: str, service=current):
        events = service.index.jobs.events(job_id)
        return sse(next(events), events, lambda job: ("job", job))

    @router.delete("/{job_id}", dependencies=[writer], response_model=JobView)
    def cancel(job_id: str, service=current) -> dict:
        return service.index.jobs.cancel(job_id).to_dict()

    return router
