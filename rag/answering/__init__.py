"""The answer wing: one question's path, run by pipeline.py (check, condense, retrieve, answer,
ground). retrieval.py fuses dense and BM25 hits from one index version; evidence.py reads what a
question asks for; candidates.py scores the retrieved sentences; extractive.py answers from them
(and is the gate before any LLM); generation.py and local_llm.py write with litellm; grounding.py
checks every written sentence against the retrieved ones; conversation.py condenses follow-ups.
It may import rag.language, rag.embedding and a store's View, never rag.ingest."""
