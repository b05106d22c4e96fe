"""The embedded default: immutable segments (FAISS vectors, BM25 postings, chunk text) under
index/segments, and small version manifests that name them (versions.py).

A transaction writes one new segment for what it adds and marks what it removes as dead in the
segments that hold it; `commit` records the new segment list as a version and swaps CURRENT. The
cost is that of the change, not of the index. Afterwards, small segments and mostly-dead ones are
merged (tiered, like Lucene's merge policy) into a new segment and version, while readers go on
reading the version they hold. A kill at any point leaves CURRENT naming a complete version.
"""
from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Iterable

import numpy as np

from rag.stores import versions
from rag.config import LocalStore
from rag.errors import CorruptIndexError, NoIndexError
from rag.stores.bm25 import bm25
from rag.records import Chunk
from rag.stores import segment
from rag.stores.segment import LEXICAL_INDEXES, VECTOR_INDEXES, Segment

TIER = 8  # segments are grouped by size in powers of this many live chunks
MERGE_AT = 4  # a tier holding this many segments is merged into one
DEAD_AT = 0.3  # a segment with this share of dead chunks is rewritten without them


class LocalBackend:
    def __init__(self, settings: LocalStore, index_dir: Path):
        VECTOR_INDEXES.load(settings.vectors), LEXICAL_INDEXES.load(settings.lexical)  # unknown names fail now
        self.settings, self.index_dir = settings, index_dir
        self.fingerprint = {"vectors": settings.vectors, "lexical": settings.lexical}
        self.engines = (settings.vectors, settings.lexical)
        self._view: LocalView | None = None
        self._swap = threading.Lock()
        self._segments: dict[str, Segment] = {}  # opened once per process, shared by versions
        self._opening = threading.Lock()

    def live_name(self) -> str | None:
        return versions.current_name(self.index_dir)

    def view(self) -> "LocalView":
        current = self._view
        live = self.live_name()
        if current is None or live not in (None, current.name):
            with self._swap:
                current = self._view
                if current is None or (live and live != current.name):
                    current = self._view = self.load()
        return current

    def load(self) -> "LocalView":
        manifest = versions.read_version(self.index_dir)
        try:
            segments = [self.segment(s["name"]) for s in manifest["segments"]]
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise CorruptIndexError(self.index_dir, f"unreadable segment: {str(exc)[:120]}") from None
        return LocalView(manifest, segments, [set(s["dead"]) for s in manifest["segments"]])

    def segment(self, name: str) -> Segment:
        with self._opening:
            if name not in self._segments:
                self._segments = {n: s for n, s in self._segments.items() if (self.root / n).is_dir()}
                self._segments[name] = Segment(self.root / name)
            return self._segments[name]

    @property
    def root(self) -> Path:
        return versions.segments_dir(self.index_dir)

    def latest(self) -> "LocalView | None":
        try:
            return self.load()
        except (NoIndexError, CorruptIndexError):
            return None

    def begin(self, base: "LocalView | None") -> "LocalTransaction":
        return LocalTransaction(self, base)

    def lock(self):
        return versions.writer_lock(self.index_dir)

    def swap_in(self, view: "LocalView") -> None:
        with self._swap:
            self._view = view


class LocalView:
    """One version: its segments, each read without the documents marked dead in it."""

    def __init__(self, manifest: dict, segments: list[Segment], dead: list[set[str]]):
        self.manifest, self.name = manifest, manifest["version"]
        self.segments, self.dead_sources = segments, dead
        masks = [s.dead(d) for s, d in zip(segments, dead)]
        self._chunk_dead = [m[0] if m else None for m in masks]
        self._doc_dead = [m[1] if m else None for m in masks]
        self._excluded = [s.vectors.excluding(np.asarray(s.vids)[m]) if m is not None else None
                          for s, m in zip(segments, self._chunk_dead)]
        self._home: dict[str, int] = {}  # each live document's segment
        for i, (seg, gone) in enumerate(zip(segments, dead)):
            self._home |= {source: i for source in seg.sources if source not in gone}
        self._documents = None

    @property
    def documents(self) -> dict[str, dict]:
        if self._documents is None:
            self._documents = {s: self.segments[i].catalogue[s] for s, i in sorted(self._home.items())
                               if s in self.segments[i].catalogue}
        return self._documents

    def count(self) -> int:
        return sum(s.size - (int(m.sum()) if m is not None else 0) for s, m in zip(self.segments, self._chunk_dead))

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[int, str]]:
        found = []
        for seg, excluded in zip(self.segments, self._excluded):
            if seg.size:
                scores, ids = seg.vectors.search(vector[None, :], k, exclude=excluded)
                hit = ids[0] >= 0
                docs = seg.doc_of[seg.positions(ids[0][hit])]  # one lookup for all of a segment's hits
                found += [(float(s), int(v), seg.sources[int(d)]) for s, v, d in zip(scores[0][hit], ids[0][hit], docs)]
        found.sort(key=lambda f: -f[0])
        return [(vid, source) for _, vid, source in found[:k]]

    def lexical_chunks(self, query: str, k: int) -> list[tuple[int, str]]:
        found = bm25(query, [s.chunk_terms for s in self.segments], self._chunk_dead, k)
        return [(int(self.segments[i].vids[p]), self.segments[i].sources[int(self.segments[i].doc_of[p])])
                for i, p, _ in found]

    def lexical_documents(self, query: str, k: int) -> list[str]:
        found = bm25(query, [s.doc_terms for s in self.segments], self._doc_dead, k)
        return [self.segments[i].sources[p] for i, p, _ in found]

    def get(self, ids: Iterable[int]) -> dict[int, Chunk]:
        ids = np.fromiter(ids, dtype=np.int64)
        chunks = {}
        for seg, dead in zip(self.segments, self._chunk_dead):
            for vid, pos in zip(ids, seg.positions(ids)):
                if pos >= 0 and (dead is None or not dead[pos]):
                    chunks[int(vid)] = seg.chunk(pos)
        return chunks

    def document_chunks(self, source: str, limit: int | None = None) -> list[Chunk]:
        if source not in self._home:
            return []
        seg = self.segments[self._home[source]]
        return [seg.chunk(p) for p in seg.document_positions(source)[:limit]]

    def warm(self) -> None:
        self.documents

    def restricted(self, sources: Iterable[str]) -> "LocalView":
        """The other documents read as dead: the same masks and exclusions as a removal's."""
        keep = set(sources)
        return LocalView(self.manifest, self.segments,
                         [dead | (set(seg.sources) - keep) for seg, dead in zip(self.segments, self.dead_sources)])


class LocalTransaction:
    """Collects the added chunks; `commit` seals them into one segment and records the version."""

    def __init__(self, backend: LocalBackend, base: LocalView | None):
        self.backend, self.base = backend, base
        self.removed: set[str] = set()
        self.chunks: list[Chunk] = []
        self.vectors: list[np.ndarray] = []

    def remove(self, sources: Iterable[str]) -> None:
        self.removed |= set(sources)

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        self.chunks += chunks
        self.vectors.append(vectors)

    def commit(self, manifest: dict, documents: dict[str, dict]) -> str:
        listed = []
        if self.base is not None:  # the base's segments, this transaction's removals marked dead
            for seg, dead in zip(self.base.segments, self.base.dead_sources):
                dead = dead | (self.removed & set(seg.sources))
                if len(dead) < len(seg.sources):
                    listed.append({"name": seg.name, "dead": sorted(dead)})
        if documents or self.chunks:
            dim = manifest["dim"]
            vectors = np.vstack(self.vectors) if self.vectors else np.zeros((0, dim), dtype=np.float32)
            self.vectors = []  # (the stacked copy is the one kept)
            self.backend.root.mkdir(parents=True, exist_ok=True)
            name = segment.write(self.backend.root, self.chunks, vectors, documents, dim, self.backend.engines)
            listed.append({"name": name, "dead": []})
        version = versions.write_version(self.backend.index_dir, {**manifest, "segments": listed})
        while merge(self.backend):  # each merge leaves fewer segments, so this ends
            pass
        return version

    def abort(self) -> None:
        self.chunks, self.vectors = [], []


def merge(backend: LocalBackend) -> str | None:
    """Merge what the policy picks into one segment and make that a version; the caller holds the
    writer lock. Returns the new version's name, or None when nothing needed merging."""
    view = backend.load()
    picked = plan(view)
    if not picked:
        return None
    chunks, vectors, catalogue = [], [], {}
    for i in picked:
        seg, dead = view.segments[i], view._chunk_dead[i]
        live = np.flatnonzero(~dead) if dead is not None else np.arange(seg.size)
        if len(live):
            ids, stored = seg.vectors.vectors()
            assert np.array_equal(ids, seg.vids), "a segment's vectors follow its chunk order"
            vectors.append(stored[live])
        chunks += [seg.chunk(p) for p in live]
        catalogue |= {s: seg.catalogue[s] for s in seg.sources if s not in view.dead_sources[i] and s in seg.catalogue}
    dim = view.manifest["dim"]
    stacked = np.vstack(vectors) if vectors else np.zeros((0, dim), dtype=np.float32)
    listed = [{"name": s.name, "dead": sorted(d)} for j, (s, d) in enumerate(zip(view.segments, view.dead_sources))
              if j not in picked]
    if chunks or catalogue:
        name = segment.write(backend.root, chunks, stacked, catalogue, dim, backend.engines)
        listed.append({"name": name, "dead": []})
    manifest = {k: v for k, v in view.manifest.items() if k not in ("version", "built", "format")}
    return versions.write_version(backend.index_dir, {**manifest, "segments": listed, "merged": True})


def plan(view: LocalView) -> list[int]:
    """The segments to merge: a tier (live chunks within a power of TIER) that holds MERGE_AT or
    more, and any segment whose dead share reached DEAD_AT."""
    tiers: dict[int, list[int]] = {}
    picked = set()
    for i, (seg, dead) in enumerate(zip(view.segments, view._chunk_dead)):
        gone = int(dead.sum()) if dead is not None else 0
        if seg.size and gone / seg.size >= DEAD_AT:
            picked.add(i)
        tiers.setdefault(int(math.log(max(seg.size - gone, 1), TIER)), []).append(i)
    for members in tiers.values():
        if len(members) >= MERGE_AT:
            picked |= set(members)
            break
    return sorted(picked)
