"""GET /metrics: the Prometheus text format, behind the API key when one is set."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response


def routes(service, writer) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", dependencies=[writer], response_class=Response,
                responses={200: {"description": "Prometheus text exposition format", "content": {"text/plain": {}}}})
    def metrics() -> Response:
        body, kind = service.counters.render()
        return Response(body, media_type=kind)

    return router
