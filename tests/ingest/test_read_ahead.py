"""The reader beside the embedder: results in order, errors where they belong, a stop that holds."""
import contextvars
import threading
import time

import pytest

from rag.ingest.read_ahead import read_ahead


def test_results_come_in_order_while_the_work_runs_in_another_thread():
    threads = set()

    def work(n):
        threads.add(threading.current_thread().name)
        return n * n

    with read_ahead(range(50), work, depth=3) as results:
        assert list(results) == [n * n for n in range(50)]
    assert threads == {"rag-read-ahead"}


def test_the_next_items_are_read_while_the_caller_is_busy():
    read_at = {}

    def work(n):
        read_at[n] = time.perf_counter()
        return n

    with read_ahead(range(4), work, depth=4) as results:
        first = next(results)
        busy_until = time.perf_counter() + 0.3  # the caller "embeds" item 0
        while time.perf_counter() < busy_until:
            time.sleep(0.01)
        rest = list(results)
    assert first == 0 and rest == [1, 2, 3]
    assert all(read_at[n] < busy_until - 0.2 for n in (1, 2, 3))


def test_an_error_in_the_work_is_raised_to_the_caller_in_its_place():
    def work(n):
        if n == 2:
            raise ValueError("file 2 is broken")
        return n

    seen = []
    with pytest.raises(ValueError, match="file 2"):
        with read_ahead(range(5), work) as results:
            for r in results:
                seen.append(r)
    assert seen == [0, 1]


def test_leaving_early_stops_the_thread_and_reads_no_further():
    done = []

    def work(n):
        done.append(n)
        return n

    with pytest.raises(RuntimeError):
        with read_ahead(range(1000), work, depth=2) as results:
            next(results)
            raise RuntimeError("cancelled")
    settled = len(done)
    time.sleep(0.2)
    assert len(done) == settled < 10
    assert not any(t.name == "rag-read-ahead" for t in threading.enumerate())


def test_the_callers_context_variables_reach_the_work():
    setting = contextvars.ContextVar("setting", default="unset")
    setting.set("deferred")
    with read_ahead([1, 2], lambda n: setting.get()) as results:
        assert list(results) == ["deferred", "deferred"]
