"""One contract, every backend: the same assertions on the local store (FAISS + bm25s) and on
Milvus (milvus-lite in-process). The embedder is the fake one; the stores are real."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from rag.config import Store
from rag.ingest.indexer import Indexer
from rag.stores import BACKENDS as STORE_BACKENDS, open_store

from tests.conftest import FakeEmbedder

DOCS = {
    "tea.txt": "Tea notes\nGreen tea is steamed after picking. Black tea is oxidised for hours.",
    "bikes.txt": "Bike notes\nA freewheel lets the rear wheel spin while the pedals stay still.",
    "harbour.txt": "Harbour report\nThe harbour authority said dredging starts in May. "
                   "Its director, Ana Ruiz, said the budget is 4 million euros.",
}
# every registered backend; those beyond the embedded default start engines of their own, so run as slow
BACKENDS = [pytest.param(name, marks=[] if name == "local" else [pytest.mark.slow]) for name in STORE_BACKENDS]


@pytest.fixture(params=BACKENDS)
def env(request, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in DOCS.items():
        (seeds / name).write_text(text, encoding="utf-8")
    settings = Store(backend=request.param)
    store = open_store(settings, tmp_path / "index")
    indexer = Indexer(FakeEmbedder(), 60, 10, settings)
    yield seeds, store, indexer
    getattr(store, "close", lambda: None)()


def sources(found):
    return [src for _, src in found]


def test_add_then_search_by_id_and_rank(env):
    seeds, store, indexer = env
    summary = indexer.run(seeds, store)
    view = store.latest()
    assert summary.added == 3 and view.count() == summary.chunks_total == sum(d["chunks"] for d in view.documents.values())
    assert sorted(view.documents) == sorted(DOCS) and view.documents["tea.txt"]["title"] == "Tea notes"
    chunk = view.document_chunks("bikes.txt")[0]
    vector = indexer.embedder.embed_batch([chunk.text])[0]
    assert view.dense(vector, 3)[0] == (chunk.vector_id, "bikes.txt")
    assert sources(view.lexical_chunks("freewheel pedals", 5)) == ["bikes.txt"]
    assert view.lexical_documents("oxidised green tea", 5) == ["tea.txt"]
    assert view.lexical_chunks("zeppelin", 5) == [] and view.lexical_documents("the of", 5) == []
    assert view.get([chunk.vector_id, 12345])[chunk.vector_id] == chunk
    assert view.documents["bikes.txt"]["first"] == chunk.vector_id


def test_a_restricted_view_sees_only_its_documents_in_every_read(env):
    seeds, store, indexer = env
    indexer.run(seeds, store)
    view = store.latest()
    only = view.restricted(["tea.txt", "harbour.txt"])
    bike = view.document_chunks("bikes.txt")[0]
    vector = indexer.embedder.embed_batch([bike.text])[0]
    assert set(only.documents) == {"tea.txt", "harbour.txt"} and set(view.documents) == set(DOCS)
    assert only.count() == view.count() - view.documents["bikes.txt"]["chunks"]
    assert set(sources(only.dense(vector, 10))) == {"tea.txt", "harbour.txt"}  # k filled from what is allowed
    assert len(only.dense(vector, 10)) == only.count()
    assert only.lexical_chunks("freewheel pedals", 5) == [] and only.lexical_documents("freewheel", 5) == []
    assert sources(only.lexical_chunks("dredging", 5)) == ["harbour.txt"]
    assert only.document_chunks("bikes.txt") == [] and len(only.document_chunks("tea.txt")) == 1
    assert sources(view.dense(vector, 1)) == ["bikes.txt"]  # the view it came from is unchanged
    assert view.restricted([]).dense(vector, 5) == [] and view.restricted([]).documents == {}


def test_each_chunk_keeps_its_sentences_vectors(env):
    seeds, store, indexer = env
    indexer.run(seeds, store)
    for chunk in store.latest().document_chunks("harbour.txt"):
        texts = [chunk.sentence_text(a, b) for a, b in chunk.sentences]
        expected = indexer.embedder.embed_batch(texts)
        assert chunk.sentence_vectors.shape == expected.shape
        assert (chunk.sentence_vectors * expected).sum(axis=1).min() > 0.999


def test_update_replaces_the_document_everywhere(env):
    seeds, store, indexer = env
    indexer.run(seeds, store)
    (seeds / "tea.txt").write_text("Tea notes\nWhite tea is withered in the sun.", encoding="utf-8")
    summary = indexer.run(seeds, store)
    view = store.latest()
    assert (summary.updated, summary.unchanged, summary.chunks_embedded) == (1, 2, 1)
    assert sources(view.lexical_chunks("withered", 5)) == ["tea.txt"]
    assert view.lexical_chunks("oxidised", 5) == [] and view.lexical_documents("oxidised", 5) == []
    texts = [c.text for c in view.document_chunks("tea.txt")]
    assert texts == ["Tea notes\nWhite tea is withered in the sun."]
    assert view.count() == summary.chunks_total


def test_delete_removes_the_document_and_only_it(env):
    seeds, store, indexer = env
    before = indexer.run(seeds, store)
    (seeds / "bikes.txt").unlink()
    summary = indexer.run(seeds, store)
    view = store.latest()
    assert summary.removed == 1 and sorted(view.documents) == ["harbour.txt", "tea.txt"]
    assert view.lexical_chunks("freewheel", 5) == [] and view.document_chunks("bikes.txt") == []
    vector = indexer.embedder.embed_batch(["freewheel rear wheel pedals"])[0]
    assert "bikes.txt" not in sources(view.dense(vector, 10))
    assert view.count() == summary.chunks_total == before.chunks_total - 1


def test_incremental_sync_embeds_only_what_changed(env):
    seeds, store, indexer = env
    first = indexer.run(seeds, store)
    again = indexer.run(seeds, store)
    assert again.chunks_embedded == 0 and again.version == first.version == store.live_name()
    (seeds / "rope.txt").write_text("Rope notes\nA bowline makes a fixed loop.", encoding="utf-8")
    added = indexer.run(seeds, store)
    assert (added.added, added.unchanged, added.chunks_embedded) == (1, 3, 1) and added.version != first.version


def test_a_view_keeps_answering_from_its_version_while_a_new_one_is_written(env):
    seeds, store, indexer = env
    indexer.run(seeds, store)
    old = store.latest()
    txn = store.begin(old)
    txn.remove(["bikes.txt"])
    chunk = indexer.chunker.split(_doc("kites.txt", "Kite notes\nA kite flies on the wind."))[0]
    txn.add([chunk], indexer.embedder.embed_batch([chunk.text]))
    assert sources(store.latest().lexical_chunks("freewheel", 5)) == ["bikes.txt"]  # not committed yet
    assert store.latest().lexical_chunks("kite", 5) == []
    txn.commit({"dim": 64}, {})
    new = store.latest()
    assert new.lexical_chunks("freewheel", 5) == [] and sources(new.lexical_chunks("kite", 5)) == ["kites.txt"]
    assert sources(old.lexical_chunks("freewheel", 5)) == ["bikes.txt"] and old.lexical_chunks("kite", 5) == []
    assert old.count() == new.count()  # one chunk out, one in


def test_a_rebuild_is_invisible_until_it_commits(env):
    seeds, store, indexer = env
    indexer.run(seeds, store)
    live = store.latest()
    txn = store.begin(None)
    assert store.latest().count() == live.count() and sorted(store.latest().documents) == sorted(DOCS)
    txn.commit({"dim": 64}, {})
    assert store.latest().count() == 0 and store.latest().documents == {}


KILLED_RUN = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from rag.config import Store
    from rag.ingest.indexer import Indexer
    from rag.stores import open_store
    from tests.conftest import FakeEmbedder

    store = open_store(Store(backend=sys.argv[1]), Path(sys.argv[2]))
    class Killer:  # the transaction dies by kill -9 after its first slice of vectors
        def __init__(self, txn): self.txn = txn
        def remove(self, sources): self.txn.remove(sources)
        def add(self, chunks, vectors):
            self.txn.add(chunks, vectors)
            os.kill(os.getpid(), signal.SIGKILL)
    begin = store.begin
    store.begin = lambda base: Killer(begin(base))
    Indexer(FakeEmbedder(), 60, 10, Store(backend=sys.argv[1])).run(Path(sys.argv[3]), store)
""")


def test_kill_9_mid_run_leaves_the_old_version_and_a_rerun_duplicates_nothing(env, tmp_path):
    seeds, store, indexer = env
    first = indexer.run(seeds, store)
    (seeds / "tea.txt").write_text("Tea notes\nWhite tea is withered.", encoding="utf-8")
    for n in range(40):
        (seeds / f"extra{n}.txt").write_text(f"Extra {n}\nNote number {n} about sailing.", encoding="utf-8")
    getattr(store, "close", lambda: None)()  # milvus-lite: one process per data file
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    run = subprocess.run([sys.executable, "-c", KILLED_RUN, indexer.store_settings.backend, str(store.index_dir), str(seeds)],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]
    view = store.latest()
    assert view.name == first.version and view.count() == first.chunks_total
    assert sources(view.lexical_chunks("oxidised", 5)) == ["tea.txt"] and view.lexical_chunks("sailing", 5) == []
    (seeds / "tea.txt").write_text(DOCS["tea.txt"], encoding="utf-8")  # the killed run's removal must be undone
    rerun = indexer.run(seeds, store)
    view = store.latest()
    assert rerun.added == 40 and rerun.updated == 0 and view.count() == rerun.chunks_total == first.chunks_total + 40
    assert sources(view.lexical_chunks("oxidised", 5)) == ["tea.txt"] and view.lexical_documents("oxidised", 5) == ["tea.txt"]
    found = view.lexical_chunks("sailing", 100)
    assert len(found) == len(set(found)) == 40
    vector = indexer.embedder.embed_batch(["White tea is withered."])[0]
    assert len({vid for vid, _ in view.dense(vector, 100)}) == view.count()


def _doc(name, text):
    from rag.ingest.readers import parse_document

    return parse_document(name, text.encode())
