"""The one test of a request's API key, for the routes (app.py) and the MCP endpoint (mcp.py)."""
from __future__ import annotations

import hmac


def bearer_matches(authorization: str, key: str) -> bool:
    """Whether an `Authorization: Bearer <key>` header carries `key` (compared in constant time)."""
    token = authorization[7:] if authorization.lower().startswith("bearer ") else ""
    return hmac.compare_digest(token.encode(), key.encode())
