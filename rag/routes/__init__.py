"""HTTP endpoints, one APIRouter a module; `rag/server.py` ROUTES lists them. An endpoint is one
function in one of these modules (or a new module plus one line in ROUTES)."""
