"""Collections: GET /api/collections (those the caller may read), POST (admin), DELETE (admin)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from rag.api.models import CollectionRequest, CollectionView


def routes(library, caller, admin) -> APIRouter:
    router = APIRouter(prefix="/api/collections", tags=["collections"])

    @router.get("", response_model=list[CollectionView])
    def listed(who=Depends(caller)) -> list[dict]:
        return [library.describe(name) for name in library.readable(who)]

    @router.post("", status_code=201, response_model=CollectionView, dependencies=[Depends(admin)])
    def create(body: CollectionRequest) -> dict:
        return library.create(body.name)

    @router.delete("/{collection}", status_code=204)
    def delete(collection: str, files: bool = Query(False, description="also delete its documents"),
               who=Depends(caller)) -> None:
        library.check(who, collection, "admin")
        library.delete(collection, files=files)

    return router
