"""Plain text: decoded strictly, kept line for line (each line a paragraph, as the seeds are)."""
from __future__ import annotations

import re

from rag.ingest.layout import Parsed, looks_like_heading
from rag.ingest.layout import Unreadable


def read(data: bytes) -> Parsed:
    """The text as written (offsets are into the file's own lines); short unpunctuated lines
    such as a title or a dateline label, never answer."""
    text = _normalise(decode(data))
    lines = [m for m in re.finditer(r"[^\n]+", text) if m[0].strip()]
    labels = [m.span() for i, m in enumerate(lines) if looks_like_heading(m[0], first=i == 0)]
    return Parsed(text=text, headings=labels)


def decode(data: bytes) -> str:
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
