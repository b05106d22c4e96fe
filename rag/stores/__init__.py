"""Where the index lives, chosen by `store.backend`: `local` (immutable segments of FAISS vectors,
BM25 postings and chunk text under index/) or `milvus` (a Milvus cluster, or milvus-lite in-process).
interfaces.py holds the protocols; each backend is one module here, whose backend class `(settings, index_dir)`
takes its own config section (`store.local`, `store.milvus`), and whose engine library it alone
imports. A new backend is one module plus one entry in BACKENDS."""
from __future__ import annotations

from pathlib import Path

from rag.config import Store as StoreSettings
from rag.registry import Registry
from rag.stores.interfaces import IndexStore, Transaction, View

BACKENDS = Registry("store.backend", {
    "local": "rag.stores.local:LocalBackend",
    "milvus": "rag.stores.milvus:MilvusBackend",
})


def open_store(settings: StoreSettings, index_dir: Path) -> IndexStore:
    """The configured backend, not yet connected (it connects on first use)."""
    return BACKENDS.load(settings.backend)(settings.section(settings.backend), index_dir)


__all__ = ["BACKENDS", "IndexStore", "Transaction", "View", "open_store"]
