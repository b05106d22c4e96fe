"""An endpoint (ROUTES in rag/api/app.py): GET /api/count (and /api/collections/{name}/count),
the number of a collection's indexed documents."""
from fastapi import APIRouter


def routes(current, writer, prefix="/api"):
    router = APIRouter(prefix=prefix)

    @router.get("/count")
    def count(service=current) -> dict:
        return {"documents": len(service.index.documents())}

    return router
