"""Embedders, chosen by `embedding.backend`: `onnx-int8` (the default, int8.py) or `torch`
(fp32.py). Each is a class `(model, batch_size, threads, cache_dir)` with the `Embedder` protocol of
embedder.py; a user's own is named in config.yaml as "module:Class"."""
from __future__ import annotations

from rag.embedding.embedder import (MAX_KEPT_SENTENCES, Embedder, VectorCache, content_window, embed_chunks,
                                    embed_one, resolve_model_path)
from rag.registry import Registry

EMBEDDERS = Registry("embedding.backend", {
    "torch": "rag.embedding.fp32:SentenceTransformerEmbedder",
    "onnx-int8": "rag.embedding.int8:OnnxInt8Embedder",
})


def make_embedder(settings) -> "Embedder":
    """The embedder `settings` (the config's embedding section) names, not loaded until used."""
    cls = EMBEDDERS.load(settings.backend)
    return cls(settings.model, settings.batch_size, settings.threads, settings.cache_dir)


__all__ = ["EMBEDDERS", "MAX_KEPT_SENTENCES", "Embedder", "VectorCache", "content_window", "embed_chunks",
           "embed_one", "make_embedder", "resolve_model_path"]
