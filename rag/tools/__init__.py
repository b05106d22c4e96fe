"""Measuring the service with its own code paths and settings: `rag eval` (beir.py: retrieval on a
BEIR set; qa.py: answers on a QA file; squad.py: answers and refusals on SQuAD 2.0 articles) and
`rag bench` (bench.py: ingestion, updates, queries and search at scale; scale.py: the local store
at a million chunks). Nothing in the service imports this folder."""
