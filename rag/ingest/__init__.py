"""The index wing: files in, chunks out. files.py keeps the seeds folder (safe names, atomic
uploads); readers.py and formats/ turn bytes into a Document (layout.py records pages, headings
and sections); chunker.py packs sentences into chunks; indexer.py decides what changed and writes
it through a store transaction, with the ingest engine of engines.py (this process, or Ray Data in
ray_engine.py); manager.py holds the live version and runs index jobs (job_queue.py), watcher.py
re-indexes on file changes. It may import rag.language, rag.embedding and rag.stores, never
rag.answering."""
