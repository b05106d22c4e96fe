"""The model as sentence-transformers ships it: fp32, run by torch (`embedding.backend: torch`)."""
from __future__ import annotations

import threading

import numpy as np

from rag.embedding.embedder import cores, resolve_model_path
from rag.errors import MissingDependencyError


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from disk.

    Queries and indexing each get their own copy of the model (about 90 MB), so a question
    never waits behind a re-index, and neither shares a tokenizer across threads.
    """

    def __init__(self, name: str, batch_size: int = 32, threads: int = 0, cache_dir=None):
        self.name = name
        self.batch_size = batch_size
        self.threads = threads or cores()
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
