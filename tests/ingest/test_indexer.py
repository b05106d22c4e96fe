"""Incremental indexing with a fake embedder: only changed documents are embedded."""
import json
import shutil

import pytest

import os

from rag.stores import versions
from rag.errors import IndexBusyError, RagError
from rag.ingest.indexer import Indexer
from rag.stores import local
from rag.stores.faiss import FaissStore

from tests.conftest import SEED_FILE, FakeEmbedder, live_chunks, live_vector_ids, live_view


@pytest.fixture
def setup(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED_FILE, seeds)
    emb = FakeEmbedder()
    return seeds, tmp_path / "index", emb, Indexer(emb, chunk_tokens=60, overlap_tokens=10)


def counts(summary):
    return summary.added, summary.updated, summary.removed, summary.unchanged


def test_first_build_then_nothing_to_do(setup):
    seeds, index, emb, indexer = setup
    first = indexer.run(seeds, index)
    assert counts(first) == (1, 0, 0, 0) and first.chunks_embedded == first.chunks_total > 1
    again = indexer.run(seeds, index)
    assert counts(again) == (0, 0, 0, 1) and again.chunks_embedded == 0
    assert again.version == first.version  # nothing changed: no new version written


def test_add_edit_delete_touch_only_that_document(setup):
    seeds, index, emb, indexer = setup
    base = indexer.run(seeds, index)
    (seeds / "tea.txt").write_text("Tea notes\nGreen tea is steamed. Black tea is oxidised.")
    added = indexer.run(seeds, index)
    assert counts(added) == (1, 0, 0, 1)
    assert added.chunks_embedded == 1 and added.chunks_total == base.chunks_total + 1

    (seeds / "tea.txt").write_text("Tea notes\nWhite tea is withered.")
    edited = indexer.run(seeds, index)
    assert counts(edited) == (0, 1, 0, 1) and edited.chunks_embedded == 1
    texts = " ".join(c.text for c in live_chunks(live_view(index)).values())
    assert "White tea" in texts and "Green tea" not in texts

    (seeds / "tea.txt").unlink()
    removed = indexer.run(seeds, index)
    assert counts(removed) == (0, 0, 1, 1) and removed.chunks_embedded == 0
    snap = live_view(index)
    assert removed.chunks_total == base.chunks_total == snap.count() == len(live_vector_ids(snap))
    assert {c.source for c in live_chunks(snap).values()} == {SEED_FILE.name}


def test_vectors_and_chunks_stay_paired(setup):
    seeds, index, emb, indexer = setup
    indexer.run(seeds, index)
    (seeds / "a.txt").write_text("Alpha. Beta.")
    indexer.run(seeds, index)
    snap = live_view(index)
    assert live_vector_ids(snap) == set(live_chunks(snap))


def test_settings_change_rebuilds_everything(setup):
    seeds, index, emb, indexer = setup
    first = indexer.run(seeds, index)
    other = Indexer(emb, chunk_tokens=40, overlap_tokens=10)
    rebuilt = other.run(seeds, index)
    assert counts(rebuilt) == (1, 0, 0, 0) and rebuilt.chunks_embedded == rebuilt.chunks_total
    assert rebuilt.chunks_total > first.chunks_total
    assert live_view(index).manifest["chunker"]["chunk_tokens"] == 40


def test_model_change_rebuilds(setup):
    seeds, index, emb, indexer = setup
    indexer.run(seeds, index)
    emb2 = FakeEmbedder()
    emb2.name = "another-model"
    assert Indexer(emb2, 60, 10).run(seeds, index).chunks_embedded > 0


def test_loader_change_rebuilds(setup, monkeypatch):
    from rag.ingest import readers

    seeds, index, emb, indexer = setup
    first = indexer.run(seeds, index)
    monkeypatch.setattr(readers, "VERSION", readers.VERSION + 1)
    rebuilt = indexer.run(seeds, index)
    assert counts(rebuilt) == (1, 0, 0, 0) and rebuilt.chunks_embedded == first.chunks_total


def test_unreadable_files_are_skipped_and_reported(setup):
    seeds, index, emb, indexer = setup
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "song.mp3").write_bytes(b"ID3")
    summary = indexer.run(seeds, index)
    assert {(s.path, s.reason) for s in summary.skipped} == {
        ("empty.txt", "empty file"), ("song.mp3", "unsupported file type '.mp3'")}
    assert summary.added == 1


def test_file_becoming_unreadable_loses_its_chunks(setup):
    seeds, index, emb, indexer = setup
    (seeds / "t.txt").write_text("Tea. More tea.")
    indexer.run(seeds, index)
    (seeds / "t.txt").write_bytes(b"")
    summary = indexer.run(seeds, index)
    assert summary.removed == 1 and summary.skipped[0].path == "t.txt"
    assert "t.txt" not in live_view(index).documents


def test_a_second_indexer_fails_fast(setup):
    seeds, index, emb, indexer = setup
    with versions.writer_lock(index):
        with pytest.raises(IndexBusyError, match="Another indexer"):
            indexer.run(seeds, index)


def test_missing_seeds_folder_is_a_clear_error(setup, tmp_path):
    _, index, _, indexer = setup
    with pytest.raises(RagError, match="Seeds folder not found"):
        indexer.run(tmp_path / "nope", index)


class Crash(BaseException):
    """Stands in for a kill: nothing in the writer may catch it."""


@pytest.mark.parametrize("stage", ["segment-files", "segment-rename", "version", "CURRENT"])
def test_crash_at_any_write_stage_leaves_previous_index_loadable(setup, monkeypatch, stage):
    seeds, index, emb, indexer = setup
    indexer.run(seeds, index)
    before = live_view(index)
    (seeds / "new.txt").write_text("A new document. It has two sentences.")

    real_write, real_rename, real_replace = versions._write, os.rename, os.replace

    def write(path, text):  # the version manifest, then CURRENT.next
        if stage == "version" and path.parent.name == "versions":
            path.write_text(text[: len(text) // 2])  # torn write
            raise Crash
        return real_write(path, text)

    def rename(a, b):  # a sealed segment moved into place
        if stage == "segment-rename":
            raise Crash
        return real_rename(a, b)

    def replace(a, b):
        if stage == "CURRENT":
            raise Crash
        return real_replace(a, b)

    monkeypatch.setattr(versions, "_write", write)
    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "replace", replace)
    if stage == "segment-files":
        monkeypatch.setattr(FaissStore, "save", lambda self, d: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        indexer.run(seeds, index)
    monkeypatch.undo()

    after = live_view(index)
    assert after.name == before.name and after.count() == before.count() and "new.txt" not in after.documents
    summary = indexer.run(seeds, index)
    assert summary.added == 1
    clean = Indexer(FakeEmbedder(), 60, 10).run(seeds, index, rebuild=True)
    assert summary.chunks_total == clean.chunks_total
    assert [p.name for p in versions.segments_dir(index).iterdir() if p.name.startswith(".")] == []


def test_a_crash_while_merging_keeps_the_committed_version(setup, monkeypatch):
    seeds, index, emb, indexer = setup
    monkeypatch.setattr(local, "MERGE_AT", 2)
    indexer.run(seeds, index)
    (seeds / "a.txt").write_text("Alpha is first.")
    real_merge = local.merge
    monkeypatch.setattr(local, "merge", lambda backend: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        indexer.run(seeds, index)  # committed, then killed while merging
    monkeypatch.setattr(local, "merge", real_merge)
    view = live_view(index)
    assert "a.txt" in view.documents and len(view.segments) == 2
    (seeds / "b.txt").write_text("Beta is second.")
    summary = indexer.run(seeds, index)
    view = live_view(index)
    assert summary.added == 1 and set(view.documents) == {SEED_FILE.name, "a.txt", "b.txt"}
    assert len(view.segments) < 3 and view.count() == summary.chunks_total


def test_write_failure_reports_and_keeps_previous(setup, monkeypatch):
    seeds, index, emb, indexer = setup
    indexer.run(seeds, index)
    before = versions.current_name(index)
    (seeds / "n.txt").write_text("New text.")

    def full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(versions, "_write", full)
    with pytest.raises(RagError, match="No space left on device.*previous index is unchanged"):
        indexer.run(seeds, index)
    monkeypatch.undo()
    assert versions.current_name(index) == before
    assert live_view(index).name == before


def test_old_versions_are_pruned(setup):
    seeds, index, emb, indexer = setup
    for i in range(4):
        (seeds / f"f{i}.txt").write_text(f"File {i}.")
        indexer.run(seeds, index)
    names = [p.stem for p in versions.versions_dir(index).iterdir()]
    assert len(names) == versions.KEEP_VERSIONS and versions.current_name(index) in names
    named = {s["name"] for name in names
             for s in json.loads((versions.versions_dir(index) / f"{name}.json").read_text())["segments"]}
    assert {p.name for p in versions.segments_dir(index).iterdir()} == named
