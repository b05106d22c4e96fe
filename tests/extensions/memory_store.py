"""An index backend (BACKENDS in rag/stores): versions kept in this process's memory, one dict per
index folder. Dense search is exact; "BM25" counts shared key terms. Reads its own settings
section (store.<name>: {"label": ...})."""
from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager

import numpy as np

from rag.language.words import key_terms

VERSIONS: dict[str, list["MemoryView"]] = {}  # index folder -> its versions, oldest first
_numbers = itertools.count(1)


class MemoryView:
    def __init__(self, manifest, documents, chunks, vectors):
        self.manifest, self.name = manifest, manifest["version"]
        self._documents, self.chunks, self.vectors = documents, chunks, vectors  # chunks and vectors by vid

    @property
    def documents(self):
        return self._documents

    def count(self):
        return len(self.chunks)

    def dense(self, vector, k):
        ranked = sorted(self.vectors, key=lambda vid: -float(self.vectors[vid] @ vector))[:k]
        return [(vid, self.chunks[vid].source) for vid in ranked]

    def _overlap(self, query, texts):
        terms = set(key_terms(query))
        scored = [(len(terms & set(key_terms(text))), key) for key, text in texts]
        return [key for score, key in sorted(scored, key=lambda s: -s[0]) if score]

    def lexical_chunks(self, query, k):
        found = self._overlap(query, [(vid, c.text) for vid, c in self.chunks.items()])[:k]
        return [(vid, self.chunks[vid].source) for vid in found]

    def lexical_documents(self, query, k):
        texts = {}
        for chunk in self.chunks.values():
            texts[chunk.source] = texts.get(chunk.source, "") + " " + chunk.text
        return self._overlap(query, list(texts.items()))[:k]

    def get(self, ids):
        return {vid: self.chunks[vid] for vid in ids if vid in self.chunks}

    def document_chunks(self, source, limit=None):
        return sorted((c for c in self.chunks.values() if c.source == source), key=lambda c: c.start)[:limit]

    def warm(self):
        pass

    def restricted(self, sources):
        keep = set(sources)
        chunks = {vid: c for vid, c in self.chunks.items() if c.source in keep}
        return MemoryView(self.manifest, {s: e for s, e in self._documents.items() if s in keep}, chunks,
                          {vid: v for vid, v in self.vectors.items() if vid in chunks})


class MemoryTransaction:
    def __init__(self, store, base):
        self.store = store
        self.documents = dict(base.documents) if base else {}
        self.chunks = dict(base.chunks) if base else {}
        self.vectors = dict(base.vectors) if base else {}

    def remove(self, sources):
        gone = set(sources)
        self.documents = {s: d for s, d in self.documents.items() if s not in gone}
        for vid in [v for v, c in self.chunks.items() if c.source in gone]:
            del self.chunks[vid], self.vectors[vid]

    def add(self, chunks, vectors):
        for chunk, vector in zip(chunks, vectors):
            self.chunks[chunk.vector_id], self.vectors[chunk.vector_id] = chunk, np.asarray(vector)

    def commit(self, manifest, documents):
        name = f"memory-{next(_numbers)}"
        view = MemoryView({**manifest, "version": name, "label": self.store.label},
                          {**self.documents, **documents}, self.chunks, self.vectors)
        VERSIONS.setdefault(self.store.key, []).append(view)
        return name

    def abort(self):
        pass


class MemoryBackend:
    def __init__(self, settings: dict, index_dir):
        self.key, self.label = str(index_dir), settings.get("label", "memory")
        self.fingerprint = {"backend": "memory"}
        self._live = None
        self._lock = threading.Lock()

    def live_name(self):
        return VERSIONS[self.key][-1].name if VERSIONS.get(self.key) else None

    def latest(self):
        return VERSIONS[self.key][-1] if VERSIONS.get(self.key) else None

    def view(self):
        if self._live is None or self._live.name != self.live_name():
            self._live = self.latest()
        return self._live

    def begin(self, base):
        return MemoryTransaction(self, base)

    def swap_in(self, view):
        self._live = view

    @contextmanager
    def lock(self):
        with self._lock:
            yield
