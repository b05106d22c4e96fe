"""Extracted text with its structure: one block a line, and where pages, headings and sections are.

Readers feed blocks (paragraphs, list items, table rows, headings) to a `Layout`, which joins
them into the document's indexed text and records every boundary as a character offset into
it, so a citation can say "p. 3" or "§ Results > Ferry service" and still quote exact offsets.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

Span = tuple[int, int]
SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_KEY_VALUE = re.compile(r"^[^:]{1,60}:\s+\S")
# "Table 2: Costs by item." names what a table or figure shows; it repeats a question's words more
# often than it answers them, so it labels (like a heading) and is never quoted as the answer.
CAPTION = re.compile(r"^(?:Table|Figure|Fig\.|Chart|Exhibit|Listing|Plate)\s+[\dIVXL]+[a-z]?(?:\.\d+)?\s*[:.—–-]\s", re.I)


class Unreadable(Exception):
    """A file the indexer skips; the message is the reason shown to the user."""


@dataclass
class Parsed:
    """What a reader returns: the text, its title if the file names one, and its structure."""

    text: str
    title: str | None = None
    headings: list[Span] = field(default_factory=list)  # spans that label, never state
    pages: list[int] = field(default_factory=list)      # start offset of page 1, 2, …
    sections: list[tuple[int, str]] = field(default_factory=list)  # (offset, heading path) from there on
    ocr_pages: list[int] = field(default_factory=list)  # pages (1-based) whose text OCR read
    tags: list[str] = field(default_factory=list)  # front matter tags:, DOCX/PPTX/PDF keywords


def keywords(value) -> list[str]:
    """Tags from a keywords field: a list, or one string split at commas and semicolons."""
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    elif isinstance(value, str):
        items = re.split(r"[,;]", value)
    else:
        return []
    return list(dict.fromkeys(t.strip() for t in items if t and t.strip()))


class Layout:
    """Builds a Parsed: each block becomes one line with its inner whitespace folded."""

    def __init__(self):
        self._parts: list[str] = []
        self._length = 0
        self._headings: list[tuple[int, int, int | None, str]] = []  # start, end, level, text
        self._pages: list[int] = []
        self._pending_pages = 0

    @property
    def empty(self) -> bool:
        return not self._parts

    def block(self, text: str, heading: int | None = None, *, label: bool = False) -> None:
        """A paragraph, list item or table row; `heading` is its level (1 = top) when it is
        a heading, `label` marks a line that names rather than states (a dateline, say)."""
        text = " ".join(text.split())
        if not text:
            return
        if self._parts:
            self._emit("\n")
        start = self._length
        self._mark_pages(start)
        self._emit(text)
        if heading is not None or label or CAPTION.match(text):
            self._headings.append((start, self._length, heading, text))

    def extend(self, text: str) -> None:
        """Continue the last block (a paragraph running on past a page or column break)."""
        text = " ".join(text.split())
        if not text:
            return
        if not self._parts:
            return self.block(text)
        joined = self._parts[-1].endswith("-") and text[:1].islower()
        if joined:  # a word hyphenated across the break
            self._parts[-1] = self._parts[-1][:-1]
            self._length -= 1
        else:
            self._emit(" ")
        self._mark_pages(self._length)
        self._emit(text)

    def page(self) -> None:
        """The next block starts a new page."""
        self._pending_pages += 1

    def finish(self, title: str | None = None) -> Parsed:
        self._mark_pages(self._length)
        text = "".join(self._parts)
        return Parsed(text=text, title=title or self._title(), headings=[(a, b) for a, b, _, _ in self._headings],
                      pages=self._pages, sections=self._sections())

    def _emit(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)

    def _mark_pages(self, offset: int) -> None:
        self._pages += [offset] * self._pending_pages
        self._pending_pages = 0

    def _title(self) -> str | None:
        levelled = [h for h in self._headings if h[2] is not None]
        return levelled[0][3] if levelled else None

    def _sections(self) -> list[tuple[int, str]]:
        """Heading paths; a lone top heading that opens the document is its title, not a section."""
        levelled = [h for h in self._headings if h[2] is not None]
        if levelled and levelled[0][0] == 0:
            top = min(h[2] for h in levelled)
            if levelled[0][2] == top and sum(h[2] == top for h in levelled) == 1:
                levelled = levelled[1:]
        path: list[tuple[int, str]] = []
        sections = []
        for start, _, level, text in levelled:
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, text))
            sections.append((start, " > ".join(t for _, t in path)))
        return sections


def table_rows(rows: list[list[str]], header: bool) -> list[str]:
    """Each row as one statement: "Item: Hull repairs; Cost: 1.4 million euros" under a header."""
    rows = [[" ".join(c.split()) for c in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    if header and len(rows) > 1:
        head, body = rows[0], rows[1:]
        return [_keyed(head, row) for row in body]
    return [" | ".join(c for c in row if c) for row in rows]


MAX_ROWS = 20_000  # rows of one sheet or CSV file read; the rest is named in a note, not indexed


def sheet(layout: "Layout", rows, name: str | None = None, count_rest: bool = True) -> None:
    """A spreadsheet's rows as `table_rows` makes them, one statement each under the header row,
    under a heading naming the sheet; at most MAX_ROWS of them, the rest counted in a note (or,
    with count_rest off, only noted: reading an XLSX to its end costs minutes when it is large)."""
    if name:
        layout.block(name, 2)
    cells = (["" if c is None else str(c) for c in row] for row in rows)
    filled = (row for row in cells if any(c.strip() for c in row))
    kept = list(itertools.islice(filled, MAX_ROWS + 1))  # the header and MAX_ROWS rows under it
    for row in table_rows(kept, header=True):
        layout.block(row)
    if not count_rest:
        if next(filled, None) is not None:
            layout.block(f"(The rest of {name or 'this sheet'}, after {MAX_ROWS} rows, is not indexed.)", label=True)
        return
    left = sum(1 for _ in filled)
    if left:
        layout.block(f"({left} more rows of {name or 'this sheet'} are not indexed.)", label=True)


def _keyed(head: list[str], row: list[str]) -> str:
    pairs = [f"{h}: {c}" if h else c for h, c in zip(head, row) if c]
    return "; ".join(pairs + [c for c in row[len(head):] if c])


def looks_like_heading(line: str, first: bool = False) -> bool:
    """A short line that ends without punctuation and is not a "key: value" statement
    (the document's first such line, its title, may be long)."""
    line = line.strip()
    if SENTENCE_END.search(line):
        return False
    return first or (len(line.split()) < 12 and not _KEY_VALUE.match(line))
