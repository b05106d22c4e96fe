"""Sentence-aware chunking sized in the embedding model's own wordpieces.

A chunk never exceeds the model's window, so no text is silently left out of its
vector. Every chunk and every sentence keeps character offsets into its document.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Callable

from rag.language.sentences import split_sentences
from rag.records import Chunk, Document, content_hash

Span = tuple[int, int]
TokenSpans = Callable[[str], list[Span]]
VERSION = 2  # raised when chunks or their sentences come out otherwise (2: footnote marks end a sentence)


class Chunker:
    """Packs whole sentences into chunks of at most `chunk_tokens` wordpieces."""

    def __init__(self, token_spans: TokenSpans, chunk_tokens: int, overlap_tokens: int):
        self.token_spans = token_spans
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = min(overlap_tokens, chunk_tokens // 2)

    def split(self, doc: Document) -> list[Chunk]:
        units = self._units(doc.text)
        groups = self._pack(units)
        return [self._chunk(doc, i, [units[j][0] for j in group]) for i, group in enumerate(groups)]

    def _units(self, text: str) -> list[tuple[Span, int]]:
        """Sentences with their token counts; over-long sentences cut at wordpiece edges."""
        tokens = self.token_spans(text)
        starts = [t[0] for t in tokens]
        units = []
        for start, end in split_sentences(text):
            inside = tokens[bisect_left(starts, start) : bisect_left(starts, end)]
            pieces = _windows(inside, self.chunk_tokens)
            if len(pieces) == 1:
                units.append(((start, end), len(inside)))
            else:
                units.extend(((p[0][0], p[-1][1]), len(p)) for p in pieces)
        return units

    def _pack(self, units: list[tuple[Span, int]]) -> list[list[int]]:
        groups, current, size = [], [], 0
        for i, (_, n) in enumerate(units):
            if current and size + n > self.chunk_tokens:
                groups.append(current)
                current = self._overlap(units, current, n)
                size = sum(units[j][1] for j in current)
            current.append(i)
            size += n
        if current:
            groups.append(current)
        return groups

    def _overlap(self, units, previous: list[int], incoming: int) -> list[int]:
        kept, size = [], 0
        for j in reversed(previous[1:]):
            size += units[j][1]
            if size > self.overlap_tokens or size + incoming > self.chunk_tokens:
                break
            kept.insert(0, j)
        return kept

    @staticmethod
    def _chunk(doc: Document, split_id: int, sentences: list[Span]) -> Chunk:
        start, end = sentences[0][0], sentences[-1][1]
        return Chunk(
            id=content_hash(f"{doc.source}\0{doc.hash}\0{start}:{end}")[:32],
            source=doc.source,
            title=doc.title,
            date=doc.date,
            start=start,
            end=end,
            text=doc.text[start:end],
            sentences=sentences,
            split_id=split_id,
            doc_hash=doc.hash,
            headings=[h for h in doc.headings if h[0] < end and start < h[1]],
            pages=marks_within([(at, n) for n, at in enumerate(doc.pages, start=1)], start, end),
            sections=marks_within(doc.sections, start, end),
            ocr_pages=list(doc.ocr_pages),
        )


def marks_within(marks: list, start: int, end: int) -> list:
    """The mark in force at `start` (moved to it) and every mark that begins inside the span."""
    before = [m for m in marks if m[0] <= start]
    inside = [tuple(m) for m in marks if start < m[0] < end]
    return ([(start, before[-1][1])] if before else []) + inside


def _windows(tokens: list[Span], size: int) -> list[list[Span]]:
    if len(tokens) <= size:
        return [tokens]
    return [tokens[i : i + size] for i in range(0, len(tokens), size)]
