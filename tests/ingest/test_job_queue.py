"""Index runs as jobs, with a runner the test steps through: order, joining, cancel, restart."""
import threading

import pytest

from rag.errors import IndexCancelled, IndexBusyError
from rag.ingest.job_queue import INTERRUPTED, JobManager
from rag.records import IndexSummary


class SteppedRunner:
    """Reports three embedding steps, each waiting for the test to let it go."""

    def __init__(self, fail=None):
        self.go = threading.Semaphore(0)
        self.started = threading.Event()
        self.runs = 0
        self.fail = fail

    def __call__(self, progress, cancelled):
        self.runs += 1
        self.started.set()
        progress("scanning", 1, 1)
        for done in range(1, 4):
            assert self.go.acquire(timeout=10)
            if cancelled():
                raise IndexCancelled()
            progress("embedding", done, 3)
        if self.fail:
            raise self.fail
        return IndexSummary(added=1, chunks_embedded=3, chunks_total=3)

    def release(self, steps=3):
        for _ in range(steps):
            self.go.release()


@pytest.fixture
def runner():
    return SteppedRunner()


def test_a_job_goes_queued_running_done_with_growing_progress(runner, tmp_path):
    jobs = JobManager(runner, tmp_path / "jobs.json")
    job = jobs.submit()
    assert job.state in ("queued", "running")
    events = jobs.events(job.id)
    runner.release()
    seen = list(events)
    states = [e["state"] for e in seen]
    assert states[-1] == "done" and states == sorted(states, key=["queued", "running", "done"].index)
    embedding = [e["done"] for e in seen if e["phase"] == "embedding"]
    assert embedding == sorted(embedding) and embedding[-1] == 3 == seen[-1]["total"]
    assert jobs.result(job.id)["chunks_total"] == 3 and job.started and job.finished


def test_a_reindex_joins_the_running_job_and_uploads_queue_into_the_next(runner):
    jobs = JobManager(runner)
    first = jobs.submit()
    assert runner.started.wait(5)
    assert jobs.submit().id == first.id  # re-index while one runs: the running job
    upload = jobs.submit("upload", "a.txt")
    assert upload.id != first.id and upload.state == "queued"
    assert jobs.submit("upload", "b.txt").id == upload.id  # joins the queued run
    assert jobs.submit().id == upload.id
    runner.release(6)
    assert jobs.wait(upload.id, 10).state == "done" and upload.documents == ["a.txt", "b.txt"]
    assert runner.runs == 2


def test_cancel_stops_a_running_job_and_drops_a_queued_one(runner):
    jobs = JobManager(runner)
    running = jobs.submit()
    assert runner.started.wait(5)
    queued = jobs.submit("upload", "a.txt")
    assert jobs.cancel(queued.id).state == "cancelled"
    jobs.cancel(running.id)
    runner.release(1)
    assert jobs.wait(running.id, 10).state == "cancelled"
    with pytest.raises(IndexCancelled):
        jobs.result(running.id)
    assert runner.runs == 1


def test_a_failed_run_reports_its_reason_and_raises_it_to_waiters(tmp_path):
    runner = SteppedRunner(fail=IndexBusyError(tmp_path))
    jobs = JobManager(runner)
    job = jobs.submit()
    runner.release()
    with pytest.raises(IndexBusyError):
        jobs.result(job.id)
    assert job.state == "failed" and "Another indexer" in job.error


def test_a_job_cut_short_by_a_restart_is_reported_failed(runner, tmp_path):
    jobs = JobManager(runner, tmp_path / "jobs.json")
    done = jobs.submit()
    runner.release()
    jobs.wait(done.id, 10)
    lost = jobs.submit()
    assert runner.started.wait(5)
    after_restart = JobManager(SteppedRunner(), tmp_path / "jobs.json")
    assert after_restart.get(lost.id).state == "failed" and after_restart.get(lost.id).error == INTERRUPTED
    assert after_restart.get(done.id).state == "done"
    runner.release()
