"""CSV (and TSV): one statement a row under its header row; the delimiter is sniffed."""
from __future__ import annotations

import csv
import io

from rag.ingest.formats.text import decode
from rag.ingest.layout import Layout, Parsed, Unreadable, sheet


def read(data: bytes) -> Parsed:
    text = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    layout = Layout()
    try:
        sheet(layout, csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise Unreadable(f"malformed CSV ({exc})") from None
    return layout.finish()
