"""Where the index lives, chosen by `store.backend`: `local` (FAISS + bm25s in versioned folders
under index/) or `milvus` (a Milvus cluster, or milvus-lite in-process). See base.py for the
interfaces; each backend's engine library is imported in its own module only."""
from __future__ import annotations

import importlib
from pathlib import Path

from rag.config import Store as StoreSettings
from rag.errors import ConfigError
from rag.stores.base import IndexStore, Transaction, View

BACKENDS: dict[str, str] = {  # store.backend names one; the module defines `Backend`
    "local": "rag.stores.local",
    "milvus": "rag.stores.milvus",
}


def open_store(settings: StoreSettings, index_dir: Path) -> IndexStore:
    """The configured backend, not yet connected (it connects on first use)."""
    if settings.backend not in BACKENDS:
        raise ConfigError(f"store.backend '{settings.backend}' is unknown; choose one of: {', '.join(BACKENDS)}.")
    module = importlib.import_module(BACKENDS[settings.backend])
    return module.Backend(settings, index_dir)


__all__ = ["BACKENDS", "IndexStore", "Transaction", "View", "open_store"]
