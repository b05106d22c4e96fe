"""Questions: ask, and its streaming form (a collection's routes: rag/api/app.py mounts them at
/api and at /api/collections/{collection})."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from rag.api.models import AskRequest, Message
from rag.records import Answer
from rag.api.sse import sse


def routes(current, writer, prefix: str = "/api") -> APIRouter:
    router = APIRouter(prefix=prefix, tags=["questions"])

    @router.post("/ask", response_model=Answer)
    def ask(body: AskRequest, service=current) -> Answer:
        return service.answers.ask(body.question, history=turns(body.history), top_k=body.top_k,
                                   model=body.model, filters=body.filters)

    @router.post("/ask/stream", responses={200: {
        "description": "Server-Sent Events: `token` events, then one `final` event with the Answer",
        "content": {"text/event-stream": {}}}})
    async def ask_stream(body: AskRequest, service=current):
        events = service.answers.ask_stream(body.question, history=turns(body.history), top_k=body.top_k,
                                            model=body.model, filters=body.filters)
        first = await run_in_threadpool(next, events)  # validation errors surface as 4xx here
        return sse(first, events, lambda e: (e["type"], e))

    return router


def turns(history: Optional[list[Message]]) -> Optional[list[dict]]:
    return [m.model_dump() for m in history] if history is not None else None
