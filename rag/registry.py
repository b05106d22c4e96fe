"""The one convention every extension point follows: a registry maps a name (the value a config
key takes) to "module:attribute", imported only when chosen. A config value that is itself
"module:attribute" names a user's own class, so an extension needs no edit of this package.

Each registry is declared beside the protocol its entries implement:

| registry | where | config key |
| --- | --- | --- |
| READERS | rag/ingest/formats/__init__.py | a file's suffix |
| EMBEDDERS | rag/embedding/__init__.py | embedding.backend |
| INGEST_ENGINES | rag/ingest/engines.py | ingest.engine |
| BACKENDS | rag/stores/__init__.py | store.backend |
| VECTOR_INDEXES, LEXICAL_INDEXES | rag/stores/segment.py | store.local.vectors, store.local.lexical |
| RERANKERS | rag/answering/retrieval.py | retrieval.rerank |
| ANSWERERS | rag/answering/pipeline.py | generation.model, a request's model |
| PROVIDERS | rag/answering/generation.py | (all: each adds litellm models) |
| CHECKS | rag/answering/verifier.py | verifier.checks (in order) |
| ROUTES | rag/api/app.py | (all are mounted) |
"""
from __future__ import annotations

import importlib

from rag.errors import ConfigError


class Registry(dict):
    """name -> "module:attribute"; `load(name)` imports and returns the attribute."""

    def __init__(self, setting: str, entries: dict[str, str]):
        super().__init__(entries)
        self.setting = setting  # the config key that picks an entry, for error messages

    def target(self, name: str) -> str:
        if name in self:
            return self[name]
        if isinstance(name, str) and ":" in name:
            return name
        raise ConfigError(f"{self.setting} '{name}' is unknown; choose one of: {', '.join(self)} "
                          "(or name your own class as 'module:Class').")

    def load(self, name: str):
        module, _, attribute = self.target(name).partition(":")
        try:
            found = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise  # the module exists; something it imports does not
            raise ConfigError(f"{self.setting} '{name}': there is no module '{module}'.") from None
        if not hasattr(found, attribute):
            raise ConfigError(f"{self.setting} '{name}': module '{module}' has no '{attribute}'.")
        return getattr(found, attribute)

    def load_all(self) -> dict[str, object]:
        return {name: self.load(name) for name in self}
