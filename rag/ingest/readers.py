"""Turn files into Documents, or into a reason they were skipped.

Each format has one reader module in rag/ingest/formats returning a `Parsed` (text, title, and
where its pages, headings and sections are); `READERS` there maps file suffixes to them. Everything the
service can say about a file it cannot read is raised as `Unreadable(reason)`.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Iterator

from rag.ingest.formats import READERS, reader
from rag.ingest.layout import Unreadable
from rag.records import Document, content_hash

MAX_TITLE_CHARS = 200
KEPT = 8  # documents read by an upload's check, kept until its index job reads them
_kept: OrderedDict[tuple[str, str], Document] = OrderedDict()
_kept_lock = threading.Lock()
VERSION = 6  # bump when any reader's output changes: the index then rebuilds, as for the chunker
_DATE_PATTERNS = [
    re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b"),  # 20-11-2024 (day first)
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),  # 2024-11-20
]


def iter_files(root: Path) -> Iterator[Path]:
    """Every regular file under root, sorted, never following links out of the folder."""
    root = root.resolve()
    for path in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.is_symlink() and not _inside(path.resolve(), root):
            yield path  # reported as skipped by load_document
        elif path.is_file():
            yield path


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def read_source(path: Path, root: Path) -> tuple[str, bytes]:
    """(source, raw bytes) of a file under root; raises Unreadable."""
    root = root.resolve()
    source = _rel(path, root)
    if path.is_symlink() and not _inside(path.resolve(), root):
        raise Unreadable("symlink pointing outside the seeds folder (not followed)")
    if path.suffix.lower() not in READERS:
        raise Unreadable(f"unsupported file type '{path.suffix or '(none)'}'")
    return source, _read_bytes(path)


def parse_document(source: str, data: bytes, *, keep: bool = False) -> Document:
    """Text, title and date of a file's bytes; raises Unreadable. With `keep`, the result is kept
    for the next call with the same name and bytes (an upload is read to check it, then its index
    job reads it again: a 20-page PDF is about 2.5 s of pdfminer each time)."""
    key = (source, content_hash(data))
    with _kept_lock:
        kept = _kept.pop(key, None)
    if kept is not None:
        return kept
    doc = _parse(source, data, key[1])
    if keep:
        with _kept_lock:
            _kept[key] = doc
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return doc


def _parse(source: str, data: bytes, digest: str) -> Document:
    parsed = reader(Path(source).suffix.lower())(data)
    text = parsed.text
    if not text.strip():
        raise Unreadable("no text found")
    title = (parsed.title or _first_line(text) or Path(source).stem).strip()[:MAX_TITLE_CHARS]
    return Document(source=source, text=text, title=title, date=find_date(text), hash=digest,
                    headings=parsed.headings, pages=parsed.pages, sections=parsed.sections, ocr_pages=parsed.ocr_pages,
                    tags=parsed.tags)


def load_document(path: Path, root: Path) -> Document:
    return parse_document(*read_source(path, root))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror or exc}") from None
    if not data:
        raise Unreadable("empty file")
    return data


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line
    return ""


def find_date(text: str, head_chars: int = 500) -> str | None:
    """The first date in the document's opening lines, as ISO yyyy-mm-dd."""
    head = text[:head_chars]
    match = _DATE_PATTERNS[0].search(head)
    if match and 1 <= int(match[1]) <= 31 and 1 <= int(match[2]) <= 12:
        return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
    match = _DATE_PATTERNS[1].search(head)
    if match and 1 <= int(match[2]) <= 12 and 1 <= int(match[3]) <= 31:
        return match[0]
    return None


def supported() -> tuple[str, ...]:
    return tuple(READERS)


__all__ = ["READERS", "Unreadable", "iter_files", "load_document", "parse_document", "read_source", "supported"]
