"""The OpenAI-compatible endpoints: any OpenAI client can talk to the service; answers carry `sources`."""
from __future__ import annotations

import json
import time
import uuid

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from rag.errors import UserInputError
from rag.api.models import ChatMessage, ChatRequest
from rag.api.sse import chain


def routes(library, caller) -> APIRouter:
    """`model: rag/<name>` asks collection <name>; any other model asks `default` with that model."""
    router = APIRouter(prefix="/v1", tags=["openai"])

    @router.get("/models")
    def models(who=Depends(caller)) -> dict:
        names = [f"rag/{n}" for n in library.readable(who)]
        if who.may("read", "default"):
            names += library.get("default").settings.generation.allowed()
        return {"object": "list", "data": [{"id": n, "object": "model", "owned_by": "rag"} for n in names]}

    @router.post("/chat/completions")
    async def chat(body: ChatRequest, who=Depends(caller)):
        question, history = _split_chat(body.messages)
        name, model = _target(body.model)
        service = library.reachable(who, name)
        filters = _filters(body)
        if not body.stream:
            answer = await run_in_threadpool(service.answers.ask, question, history=history, model=model,
                                             filters=filters)
            return _completion(answer.model_dump(mode="json"))
        events = service.answers.ask_stream(question, history=history, model=model, filters=filters)
        first = await run_in_threadpool(next, events)
        return _openai_stream(first, events)

    return router


def _target(model: str | None) -> tuple[str, str | None]:
    """(collection, model): rag/<name> is a collection asked with its own default model."""
    if model and model.startswith("rag/"):
        return model[4:], None
    return "default", model if model and model not in ("rag", "default") else None


def _filters(body: ChatRequest):
    """`filters` in the body (extra_body), else the JSON string in metadata["filters"]."""
    if body.filters is not None or not (body.metadata or {}).get("filters"):
        return body.filters
    try:
        return json.loads(body.metadata["filters"])
    except ValueError:
        raise UserInputError('metadata.filters must be the filters as JSON, e.g. {"documents": ["*.pdf"]}.') from None


def _split_chat(messages: list[ChatMessage]) -> tuple[str, list[dict]]:
    turns = [{"role": m.role, "content": _text(m.content)} for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1]["role"] != "user":
        raise UserInputError("The last message must be the user's question.")
    return turns[-1]["content"], turns[:-1]


def _text(content) -> str:
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def _completion(result: dict) -> dict:
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
            "model": result["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": result["answer"]}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "sources": result["citations"], "answer_id": result.get("answer_id"), "rag": result}


def _openai_stream(first, events):
    ident, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

    def chunk(delta: dict, finish=None, extra=None) -> str:
        body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": "rag",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **(extra or {})}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    def frames():
        yield chunk({"role": "assistant", "content": ""})
        for event in chain(first, events):
            if event["type"] == "token":
                yield chunk({"content": event["text"]})
            elif event["type"] == "final":
                result = event["result"]
                yield chunk({}, "stop", {"sources": result["citations"], "answer_id": result.get("answer_id"),
                                         "rag": result})
            else:
                yield chunk({}, "stop", {"error": event["error"]})
        yield "data: [DONE]\n\n"

    return StreamingResponse(frames(), media_type="text/event-stream")
