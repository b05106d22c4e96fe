"""An endpoint (ROUTES in rag/api/app.py): GET /api/count, the number of indexed documents."""
from fastapi import APIRouter


def routes(service, writer):
    router = APIRouter(prefix="/api")

    @router.get("/count")
    def count() -> dict:
        return {"documents": len(service.index.documents())}

    return router
