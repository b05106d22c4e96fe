"""Pick up files dropped into the seeds folder while the server runs (polling: no extra
dependency, works on every filesystem, and a scan of a few thousand files costs milliseconds)."""
from __future__ import annotations

import logging
import threading

from rag.errors import RagError
from rag.ingest.readers import iter_files

log = logging.getLogger("rag.watcher")


def signature(folder) -> tuple:
    if not folder.is_dir():
        return ()
    entries = []
    for path in iter_files(folder):
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


class SeedsWatcher(threading.Thread):
    def __init__(self, service, interval: float):
        super().__init__(name="seeds-watcher", daemon=True)
        self.service, self.interval = service, interval
        self.stopped = threading.Event()
        self.last = signature(service.index.seeds_dir)  # taken now: a file dropped before run() still counts

    def run(self) -> None:
        last = self.last
        while not self.stopped.wait(self.interval):
            current = signature(self.service.index.seeds_dir)
            if current != last:
                try:  # a job like any other, so the API and the UI can watch it
                    summary = self.service.index.jobs.result(self.service.index.start().id)
                    log.warning("seeds changed: %s added, %s updated, %s removed",
                                summary["added"], summary["updated"], summary["removed"])
                except RagError as exc:
                    log.warning("re-index after a change failed: %s", exc)
                last = current

    def stop(self) -> None:
        self.stopped.set()
