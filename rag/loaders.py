"""Turn files into Documents, or into a reason they were skipped.

Each format has one small reader returning (text, title or None). Everything the
service can say about a file it cannot read is raised as `Unreadable(reason)`.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Callable, Iterator

from .records import Document, content_hash

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
MAX_TITLE_CHARS = 200
_DATE_PATTERNS = [
    re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b"),  # 20-11-2024 (day first)
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),  # 2024-11-20
]


class Unreadable(Exception):
    """A file the indexer skips; the message is the reason shown to the user."""


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


def parse_document(source: str, data: bytes) -> Document:
    """Text, title and date of a file's bytes; raises Unreadable."""
    text, title = READERS[Path(source).suffix.lower()](data)
    text = _normalise(text)
    if not text.strip():
        raise Unreadable("no text found")
    title = (title or _first_line(text) or Path(source).stem).strip()[:MAX_TITLE_CHARS]
    return Document(source=source, text=text, title=title, date=find_date(text), hash=content_hash(data))


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


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _printable(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise Unreadable("not valid UTF-16 text") from None
    if b"\x00" in data[:8192]:
        raise Unreadable("binary file (contains NUL bytes)")
    try:
        return _printable(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not valid UTF-8 text (byte {exc.start})") from None


def _printable(text: str) -> str:
    """Reject text that decodes but is mostly control or unassigned characters."""
    sample = text[:8192]
    odd = sum(not (ch.isprintable() or ch.isspace()) for ch in sample)
    if sample and odd > 0.1 * len(sample):
        raise Unreadable("binary file (mostly unprintable characters)")
    return text


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


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


def read_text(data: bytes) -> tuple[str, str | None]:
    return _decode(data), None


def read_html(data: bytes) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        if tag.name != "head":
            tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    if soup.head:
        soup.head.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line), title or None


def read_pdf(data: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _try_empty_password(reader):
            raise Unreadable("encrypted PDF (password protected)")
        text = "\n\n".join((page.extract_text() or "") for page in reader.pages)
        title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise Unreadable(f"corrupt PDF ({type(exc).__name__})") from None
    return text, str(title) if title else None


def _try_empty_password(reader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # pypdf raises several types for unsupported encryption
        return False


def read_docx(data: bytes) -> tuple[str, str | None]:
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Unreadable(f"corrupt DOCX ({type(exc).__name__})") from None
    text = "\n".join(p.text for p in document.paragraphs)
    return text, document.core_properties.title or None


READERS: dict[str, Callable[[bytes], tuple[str, str | None]]] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
}
