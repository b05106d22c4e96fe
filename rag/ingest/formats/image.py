"""PNG, JPEG and TIFF by OCR: each frame a page, laid out as a scanned PDF page is."""
from __future__ import annotations

from rag.ingest import ocr
from rag.ingest.formats.pdf import from_lines, ocr_lines
from rag.ingest.layout import Parsed, Unreadable


def read(data: bytes) -> Parsed:
    try:
        frames = ocr.image_pages(data)
    except Exception as exc:  # Pillow raises several types for a file that is not an image
        raise Unreadable(f"corrupt image ({type(exc).__name__})") from None
    reader = ocr.engine()
    if reader is None:
        raise Unreadable(ocr.INSTALL)
    read = ocr.read_pages(reader, frames, ocr.content_key(data), len(frames))
    pages = ocr_lines(read, list(range(1, len(read) + 1)))
    parsed = from_lines(pages)
    parsed.ocr_pages = [n for n, page in enumerate(pages, start=1) if page]
    return parsed
