"""GET /api/health: open to anyone (load balancers, `make run`'s wait), with the default
collection's counts only for a caller who may read it; /api/collections/{collection}/health for
a caller who may read that one."""
from __future__ import annotations

from fastapi import APIRouter, Request

from rag.api.auth import bearer
from rag.api.models import Health
from rag.errors import AuthError


def routes(library, current) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["questions"])

    @router.get("/collections/{collection}/health", response_model=Health)
    def collection_health(service=current) -> dict:
        return {"status": "ok", **service.index.status()}

    @router.get("/health", response_model=Health, response_model_exclude_none=True)
    def health(request: Request) -> dict:
        try:
            readable = library.keys.caller(bearer(request)).may("read", "default")
        except AuthError:
            readable = False
        return {"status": "ok", **(library.get("default").index.status() if readable else {})}

    return router
