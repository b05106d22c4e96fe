"""The interfaces every index backend implements.

An `IndexStore` holds versions of one index. Readers take a `View` (one version, never changing
under them, so a question answers from one consistent state); the indexer changes the index in a
`Transaction` that no reader sees until `commit`, which makes it the live version in one atomic
step. A transaction that is aborted, or a process killed before commit, leaves the live version
as it was.

The catalogue (`View.documents`) maps each document's source name to an entry:
{"hash", "title", "date", "chars", "chunks" (how many), "first" (the vector id of its first chunk),
"tags"}, and "url" for a document fetched by URL.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Iterable, Protocol

import numpy as np

from rag.records import Chunk

Found = list[tuple[int, str]]  # (chunk vector id, its document's source), best first


class View(Protocol):
    name: str  # the version's name
    manifest: dict  # what built it: embedding model, chunker, store engines, dim, built

    @property
    def documents(self) -> dict[str, dict]: ...

    def count(self) -> int: ...

    def dense(self, vector: np.ndarray, k: int) -> Found: ...

    def lexical_chunks(self, query: str, k: int) -> Found: ...

    def lexical_documents(self, query: str, k: int) -> list[str]: ...

    def get(self, ids: Iterable[int]) -> dict[int, Chunk]: ...

    def document_chunks(self, source: str, limit: int | None = None) -> list[Chunk]: ...

    def warm(self) -> None:
        """Build whatever the first question would otherwise wait for."""

    def restricted(self, sources: Iterable[str]) -> "View":
        """This version as if it held only these documents: every search, listing and count sees
        no other (a question's filters are applied inside the search, not after it)."""


class Transaction(Protocol):
    def remove(self, sources: Iterable[str]) -> None:
        """Drop these documents' chunks (a changed document is removed, then added again)."""

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None: ...

    def commit(self, manifest: dict, documents: dict[str, dict]) -> str:
        """Make the result the live version atomically; returns its name. `documents` are the
        catalogue entries of the documents added in this transaction."""

    def abort(self) -> None: ...


class IndexStore(Protocol):
    fingerprint: dict  # the engines, recorded in each version's manifest: a change rebuilds

    def live_name(self) -> str | None:
        """The live version's name, cheaply (None before the first index)."""

    def view(self) -> View:
        """The live version, loaded once and reused until another version goes live."""

    def latest(self) -> View | None:
        """The live version read afresh (None if there is none or it cannot be read)."""

    def begin(self, base: View | None) -> Transaction:
        """Changes on top of `base` (None: start empty)."""

    def swap_in(self, view: View) -> None:
        """Make `view` (from `latest`, already warmed) the one `view()` returns."""

    def lock(self) -> AbstractContextManager:
        """Held by the one indexer allowed at a time; a second fails fast with IndexBusyError."""

    # A backend that keeps an index outside its index folder (a server) also has
    # destroy() -> None: drop every version, for a deleted collection (the folder goes too).


def catalogue_entry(doc, chunk_ids: list[str], vector_ids: list[int]) -> dict:
    return {"hash": doc.hash, "title": doc.title, "date": doc.date, "chars": len(doc.text),
            "chunks": len(chunk_ids), "first": vector_ids[0] if vector_ids else None, "tags": list(doc.tags)}


def document_text(chunks: list[Chunk]) -> str:
    """A document's indexed text rebuilt from its (overlapping) chunks by their offsets."""
    text, end = [], 0
    for chunk in sorted(chunks, key=lambda c: c.start):
        if chunk.end > end:
            text.append(chunk.text[max(0, end - chunk.start):] if chunk.start < end else "\n" + chunk.text)
            end = chunk.end
    return "".join(text)
