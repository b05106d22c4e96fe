"""XLSX: each sheet a section named after it, one statement a row under its header row."""
from __future__ import annotations

import io
import zipfile

from rag.ingest.layout import Layout, Parsed, Unreadable, sheet


def read(data: bytes) -> Parsed:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise Unreadable(f"corrupt XLSX ({type(exc).__name__})") from None
    layout = Layout()
    try:
        for worksheet in book.worksheets:
            sheet(layout, worksheet.iter_rows(values_only=True), worksheet.title, count_rest=False)
    finally:
        book.close()
    return layout.finish(book.properties.title or None)
