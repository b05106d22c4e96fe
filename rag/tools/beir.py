"""`rag eval --beir DIR`: retrieval quality (nDCG@10, recall@100) on a BEIR-format set.

The BEIR corpus is written out as one text file per document (title on the first line) and
indexed by the very indexer the service uses, so what is measured is what users get; the
index is cached and reused incrementally between runs.
"""
from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

from rag.embedding import embed_one


CUTOFFS = (10, 100)


@dataclass
class Beir:
    corpus: dict[str, tuple[str, str]]  # id -> (title, text)
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load_beir(folder: Path, max_docs: int | None = None) -> Beir:
    from rag.errors import RagError

    try:
        corpus = {r["_id"]: (r.get("title", ""), r.get("text", "")) for r in read_jsonl(folder / "corpus.jsonl")}
        queries = {r["_id"]: r["text"] for r in read_jsonl(folder / "queries.jsonl")}
        qrels = _qrels(folder / "qrels" / "test.tsv")
    except (OSError, ValueError, KeyError) as exc:
        raise RagError(f"{folder} is not a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv): {exc}") from None
    qrels = {q: rel for q, rel in qrels.items() if q in queries}
    beir = Beir(corpus, queries, qrels)
    return subset(beir, max_docs) if max_docs else beir


def read_jsonl(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        query, doc, score = line.split("\t")[:3]
        if int(score) > 0:
            qrels.setdefault(query, {})[doc] = int(score)
    return qrels


def subset(beir: Beir, max_docs: int) -> Beir:
    """A small, still meaningful set: queries whose relevant documents fit in half the budget,
    plus other documents as distractors, in corpus order."""
    keep: dict[str, None] = {}
    queries = {}
    for q, rel in beir.qrels.items():
        if len(keep) + len(rel) > max_docs // 2:
            break
        keep.update(dict.fromkeys(d for d in rel if d in beir.corpus))
        queries[q] = beir.queries[q]
    for doc in beir.corpus:
        if len(keep) >= max_docs:
            break
        keep.setdefault(doc)
    return Beir({d: beir.corpus[d] for d in keep}, queries, {q: beir.qrels[q] for q in queries})


def write_corpus(beir: Beir, folder: Path) -> dict[str, str]:
    """One file per document; returns file name -> document id. Unchanged files are left alone."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for doc_id, (title, text) in beir.corpus.items():
        name = re.sub(r"[^\w.-]", "_", doc_id) + ".txt"
        content = f"{title}\n{text}" if title else text
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
        names[name] = doc_id
    for stale in set(p.name for p in folder.iterdir()) - set(names):
        (folder / stale).unlink()
    return names


def doc_ranking(sources: list[str], names: dict[str, str], depth: int = 100) -> list[str]:
    """Documents in the order their best chunk appears (max pooling over chunks)."""
    return list(dict.fromkeys(names[s] for s in sources))[:depth]


def method_rankings(retriever, view, query: str, depth: int) -> dict[str, list[str]]:
    """Each method's ranking of sources (chunks pooled to their documents later); hybrid is the
    service's."""
    vector = embed_one(retriever.embedder, query)
    return {"dense": [src for _, src in view.dense(vector, depth)],
            "bm25": view.lexical_documents(query, depth),
            "bm25_chunks": [src for _, src in view.lexical_chunks(query, depth)],
            "hybrid": [src for _, _, src in retriever.fused(view, query, depth)]}


def metrics(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    totals = {"ndcg@10": 0.0, "recall@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
    for query, relevant in qrels.items():
        ranked = run.get(query, [])
        gains = [relevant.get(d, 0) for d in ranked]
        ideal = sorted(relevant.values(), reverse=True)[:10]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        dcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:10]))
        totals["ndcg@10"] += dcg / idcg if idcg else 0.0
        for k in CUTOFFS:
            totals[f"recall@{k}"] += sum(1 for d in ranked[:k] if d in relevant) / len(relevant)
        first = next((i for i, g in enumerate(gains[:10]) if g > 0), None)
        totals["mrr@10"] += 1 / (first + 1) if first is not None else 0.0
    n = max(len(qrels), 1)
    return {k: round(v / n, 4) for k, v in totals.items()}


def evaluate_beir(service, beir: Beir, work_dir: Path, progress=None) -> dict:
    started = time.perf_counter()
    names = write_corpus(beir, work_dir / "corpus")
    # the chunk vectors the service's own settings build (embedding.chunk_vectors), sentences included
    service = service.reconfigured(paths__seeds=work_dir / "corpus", paths__index=work_dir / "index")
    service.index.run(progress=progress)
    snapshot = service.index.snapshot()
    depth = max(CUTOFFS) * 3  # chunks; pooled to at least 100 documents in practice
    runs: dict[str, dict[str, list[str]]] = {"dense": {}, "bm25": {}, "bm25_chunks": {}, "hybrid": {}}
    query_started = time.perf_counter()
    for qid in _progress(list(beir.qrels), progress is not None, "Queries"):
        for method, sources in method_rankings(service.answers.retriever, snapshot, beir.queries[qid], depth).items():
            runs[method][qid] = doc_ranking(sources, names)
    per_query_ms = (time.perf_counter() - query_started) * 1000 / max(len(beir.qrels), 1)
    by_method = {m: metrics(run, beir.qrels) for m, run in runs.items()}
    return {**by_method["hybrid"], "by_method": by_method, "docs": len(beir.corpus),
            "queries": len(beir.qrels), "chunks": snapshot.count(),
            "ms_per_query_all_methods": round(per_query_ms, 1), "seconds": round(time.perf_counter() - started, 1)}


def _progress(items, show: bool, label: str):
    from tqdm import tqdm
    import sys

    return tqdm(items, desc=label, file=sys.stderr, disable=not show)
