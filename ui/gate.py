"""Keys in the browser: once any key exists, the UI and its document viewer ask for one by the
browser's own sign-in prompt (HTTP Basic: any user name, the key as password), and every UI action
checks what that key may do in the collection it acts on. Without keys the UI is open."""
from __future__ import annotations

from starlette.responses import Response

from rag.api.auth import bearer as key_of
from rag.errors import AuthError

OWN = ("/api", "/v1", "/mcp", "/metrics", "/docs", "/openapi.json", "/redoc")  # the API checks its own


def guard(app, library) -> None:
    """Ask the browser for a key on every UI path while keys are on (checked on each request, so a
    key made or revoked while serving counts at once)."""

    @app.middleware("http")
    async def sign_in(request, call_next):
        if request.url.path.startswith(OWN) or not library.keys.enabled():
            return await call_next(request)
        try:
            library.keys.caller(key_of(request.headers.get("authorization", "")))
        except AuthError:
            return Response("Sign in with your API key as the password.", status_code=401,
                            headers={"WWW-Authenticate": 'Basic realm="rag", charset="UTF-8"'})
        return await call_next(request)


class Scope:
    """What the UI may reach for the key of the request it serves."""

    def __init__(self, library):
        self.library = library

    def caller(self, request):
        headers = getattr(request, "headers", None) or {}
        return self.library.keys.caller(key_of(headers.get("authorization", "")))

    def readable(self, request) -> list[str]:
        try:
            return self.library.readable(self.caller(request))
        except AuthError:
            return []

    def service(self, request, name: str | None, action: str = "read"):
        return self.library.reachable(self.caller(request), name or "default", action)
