"""`rag bench --store-scale N`: the local store at N chunks, through its real write and read paths.

Chunk text is real (the benchmark's chunks, repeated: BM25 posting lists as long as a corpus of
that size would have), vectors are drawn from a Gaussian fitted to the real embeddings (distinct
vectors: the hard case for an approximate index). It measures the full build, adding one
document on top (the commit, then loading the new version), and a serving process of its own:
resident memory for the index, vector search against exact search, and retrieval (dense, chunk
and document BM25, fusion, fetching the top chunks) with the question already embedded.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from rag.config import Retrieval, Store
from rag.records import Chunk
from rag.stores import open_store

CHUNKS_PER_DOC = 3
QUERIES = 200


def store_scale(texts: list[str], base: np.ndarray, questions: list[str], n: int, work: Path, log) -> dict:
    rng = np.random.default_rng(0)
    sample = base[rng.choice(len(base), min(1500, len(base)), replace=False)]
    mean, cov = sample.mean(axis=0), np.cov(sample, rowvar=False)
    log(f"store scale: {n:,} chunks…")
    vectors = _unit(rng.multivariate_normal(mean, cov, size=n, method="eigh"))
    store = open_store(Store(), work / "index")
    manifest = {"dim": int(base.shape[1]), "vectors": "faiss", "lexical": "bm25s"}
    started = time.perf_counter()
    with store.lock():
        txn = store.begin(None)
        catalogue = {}
        for lo in range(0, n, 50_000):
            chunks = [_chunk(i, texts[i % len(texts)]) for i in range(lo, min(n, lo + 50_000))]
            txn.add(chunks, vectors[lo : lo + len(chunks)])
            catalogue |= _entries(chunks)
        txn.commit(manifest, catalogue)
    row = {"chunks": n, "build_s": round(time.perf_counter() - started, 1),
           "vectors_mb": round(vectors.nbytes / 2**20, 1),
           "disk_mb": round(sum(p.stat().st_size for p in (work / "index").rglob("*") if p.is_file()) / 2**20, 1)}
    queries = _unit(rng.multivariate_normal(mean, cov, size=QUERIES, method="eigh"))
    truth = np.argpartition(-(vectors @ queries.T), 10, axis=0)[:10].T  # the exact top 10 (row positions)
    vids = np.array([_chunk(i, "").vector_id for i in range(n)], dtype=np.int64)
    np.save(work / "queries.npy", queries)
    np.save(work / "truth.npy", vids[truth])
    (work / "questions.json").write_text(json.dumps(questions[:QUERIES]))
    del vectors
    row |= _serve(work)
    row |= _add_one(store, texts, base, manifest)
    return row


def _chunk(i: int, text: str) -> Chunk:
    doc = i // CHUNKS_PER_DOC
    cid = hashlib.sha256(f"{doc}:{i}".encode()).hexdigest()[:32]
    return Chunk(cid, f"doc{doc:08d}.txt", f"Document {doc}", None, 0, len(text), text, [(0, len(text))])


def _entries(chunks: list[Chunk]) -> dict:
    entries = {}
    for c in chunks:
        entry = entries.setdefault(c.source, {"hash": c.source, "title": c.title, "date": None, "chars": 0,
                                              "chunks": 0, "first": c.vector_id})
        entry["chunks"] += 1
        entry["chars"] += len(c.text)
    return entries


def _add_one(store, texts: list[str], base: np.ndarray, manifest: dict) -> dict:
    chunks = [Chunk(hashlib.sha256(f"new:{i}".encode()).hexdigest()[:32], "zz-new.txt", "New", None, 0,
                    len(texts[i]), texts[i], [(0, len(texts[i]))]) for i in range(CHUNKS_PER_DOC)]
    started = time.perf_counter()
    with store.lock():
        txn = store.begin(store.latest())
        txn.add(chunks, base[:CHUNKS_PER_DOC])
        txn.commit(manifest, _entries(chunks))
    committed = time.perf_counter() - started
    view = store.latest()
    return {"add_one_s": round(committed, 3), "add_one_until_loaded_s": round(time.perf_counter() - started, 3),
            "segments_after_add": len(view.segments)}


def _serve(work: Path) -> dict:
    """Run the serving side in a process of its own, so its memory is the index's alone."""
    out = subprocess.run([sys.executable, "-m", "rag.tools.scale", str(work)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def _measure_serving(work: Path) -> dict:
    from rag.answering.retrieval import Retriever
    from rag.stores.faiss import engine_version

    engine_version()  # faiss's own libraries are not the index
    before = rss_mb()
    store = open_store(Store(), work / "index")
    started = time.perf_counter()
    view = store.view()
    view.warm()
    loaded_s = time.perf_counter() - started
    queries, truth = np.load(work / "queries.npy"), np.load(work / "truth.npy")
    questions = json.loads((work / "questions.json").read_text())
    chosen = {seg.vectors: seg.vectors.nprobe for seg in view.segments if seg.vectors.kind == "ivf"}
    most, sweep = max(chosen.values(), default=0), {}
    for share in (0.25, 0.5, 1, 2):  # of each large segment's chosen nprobe (exact segments have none)
        for store, nprobe in chosen.items():
            store.nprobe = max(1, int(nprobe * share))
        dense, found = [], []
        for q in queries:
            t = time.perf_counter()
            found.append([v for v, _ in view.dense(q, 10)])
            dense.append(time.perf_counter() - t)
        recall = float(np.mean([len(set(f) & set(t.tolist())) / 10 for f, t in zip(found, truth)]))
        sweep[f"nprobe_x{share}"] = {"nprobe": int(most * share), "dense_p50_ms": round(float(np.median(dense)) * 1000, 2),
                                     "recall@10": round(recall, 4)}
    for store, nprobe in chosen.items():
        store.nprobe = nprobe
    retriever = Retriever(_Given(queries, questions), Retrieval())
    timings = {"chunk_bm25": [], "doc_bm25": [], "query": []}
    for question in questions:
        for name, call in (("chunk_bm25", view.lexical_chunks), ("doc_bm25", view.lexical_documents)):
            t = time.perf_counter()
            call(question, 50)
            timings[name].append(time.perf_counter() - t)
        t = time.perf_counter()
        ranked = retriever.scored(view, question)[:5]
        view.get(vid for vid, _ in ranked)
        timings["query"].append(time.perf_counter() - t)
    p50 = {f"{name}_p50_ms": round(float(np.median(v)) * 1000, 2) for name, v in timings.items()}
    return {"load_s": round(loaded_s, 2), "index_rss_mb": round(rss_mb() - before, 1),
            "serving_rss_mb": rss_mb(), "nprobe": most, "dense_recall@10": sweep["nprobe_x1"]["recall@10"],
            "dense_p50_ms": sweep["nprobe_x1"]["dense_p50_ms"], **p50, "nprobe_sweep": sweep}


class _Given:
    """The embedder seam, answering with the precomputed vector of each benchmark question."""

    name, dim = "given", 0

    def __init__(self, vectors: np.ndarray, questions: list[str]):
        self.vectors = {q: v for q, v in zip(questions, vectors)}

    def embed_batch(self, texts: list[str], query: bool = False) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = vectors.astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def rss_mb() -> float:
    """This process's resident memory now (with milvus-lite, its server runs in here too)."""
    with open("/proc/self/statm") as handle:
        return round(int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


if __name__ == "__main__":
    print(json.dumps(_measure_serving(Path(sys.argv[1]))))
