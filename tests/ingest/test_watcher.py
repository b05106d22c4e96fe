import time

from rag.ingest.watcher import SeedsWatcher, signature


def test_signature_changes_when_files_change(seeds_copy):
    before = signature(seeds_copy)
    (seeds_copy / "new.txt").write_text("New.")
    assert signature(seeds_copy) != before


def test_dropped_in_file_is_indexed_while_serving(fake_service, seeds_copy):
    fake_service.index.run()
    watcher = SeedsWatcher(fake_service, interval=0.05)
    watcher.start()
    try:
        (seeds_copy / "dropped.txt").write_text("Dropped in\nA file dropped into the folder.")
        deadline = time.monotonic() + 20
        while "dropped.txt" not in fake_service.index.snapshot().documents and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "dropped.txt" in fake_service.index.snapshot().documents
        (seeds_copy / "dropped.txt").unlink()
        while "dropped.txt" in fake_service.index.snapshot().documents and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "dropped.txt" not in fake_service.index.snapshot().documents
    finally:
        watcher.stop()
