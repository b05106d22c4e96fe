"""Ray's share of `rag bench --ray N`: the bench's documents indexed again through a local Ray with
1 and with N embedding actors (one CPU thread each), each into an index of its own: chunks a
second from the first batch handed out to the last one written (Ray's start left out, the actors'
model load kept in), and the scaling ratio between them."""
from __future__ import annotations

import time
from pathlib import Path


def ray_bench(service, workers: int, tmp: Path, log=print) -> dict:
    report = {}
    for n in sorted({1, workers}):
        log(f"Ray with {n} worker{'s' if n > 1 else ''}…")
        run = service.reconfigured(paths__index=tmp / f"ray-index-{n}", ingest__engine="ray",
                                   ingest__workers=n, ingest__threads_per_worker=1)
        marks: dict[str, float] = {}
        summary = run.index.run(progress=lambda phase, done, total: marks.setdefault(phase, time.perf_counter()))
        seconds = marks["writing"] - marks["embedding"]
        report[f"ray_{n}_workers_chunks_per_s"] = round(summary.chunks_total / seconds, 1)
    if workers > 1:
        report["ray_scaling"] = round(report[f"ray_{workers}_workers_chunks_per_s"] / report["ray_1_workers_chunks_per_s"], 3)
    return report
