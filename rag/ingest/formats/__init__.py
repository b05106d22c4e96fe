"""One reader a file format: a module with `read(data: bytes) -> Parsed` (build it with
rag.ingest.layout.Layout; raise layout.Unreadable for a file it cannot use). READERS maps each file
suffix to one; a new format is one module here plus one entry."""
from __future__ import annotations

from typing import Callable

from rag.ingest.layout import Parsed
from rag.registry import Registry

READERS = Registry("a file suffix", {
    ".txt": "rag.ingest.formats.text:read",
    ".md": "rag.ingest.formats.markdown:read",
    ".markdown": "rag.ingest.formats.markdown:read",
    ".html": "rag.ingest.formats.html:read",
    ".htm": "rag.ingest.formats.html:read",
    ".pdf": "rag.ingest.formats.pdf:read",
    ".png": "rag.ingest.formats.image:read",
    ".jpg": "rag.ingest.formats.image:read",
    ".jpeg": "rag.ingest.formats.image:read",
    ".tif": "rag.ingest.formats.image:read",
    ".tiff": "rag.ingest.formats.image:read",
    ".docx": "rag.ingest.formats.docx:read",
    ".csv": "rag.ingest.formats.csv:read",
    ".tsv": "rag.ingest.formats.csv:read",
    ".xlsx": "rag.ingest.formats.xlsx:read",
    ".pptx": "rag.ingest.formats.pptx:read",
    ".epub": "rag.ingest.formats.epub:read",
})


def reader(suffix: str) -> Callable[[bytes], Parsed]:
    return READERS.load(suffix)
