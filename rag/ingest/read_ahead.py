"""Work ahead in a thread, at most `depth` results ahead: the indexer reads and chunks the next
files while the model embeds the last ones (the model releases the GIL while it runs), so a folder
costs about the longer of the two, not their sum."""
from __future__ import annotations

import contextlib
import contextvars
import queue
import threading
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_DONE = object()


@contextlib.contextmanager
def read_ahead(items: Iterable[T], work: Callable[[T], R], depth: int = 4) -> Iterator[Iterator[R]]:
    """`work(item)` for each item, in order, computed in one thread beside the caller. An error in
    `work` is raised to the caller where its result would have been; leaving the context early
    (an error or a cancel in the caller) stops the thread after the item it is on."""
    results: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                _put(results, stop, (work(item), None))
        except BaseException as exc:  # handed to the caller, raised there
            _put(results, stop, (None, exc))
        _put(results, stop, (_DONE, None))

    # the caller's context goes with the work (ocr.reporting and ocr.deferred are context variables)
    thread = threading.Thread(target=contextvars.copy_context().run, args=(produce,), daemon=True,
                              name="rag-read-ahead")
    thread.start()

    def consume() -> Iterator[R]:
        while True:
            result, error = results.get()
            if error is not None:
                raise error
            if result is _DONE:
                return
            yield result

    try:
        yield consume()
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                results.get(timeout=0.05)
        thread.join()


def _put(results: queue.Queue, stop: threading.Event, value) -> None:
    while not stop.is_set():
        try:
            results.put(value, timeout=0.1)
            return
        except queue.Full:
            continue
