"""EPUB: the chapters in reading order, each read as HTML (its headings give the sections)."""
from __future__ import annotations

import io
import zipfile

from rag.ingest.formats.html import Walker
from rag.ingest.layout import Parsed, Unreadable


def read(data: bytes) -> Parsed:
    import ebooklib
    from bs4 import BeautifulSoup
    from ebooklib import epub

    try:
        book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
    except (zipfile.BadZipFile, KeyError, ValueError, epub.EpubException) as exc:
        raise Unreadable(f"corrupt EPUB ({type(exc).__name__})") from None
    walker = Walker()
    for item_id, _ in book.spine:
        item = book.get_item_with_id(item_id)
        if item is not None and item.get_type() == ebooklib.ITEM_DOCUMENT:
            walker.walk(BeautifulSoup(item.get_content(), "html.parser"))
            walker.flush()
    titles = book.get_metadata("DC", "title")
    return walker.layout.finish(titles[0][0] if titles else None)
