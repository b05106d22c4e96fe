"""The local store's segments: an update writes only what changed, and merges keep their number
small without changing what any question finds."""
import json

import pytest

from rag.stores import versions
from rag.config import Store
from rag.ingest.indexer import Indexer
from rag.stores import local, open_store

from tests.conftest import FakeEmbedder, live_chunks


@pytest.fixture
def env(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "base.txt").write_text("Base notes\n" + " ".join(f"Fact {i} is stated here." for i in range(40)))
    store = open_store(Store(), tmp_path / "index")
    return seeds, store, Indexer(FakeEmbedder(), 60, 10)


NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]


def test_adding_a_document_writes_one_small_segment_and_touches_no_other_file(env, tmp_path):
    seeds, store, indexer = env
    indexer.run(seeds, store)
    before = {p: p.stat().st_mtime_ns for p in versions.segments_dir(tmp_path / "index").rglob("*")}
    (seeds / "tea.txt").write_text("Tea notes\nGreen tea is steamed.")
    indexer.run(seeds, store)
    after = {p: p.stat().st_mtime_ns for p in versions.segments_dir(tmp_path / "index").rglob("*")}
    assert all(after[p] == t for p, t in before.items())  # nothing rewritten
    (new,) = {p.parent for p in set(after) - set(before) if p.is_file()}
    assert json.loads((new / "meta.json").read_text())["documents"] == ["tea.txt"]


def test_merges_bound_the_segments_and_keep_every_answer(env, monkeypatch):
    seeds, store, indexer = env
    indexer.run(seeds, store)
    for i, name in enumerate(NAMES):
        (seeds / f"note{i}.txt").write_text(f"Note {i}\nThe ferry {name} sails at dawn.")
        indexer.run(seeds, store)
    view = store.latest()
    assert len(view.segments) <= 1 + local.MERGE_AT  # not one per run
    assert set(view.documents) == {"base.txt"} | {f"note{i}.txt" for i in range(9)}
    assert view.count() == len(live_chunks(view))
    found = [src for _, src in view.lexical_chunks("ferry hotel", 3)]
    assert found[0] == "note7.txt"


def test_a_mostly_removed_segment_is_rewritten_without_its_dead_chunks(env):
    seeds, store, indexer = env
    for i in range(5):
        (seeds / f"n{i}.txt").write_text(f"N {i}\nItem {i} is here.")
    indexer.run(seeds, store)  # one segment: base and five notes
    for i in range(4):
        (seeds / f"n{i}.txt").unlink()
    (seeds / "base.txt").unlink()
    indexer.run(seeds, store)
    view = store.latest()
    assert set(view.documents) == {"n4.txt"}
    assert [seg.size for seg in view.segments] == [1] and view.dead_sources == [set()]


def test_a_large_segment_searches_its_inverted_file_and_honours_deletions(env, monkeypatch):
    from rag.stores import faiss as faiss_index

    monkeypatch.setattr(faiss_index, "ANN_FROM", 20)  # (a segment of 1M chunks, in miniature)
    seeds, store, indexer = env
    for i, name in enumerate(NAMES * 4):
        (seeds / f"log{i}.txt").write_text(f"Log {i}\nThe ferry {name} {i} carried {i * 7} crates of tea.")
    indexer.run(seeds, store)
    (big,) = [seg for seg in store.latest().segments if seg.vectors.kind == "ivf"]
    (seeds / "log5.txt").unlink()
    indexer.run(seeds, store)
    view = store.latest()
    assert big.name in [seg.name for seg in view.segments]  # the deletion marked, not rewritten
    emb = FakeEmbedder()
    asked = emb.embed_batch(["The ferry foxtrot 5 carried 35 crates of tea."])[0]
    found = [src for _, src in view.dense(asked, 5)]
    assert "log5.txt" not in found and len(found) == 5
    own = emb.embed_batch(["The ferry echo 31 carried 217 crates of tea."])[0]
    assert view.dense(own, 1)[0][1] == "log31.txt"
