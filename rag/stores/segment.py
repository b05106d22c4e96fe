"""An immutable slice of the local index: the chunks one transaction (or one merge) wrote.

    segments/<name>/meta.json        dim, size, its documents in order, their catalogue entries
                    chunks.jsonl     one chunk record a line; offsets.npy points at each line
                    vids.npy         each chunk's vector id; doc_of.npy its document's position
                    vectors.faiss    the chunk vectors, exact
                    vectors.ivf.faiss  when large: an inverted file over their product codes
                    chunks.*, docs.* BM25 postings over chunks and over whole documents

A segment is written once, fsynced and renamed into place, and never changed; a version names
the segments it reads and, for each, the documents since removed (deletion marks). Chunk text
stays on disk: `get` reads the lines it needs.
"""
from __future__ import annotations

import json
import mmap
import os
import shutil
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.stores import versions
from rag.stores.interfaces import document_text
from rag.records import Chunk
from rag.registry import Registry


class VectorIndex(Protocol):
    """Vectors under integer ids, written once per segment (rag/stores/segment.py)."""

    FILENAME: str
    dim: int

    @classmethod
    def build(cls, dim: int, ids: np.ndarray, vectors: np.ndarray) -> "VectorIndex":
        """An index of these vectors, organised for their number."""

    @classmethod
    def load(cls, directory: Path) -> "VectorIndex": ...

    def excluding(self, ids: np.ndarray) -> object:
        """A prepared exclusion of these ids, for `search`."""

    def search(self, queries: np.ndarray, k: int, exclude: object | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the best k per query, leaving out what `exclude` names."""

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) in the order they were added."""

    def save(self, path: Path) -> None: ...

    def __len__(self) -> int: ...


class LexicalIndex(Protocol):
    """BM25 postings over a segment's texts (chunks, and whole documents), scored by `bm25` in the
    same module (rag/stores/bm25.py: `bm25(query, segments, dead, k)`)."""

    n: int

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex": ...

    @classmethod
    def load(cls, folder: Path, stem: str) -> "LexicalIndex": ...

    def save(self, folder: Path, stem: str) -> list[Path]: ...


# store.local.vectors and store.local.lexical name one each; each version's manifest records both
VECTOR_INDEXES = Registry("store.local.vectors", {"faiss": "rag.stores.faiss:FaissStore"})
LEXICAL_INDEXES = Registry("store.local.lexical", {"bm25s": "rag.stores.bm25:Postings"})


def write(root: Path, chunks: list[Chunk], vectors: np.ndarray, catalogue: dict[str, dict], dim: int,
          engines: tuple[str, str] = ("faiss", "bm25s")) -> str:
    """Write a sealed segment under `root` and return its name: the chunks, each document's
    together and in order, and the catalogue entries of the documents added."""
    name = versions.new_name()
    staging = root / f".{name}.partial"
    staging.mkdir(parents=True)
    try:
        _write_files(staging, chunks, vectors, catalogue, dim, engines)
        os.rename(staging, root / name)
        versions.fsync_path(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return name


def _write_files(folder: Path, chunks, vectors, catalogue, dim, engines) -> None:
    vector_engine, lexical_engine = engines
    sources = list(dict.fromkeys([*catalogue, *(c.source for c in chunks)]))
    position = {s: i for i, s in enumerate(sources)}
    order = sorted(range(len(chunks)), key=lambda i: (position[chunks[i].source], chunks[i].start))
    if order != list(range(len(chunks))):  # (they usually arrive in order: no copy then)
        chunks, vectors = [chunks[i] for i in order], vectors[order]
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    with (folder / "chunks.jsonl").open("wb") as handle:
        for i, chunk in enumerate(chunks):
            offsets[i + 1] = offsets[i] + handle.write(json.dumps(chunk.to_dict(), ensure_ascii=False).encode() + b"\n")
    np.save(folder / "offsets.npy", offsets)
    vids = np.array([c.vector_id for c in chunks], dtype=np.int64)
    np.save(folder / "vids.npy", vids)
    np.save(folder / "doc_of.npy", np.array([position[c.source] for c in chunks], dtype=np.int32))
    Postings = LEXICAL_INDEXES.load(lexical_engine)
    Postings.build([c.text for c in chunks]).save(folder, "chunks")
    by_doc: dict[str, list[Chunk]] = {s: [] for s in sources}
    for chunk in chunks:
        by_doc[chunk.source].append(chunk)
    Postings.build([document_text(by_doc[s]) for s in sources]).save(folder, "docs")
    VECTOR_INDEXES.load(vector_engine).build(dim, vids, vectors).save(folder)  # (the slow part at scale: last)
    meta = {"dim": dim, "size": len(chunks), "vectors": vector_engine, "lexical": lexical_engine, "documents": sources,
            "catalogue": catalogue}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    for path in folder.iterdir():
        versions.fsync_path(path)


class Segment:
    """A sealed segment opened for reading; its arrays and text are memory-mapped."""

    def __init__(self, folder: Path):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.name, self.folder, self.size = folder.name, folder, meta["size"]
        self.sources: list[str] = meta["documents"]
        self.catalogue: dict[str, dict] = meta["catalogue"]
        self.vids = np.load(folder / "vids.npy", mmap_mode="r")
        self.doc_of = np.load(folder / "doc_of.npy", mmap_mode="r")
        self.offsets = np.load(folder / "offsets.npy", mmap_mode="r")
        self._order = np.argsort(self.vids, kind="stable")
        self._sorted = np.asarray(self.vids)[self._order]
        docs = np.arange(len(self.sources))
        self._starts = np.searchsorted(self.doc_of, docs, "left")
        self._ends = np.searchsorted(self.doc_of, docs, "right")
        self._doc = {s: i for i, s in enumerate(self.sources)}
        self.vectors = VECTOR_INDEXES.load(meta["vectors"]).load(folder)
        self.chunk_terms = LEXICAL_INDEXES.load(meta.get("lexical", "bm25s")).load(folder, "chunks")
        self.doc_terms = LEXICAL_INDEXES.load(meta.get("lexical", "bm25s")).load(folder, "docs")
        self._text = _map(folder / "chunks.jsonl")
        if len(self._text) != int(self.offsets[-1]) or len(self.vectors) != self.size:
            raise ValueError(f"segment {self.name} is damaged: its files disagree in size")

    def dead(self, sources: set[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """Masks (over chunks, over documents) of the given removed documents; None if none."""
        docs = np.array([s in sources for s in self.sources], dtype=bool)
        return (docs[np.asarray(self.doc_of)], docs) if docs.any() else None

    def positions(self, vids: np.ndarray) -> np.ndarray:
        """Each vector id's chunk position here, or -1."""
        if not len(self._sorted):
            return np.full(len(vids), -1)
        at = np.minimum(np.searchsorted(self._sorted, vids), len(self._sorted) - 1)
        return np.where(self._sorted[at] == vids, self._order[at], -1)

    def chunk(self, position: int) -> Chunk:
        line = self._text[int(self.offsets[position]):int(self.offsets[position + 1])]
        return Chunk.from_dict(json.loads(line))

    def document_positions(self, source: str) -> range:
        doc = self._doc[source]
        return range(int(self._starts[doc]), int(self._ends[doc]))


def _map(path: Path):
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
