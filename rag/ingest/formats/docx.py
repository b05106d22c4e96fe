"""DOCX: paragraphs and tables in document order; heading styles give the sections, list
paragraphs state, line breaks inside a paragraph never split it."""
from __future__ import annotations

import io
import re

from rag.ingest.layout import Layout, Parsed, keywords, looks_like_heading, table_rows
from rag.ingest.layout import Unreadable

_HEADING = re.compile(r"^(?:heading|überschrift|titre)\s*(\d)$", re.I)


def read(data: bytes) -> Parsed:
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Unreadable(f"corrupt DOCX ({type(exc).__name__})") from None
    layout = Layout()
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            rows = [_cells(row) for row in item.rows]
            for row in table_rows(rows, header=len(rows) > 1):
                layout.block(row)
        else:
            _paragraph(layout, item)
    parsed = layout.finish(document.core_properties.title or None)
    parsed.tags = keywords(document.core_properties.keywords)
    return parsed


def _paragraph(layout: Layout, paragraph) -> None:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    text = paragraph.text
    level = 1 if style.lower() == "title" else _level(style)
    listed = style.lower().startswith("list") or paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    layout.block(text, level, label=level is None and not listed and looks_like_heading(text))


def _level(style: str) -> int | None:
    match = _HEADING.match(style.strip())
    return int(match[1]) + 1 if match else None


def _cells(row) -> list[str]:
    """Cell texts, a merged cell once (python-docx repeats it for every grid column it spans)."""
    out, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell.text)
    return out
