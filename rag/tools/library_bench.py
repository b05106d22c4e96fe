"""Collections' share of `rag bench`: ten collections of the bench corpus served at once (each
an own copy of the built index, so no rebuild is timed), ask p50 round-robin across them against
asking one alone, and one rebuilt while ten clients keep asking the others: failed questions."""
from __future__ import annotations

import shutil
import statistics
import threading
import time

from rag.library import Library


def library_bench(service, questions: list[str], collections: int = 10, clients: int = 10) -> dict:
    if service.settings.store.backend != "local":
        return {}
    library = Library(service.settings, service)
    names = [f"bench{i}" for i in range(1, collections)]
    for name in names:
        library.create(name, service.settings.paths.seeds)
        shutil.copytree(service.settings.paths.index, library.index_dir(name), dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("collections", "jobs.json", "answers.sqlite3*", "*.lock"))
    every = ["default", *names]
    for name in every:
        library.get(name).answers.ask(questions[0])  # each loaded and warm, as a server that has run a while
    alone, spread = [], []
    for i, q in enumerate(questions):
        for samples, name in ((alone, "default"), (spread, every[i % len(every)]))[::1 if i % 2 else -1]:
            started = time.perf_counter()
            library.get(name).answers.ask(q)
            samples.append(time.perf_counter() - started)
    report = {"collections": len(every), "ask_p50_ms_one_collection": _ms(alone),
              "ask_p50_ms_across_collections": _ms(spread)}
    report["across_vs_one"] = round(report["ask_p50_ms_across_collections"] / report["ask_p50_ms_one_collection"], 3)
    report |= _asked_during_rebuild(library, every, questions, clients)
    library.close()
    return report


def _asked_during_rebuild(library: Library, every: list[str], questions: list[str], clients: int) -> dict:
    rebuilt, others = every[1], [n for n in every if n != every[1]]
    done, failures, asked = threading.Event(), [], []

    def client(n: int) -> None:
        i = n
        while not done.is_set():
            try:
                library.get(others[i % len(others)]).answers.ask(questions[i % len(questions)])
                asked.append(1)
            except Exception as exc:  # noqa: BLE001 - every failure is what this counts
                failures.append(repr(exc))
            i += clients

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    library.get(rebuilt).index.run(rebuild=True)
    seconds = time.perf_counter() - started
    done.set()
    for t in threads:
        t.join()
    return {"rebuild_s_while_asked": round(seconds, 2), "asked_during_rebuild": len(asked),
            "failed_during_rebuild": len(failures)}


def _ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)
