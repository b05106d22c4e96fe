"""Who is asking, and what they may reach. Every route but /api/health takes its caller from
the request's key (rag/access/keys.py); a collection's routes take its service through `reader`
and a change through `writer`, both by `Library.check` (404 for what the key may not read,
exactly as for a missing collection; 403 for a read key's change). Without any key configured
everyone is admin."""
from __future__ import annotations

import base64
import binascii
import hmac

from fastapi import Depends, Request

from rag.access.keys import Caller
from rag.errors import ForbiddenError


def bearer_matches(authorization: str, key: str) -> bool:
    """Whether an `Authorization: Bearer <key>` header carries `key` (compared in constant time)."""
    token = authorization[7:] if authorization.lower().startswith("bearer ") else ""
    return hmac.compare_digest(token.encode(), key.encode())


def bearer(request_or_header) -> str | None:
    """The key a request presents: `Authorization: Bearer <key>`, or a browser's Basic sign-in
    with the key as its password (how the UI's links to the API carry it)."""
    header = request_or_header if isinstance(request_or_header, str) else request_or_header.headers.get("authorization", "")
    kind, _, value = (header or "").partition(" ")
    if kind.lower() == "bearer":
        return value.strip() or None
    if kind.lower() != "basic":
        return None
    try:
        return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2] or None
    except (binascii.Error, UnicodeDecodeError):
        return None


def access(library):
    """The dependencies routes use: (caller, reader, writer, admin)."""

    async def caller(request: Request) -> Caller:
        found = getattr(request.state, "caller", None)
        if found is None:
            found = request.state.caller = library.keys.caller(bearer(request))
        return found

    def collection(request: Request) -> str:
        return request.path_params.get("collection", "default")

    async def reader(request: Request, who: Caller = Depends(caller)):
        return library.reachable(who, collection(request))

    async def writer(request: Request, who: Caller = Depends(caller)) -> None:
        library.check(who, collection(request), "write")

    async def admin(who: Caller = Depends(caller)) -> Caller:
        if not who.may("admin", "*"):
            raise ForbiddenError("This needs an admin key for every collection.")
        return who

    return caller, Depends(reader), Depends(writer), admin
