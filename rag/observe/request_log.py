"""One JSON line per HTTP request on the `rag.requests` logger: id, method, route template, status,
latency, collection. Never a question, document text or key: those stay in the answer log."""
from __future__ import annotations

import json
import logging
import sys
import time

LOG = logging.getLogger("rag.requests")


def log_request(request_id: str, method: str, route: str, status: int, seconds: float,
                collection: str = "default") -> None:
    if LOG.isEnabledFor(logging.INFO):
        LOG.info(json.dumps({"ts": round(time.time(), 3), "request_id": request_id, "method": method,
                             "route": route, "status": status, "ms": round(seconds * 1000, 1),
                             "collection": collection}))


def to_stderr() -> None:
    """Send the request lines to stderr as they are (what `rag serve` does when log.requests is on)."""
    if not any(getattr(h, "_rag_requests", False) for h in LOG.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._rag_requests = True
        LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False
