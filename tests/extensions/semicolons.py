"""A file format (READERS in rag/ingest/formats): each ';'-separated part is one block."""
from rag.ingest.layout import Layout


def read(data: bytes):
    layout = Layout()
    for part in data.decode().split(";"):
        layout.block(part)
    return layout.finish()
