"""PPTX: each slide a page and a section under its title, its text boxes and tables in order,
then its speaker notes."""
from __future__ import annotations

import io
import zipfile

from rag.ingest.layout import Layout, Parsed, Unreadable, keywords, looks_like_heading, table_rows


def read(data: bytes) -> Parsed:
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        deck = Presentation(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise Unreadable(f"corrupt PPTX ({type(exc).__name__})") from None
    layout = Layout()
    for number, slide in enumerate(deck.slides, start=1):
        layout.page()
        title = slide.shapes.title
        layout.block(title.text_frame.text if title is not None and title.has_text_frame and title.text_frame.text.strip()
                     else f"Slide {number}", 2)
        for shape in slide.shapes:
            if title is None or shape.shape_id != title.shape_id:  # (python-pptx hands out new proxies)
                _shape(layout, shape)
        if slide.has_notes_slide:
            for paragraph in slide.notes_slide.notes_text_frame.paragraphs:
                layout.block("".join(run.text for run in paragraph.runs))
    parsed = layout.finish(deck.core_properties.title or None)
    parsed.tags = keywords(deck.core_properties.keywords)
    return parsed


def _shape(layout: Layout, shape) -> None:
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
        for row in table_rows(rows, header=len(rows) > 1):
            layout.block(row)
    elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        for paragraph in shape.text_frame.paragraphs:
            text = "".join(run.text for run in paragraph.runs)
            layout.block(text, label=paragraph.level == 0 and looks_like_heading(text) and len(text.split()) < 4)
    elif hasattr(shape, "shapes"):  # a group
        for inner in shape.shapes:
            _shape(layout, inner)
