"""`rag bench`: ingestion, incremental-add, query and answer speed, and vector-search scale,
all measured in one process so the ratios are fair on a noisy machine."""
from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.tools.beir import load_beir, write_corpus
from rag.tools.library_bench import library_bench
from rag.tools.ocr_bench import ocr_bench
from rag.tools.pdf_bench import pdf_bench
from rag.tools.ray_bench import ray_bench
from rag.tools.scale import rss_mb, store_scale
from rag.stores.faiss import FaissStore, engine_version


PDF_PAGES = 20  # pages of each typeset PDF


def _ms(samples: list[float], q: float) -> float:
    return round(float(np.percentile(samples, q)) * 1000, 2)


def run_bench(service, beir_dir: Path | None, corpus_dir: Path | None, max_docs: int | None,
              scale_sizes: list[int], queries: int = 100, log=print, store_sizes: list[int] = (),
              ocr_pages: int = 0, collections: tuple[int, int] = (0, 10), pdf_files: int = 0,
              ray_workers: int = 0) -> dict:
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        tmp = Path(tmp)
        texts, questions = _corpus(beir_dir, corpus_dir, max_docs, tmp / "seeds")
        report = {"docs": texts, "backend": service.settings.embedding.backend,
                  "store": service.settings.store.backend, "machine": _machine()}
        log(f"full build of {texts} documents…")
        service = service.reconfigured(paths__seeds=tmp / "seeds", paths__index=tmp / "index")
        ingest, vectors = _ingest(service, tmp)
        report |= ingest
        report |= _incremental(service, tmp, report["full_build_s"])
        report |= _queries(service, questions[:queries])
        report |= _observer_cost(service, questions[:queries])
        report["rss_mb"] = rss_mb()
        if collections[0]:
            log(f"{collections[0]} collections at once…")
            report |= library_bench(service, questions[:queries], *collections)
        if ocr_pages:
            log(f"OCR of {ocr_pages} scanned pages…")
            report |= ocr_bench(_texts(tmp / "seeds"), ocr_pages, service.settings.ocr)
        if pdf_files:
            report |= pdf_bench(service, _texts(tmp / "seeds", files=None), pdf_files, PDF_PAGES, tmp, log)
        if ray_workers:
            report |= ray_bench(service, ray_workers, tmp, log)
        report["scale"] = [_vector_scale(vectors, n, log) for n in scale_sizes]
        view = service.index.snapshot()
        texts = [c.text for source in view.documents for c in view.document_chunks(source)]
        report["store_scale"] = [store_scale(texts, vectors, questions, n, tmp / f"scale-{n}", log)
                                 for n in store_sizes]
    return report


def _texts(seeds: Path, files: int | None = 200) -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(seeds.rglob("*.txt"))[:files]]


def _corpus(beir_dir, corpus_dir, max_docs, seeds: Path) -> tuple[int, list[str]]:
    if beir_dir:
        beir = load_beir(beir_dir, max_docs)
        write_corpus(beir, seeds)
        return len(beir.corpus), list(beir.queries.values())
    import shutil

    files = sorted(p for p in corpus_dir.rglob("*") if p.is_file())[: max_docs or None]
    for path in files:
        target = seeds / path.relative_to(corpus_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return len(files), [p.stem.replace("_", " ") + "?" for p in files]


def _ingest(service, tmp: Path) -> tuple[dict, np.ndarray]:
    """The full build against encoding the same chunks raw; also returns those raw vectors. The
    model is loaded (and on a first run exported) before the clock starts, as a serving process has
    it; the peak memory is read before the raw model loads."""
    service.embedder.embed_batch(["warm up"])
    started = time.perf_counter()
    summary = service.index.run()
    full = time.perf_counter() - started
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    view = service.index.snapshot()
    texts = [c.text for source in view.documents for c in view.document_chunks(source)]
    model = _raw_fp32_model(service)
    started = time.perf_counter()
    vectors = model.encode(texts, batch_size=32, show_progress_bar=False, normalize_embeddings=True)
    raw = time.perf_counter() - started
    ingest_rate, raw_rate = summary.chunks_total / full, len(texts) / raw
    return {"chunks": summary.chunks_total, "full_build_s": round(full, 2),
            "ingest_chunks_per_s": round(ingest_rate, 1), "raw_encode_chunks_per_s": round(raw_rate, 1),
            "ingest_vs_raw": round(ingest_rate / raw_rate, 3), "ingest_peak_rss_mb": peak}, np.asarray(vectors, dtype=np.float32)


def _raw_fp32_model(service):
    """The packaged model as sentence-transformers ships it (fp32), whatever backend is configured."""
    from rag.embedding.fp32 import load_sentence_transformer
    from rag.embedding import resolve_model_path

    return load_sentence_transformer(resolve_model_path(service.settings.embedding.model),
                                     service.settings.embedding.threads or os.cpu_count() or 1)


def _incremental(service, tmp: Path, full_s: float) -> dict:
    source = sorted((tmp / "seeds").iterdir())[0]
    (tmp / "seeds" / "zz-bench-new.txt").write_text(source.read_text(encoding="utf-8") + "\nA new closing line.")
    started, marks = time.perf_counter(), {}
    summary = service.index.run(progress=lambda phase, done, total: marks.setdefault(phase, time.perf_counter()))
    served = time.perf_counter() - started
    add = marks["swapping"] - started  # the index run itself, as before; `served` adds loading the new version
    assert summary.added == 1 and summary.unchanged > 0
    return {"incremental_add_one_s": round(add, 3), "incremental_vs_full": round(add / full_s, 4),
            "incremental_until_served_s": round(served, 3)}


def _queries(service, questions: list[str]) -> dict:
    retrieval, answers = [], []
    service.answers.search("warm up")
    for q in questions:
        started = time.perf_counter()
        hits = service.answers.search(q)
        retrieval.append(time.perf_counter() - started)
        started = time.perf_counter()
        service.answers.gate.answer(q, hits)
        answers.append(time.perf_counter() - started + retrieval[-1])
    return {"queries": len(questions), "query_p50_ms": _ms(retrieval, 50), "query_p95_ms": _ms(retrieval, 95),
            "answer_p50_ms": _ms(answers, 50), "answer_p95_ms": _ms(answers, 95)}


def _observer_cost(service, questions: list[str]) -> dict:
    """`ask` p50 with the answer log and the counters listening and with nobody listening, each
    question asked both ways, which goes first alternating (the second ask of a question finds its
    sentences cached), so neither the caches nor the machine's drift favour one side."""
    observers = list(service.answers.observers)
    on, off = [], []
    try:
        for i, q in enumerate(questions):
            for observed, samples in ((True, on), (False, off))[::1 if i % 2 else -1]:
                service.answers.observers[:] = observers if observed else []
                started = time.perf_counter()
                service.answers.ask(q)
                samples.append(time.perf_counter() - started)
    finally:
        service.answers.observers[:] = observers
    return {"ask_p50_ms_observed": _ms(on, 50), "ask_p50_ms_unobserved": _ms(off, 50)}


def _vector_scale(base: np.ndarray, n: int, log) -> dict:
    """Vector search latency, size and recall@10 against exact search at n vectors, with the index
    the local store would choose, on two kinds of data: jittered copies of the real embeddings
    (easy: each query's neighbours are near copies of it) and vectors drawn from a Gaussian fitted
    to them (hard: really distinct vectors)."""
    log(f"scale: {n:,} vectors…")
    rng = np.random.default_rng(0)
    copies = _unit(base[np.arange(n) % len(base)] + rng.normal(0, 0.05, size=(n, base.shape[1])))
    queries = _unit(base[rng.choice(len(base), 200)] + rng.normal(0, 0.05, size=(200, base.shape[1])))
    row = {"vectors": n, **_kind(copies, queries)}
    del copies
    sample = base[rng.choice(len(base), min(1500, len(base)), replace=False)]
    mean, cov = sample.mean(axis=0), np.cov(sample, rowvar=False)
    hard = _unit(rng.multivariate_normal(mean, cov, size=n, method="eigh"))
    row["gaussian"] = _kind(hard, _unit(rng.multivariate_normal(mean, cov, size=200, method="eigh")))
    row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    return row


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = vectors.astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _kind(vectors: np.ndarray, queries: np.ndarray) -> dict:
    """The index the store builds for these vectors (`chosen_index`), against exact search over
    the same exact vectors."""
    n, dim = vectors.shape
    truth = np.argpartition(-(vectors @ queries.T), 10, axis=0)[:10].T
    started = time.perf_counter()
    store = FaissStore.build(dim, np.arange(n, dtype=np.int64), vectors)
    row = {"chosen_index": store.kind, "build_s": round(time.perf_counter() - started, 1),
           "exact_p50_ms": _ms(_search_each(FaissStore(dim, store.index), queries)[1], 50)}
    if store.kind == "flat":
        return row | {"p50_ms": row["exact_p50_ms"], "recall@10": 1.0, "index_mb": round(store.nbytes() / 2**20, 1)}
    chosen = store.nprobe
    for nprobe in sorted({chosen // 4, chosen // 2, chosen, chosen * 2} - {0}):
        store.nprobe = nprobe
        found, times = _search_each(store, queries)
        row[f"nprobe_{nprobe}"] = {"p50_ms": _ms(times, 50), "recall@10": _recall(found, truth)}
    store.nprobe = chosen
    return row | {"nprobe": chosen, **row[f"nprobe_{chosen}"], "index_mb": round(store.nbytes() / 2**20, 1)}


def _search_each(store, queries: np.ndarray):
    found, times = [], []
    for q in queries:
        started = time.perf_counter()
        _, ids = store.search(q[None, :], 10)
        times.append(time.perf_counter() - started)
        found.append(ids[0])
    return np.array(found), times


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return round(statistics.mean(len(set(f) & set(t)) / 10 for f, t in zip(found, truth)), 4)


def _machine() -> dict:
    import platform

    import torch

    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": sys.version.split()[0], "torch": torch.__version__, "faiss": engine_version(),
            "torch_threads": torch.get_num_threads()}
