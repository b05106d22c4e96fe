"""An ingest engine (INGEST_ENGINES in rag/ingest/engines.py): the in-process one, counting files."""
from rag.ingest.indexer import InProcess


class Counting(InProcess):
    files = 0

    def ingest(self, indexer, fresh, txn, progress, cancelled):
        type(self).files += len(fresh)
        return super().ingest(indexer, fresh, txn, progress, cancelled)
