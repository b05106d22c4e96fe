"""Server-Sent Events from a blocking iterator (starlette runs it in a thread)."""
from __future__ import annotations

import json

from fastapi.responses import StreamingResponse

from rag.errors import RagError


def sse(first, rest, shape) -> StreamingResponse:
    """`shape(event)` gives (event name, payload); a RagError mid-stream becomes an `error` event."""
    def frames():
        for event in chain(first, rest):
            name, payload = shape(event)
            yield f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def chain(first, rest):
    yield first
    try:
        yield from rest
    except RagError as exc:
        yield {"type": "error", "error": str(exc)}
