"""GET /metrics: the Prometheus text format, for an admin key when keys are on."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response


def routes(service, admin) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", dependencies=[Depends(admin)], response_class=Response,
                responses={200: {"description": "Prometheus text exposition format", "content": {"text/plain": {}}}})
    def metrics() -> Response:
        body, kind = service.counters.render()
        return Response(body, media_type=kind)

    return router
