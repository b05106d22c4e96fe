"""The Model Context Protocol face of the service (the official `mcp` SDK): the tools an assistant or
editor calls (search, ask, list_documents, get_document) and each indexed document as a resource.
`rag mcp` serves it over stdio; `create_app` mounts it over streamable HTTP at /mcp. A RagError
comes back as a tool error with the API's own message; the server never crashes on one."""
from __future__ import annotations

import contextlib
import functools
from typing import Annotated, Any
from urllib.parse import quote, unquote

from pydantic import Field

from rag.errors import RagError
from rag.records import Filters

MAX_DOCUMENT_CHARS = 8000  # what get_document returns at most in one call: a model's context is finite

INSTRUCTIONS = ("Answers from the user's documents. Use `ask` for a question: it returns an answer whose "
                "every sentence cites the document sentence it rests on, or says the documents do not "
                "contain it. Use `search` for passages, `list_documents` and `get_document` to read.")


def build_mcp(service):
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(name="rag", instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING")
    for tool in (_search(service), _ask(service), _list_documents(service), _get_document(service)):
        server.add_tool(tool, annotations=_read_only())
    server.resource("document://{name}", mime_type="text/plain",
                    description="An indexed document's text, by name (see list_documents).")(_read(service))
    _list_documents_as_resources(server, service)
    return server


def _tool_errors(fn):
    """A RagError becomes the tool error a model reads, with the message the API would give."""
    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RagError as exc:
            raise ToolError(str(exc)) from None

    return call


def _search(service):
    @_tool_errors
    def search(query: Annotated[str, Field(description="What to look for, in plain words")],
               k: Annotated[int | None, Field(description="How many passages (default: the configured top_k)",
                                              ge=1, le=50)] = None,
               filters: Annotated[Filters | None, Field(description="Search only some documents")] = None) -> dict:
        """Passages of the user's documents that match the query, best first, each with its document
        (source), title, page or section, and character offsets into the document's text."""
        hits = service.answers.search(query, top_k=k, filters=filters)
        return {"query": query, "passages": [_passage(n, hit) for n, hit in enumerate(hits, start=1)]}

    return search


def _ask(service):
    @_tool_errors
    def ask(question: Annotated[str, Field(description="The question, as the user would ask it")],
            filters: Annotated[Filters | None, Field(description="Search only some documents (names or globs, "
                                                     "a folder, a date range, tags)")] = None) -> dict:
        """Answer a question from the user's documents. Each sentence of `answer` ends with [n] markers;
        citations[n-1] gives the exact quoted sentence, its document and page. When `not_found` is true
        the documents do not hold the answer: say so rather than answer from memory."""
        answer = service.answers.ask(question, filters=filters)
        return {"answer": answer.answer, "not_found": answer.not_found, "answer_id": answer.answer_id,
                "citations": [{"n": c.id, "quote": c.quote, "source": c.source, "title": c.title, "page": c.page,
                               "section": c.section, "start": c.start, "end": c.end} for c in answer.citations],
                "unsupported": [p.text for p in answer.parts if p.unsupported]}

    return ask


def _list_documents(service):
    @_tool_errors
    def list_documents() -> dict:
        """The indexed documents: name (what get_document takes), title, date and chunk count."""
        return {"documents": [{k: d[k] for k in ("name", "title", "date", "chunks")}
                              for d in service.index.documents()]}

    return list_documents


def _get_document(service):
    @_tool_errors
    def get_document(name: Annotated[str, Field(description="A document name from list_documents")],
                     start: Annotated[int, Field(description="First character offset", ge=0)] = 0,
                     end: Annotated[int | None, Field(description="End offset (exclusive); at most "
                                                      f"{MAX_DOCUMENT_CHARS} characters after start", ge=0)] = None
                     ) -> dict:
        """A document's text between two character offsets (those search and ask give), with its
        title and total length; at most a bounded slice per call."""
        doc = service.index.document(name)
        text = doc["text"]
        begin = min(start, len(text))
        stop = max(begin, min(len(text), begin + MAX_DOCUMENT_CHARS, len(text) if end is None else end))
        return {"name": name, "title": doc["title"], "length": len(text), "start": begin, "end": stop,
                "text": text[begin:stop]}

    return get_document


def _read(service):
    def read(name: str) -> str:
        from mcp.server.mcpserver.exceptions import ResourceNotFoundError

        try:
            return service.index.document(unquote(name))["text"]
        except RagError as exc:
            raise ResourceNotFoundError(str(exc)) from None

    return read


def _list_documents_as_resources(server, service) -> None:
    """resources/list names each document indexed now (the template above reads any of them)."""
    from mcp_types import Resource

    listed = server.list_resources

    async def list_resources():
        return await listed() + [Resource(uri=f"document://{quote(d['name'], safe='')}", name=d["name"],
                                          title=d["title"], mime_type="text/plain")
                                 for d in service.index.documents()]

    server.list_resources = list_resources


def _passage(n: int, hit) -> dict[str, Any]:
    chunk = hit.chunk
    return {"n": n, "source": chunk.source, "title": chunk.title, "page": chunk.page_at(chunk.start),
            "section": chunk.section_at(chunk.start), "start": chunk.start, "end": chunk.end,
            "score": round(hit.score, 4), "text": chunk.text}


def _read_only():
    from mcp_types import ToolAnnotations

    return ToolAnnotations(readOnlyHint=True, openWorldHint=False)


def mount(app, service, allowed) -> None:
    """Streamable HTTP at /mcp on the API's app, stateless, for a caller `allowed(authorization)`
    admits (anyone without keys; with keys, one who may read the default collection)."""
    server = build_mcp(service)
    http = server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, json_response=True)
    for route in http.routes:
        route.app = _keyed(route.app, allowed)
        app.router.routes.append(route)
    outer = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a):
        async with server.session_manager.run(), outer(a) as state:
            yield state

    app.router.lifespan_context = lifespan


def _keyed(asgi, allowed):
    async def app(scope, receive, send):
        given = dict(scope.get("headers") or []).get(b"authorization", b"").decode()
        if scope["type"] == "http" and not _admits(allowed, given):
            from starlette.responses import JSONResponse

            response = JSONResponse({"detail": "The MCP endpoint needs a key that may read the default "
                                               "collection: send 'Authorization: Bearer <key>'."}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
            return await response(scope, receive, send)
        return await asgi(scope, receive, send)

    return app


def _admits(allowed, authorization: str) -> bool:
    try:
        return allowed(authorization)
    except RagError:  # a wrong or revoked key
        return False
