"""FAISS behind the small store interface: ids, excluded ids, save/load, and the switch to HNSW."""
import numpy as np

from rag import vectorstore
import pytest

from rag.vectorstore import FaissStore, build_hnsw


def unit(n, dim=16, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_add_search_save_load(tmp_path):
    store = FaissStore(16)
    vectors = unit(50)
    ids = np.arange(1000, 1050)
    store.add(ids, vectors)
    _, found = store.search(vectors[:1], 1)
    assert found[0][0] == 1000
    store.save(tmp_path)
    loaded = FaissStore.load(tmp_path)
    assert loaded.vectors()[0].tolist() == ids.tolist() and np.allclose(loaded.vectors()[1], vectors)


def test_build_switches_to_hnsw_by_size(monkeypatch, tmp_path):
    monkeypatch.setattr(vectorstore, "HNSW_FROM", 500)
    assert FaissStore.build(16, np.arange(400), unit(400)).kind == "flat"
    vectors = np.vstack([unit(400), unit(200, seed=2)])
    FaissStore.build(16, np.arange(600), vectors).save(tmp_path)
    loaded = FaissStore.load(tmp_path)
    assert loaded.kind == "hnsw" and loaded.vectors()[0].tolist() == list(range(600))
    assert np.allclose(loaded.vectors()[1], vectors)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_search_leaves_out_the_excluded_ids(kind):
    vectors, ids = unit(2000, seed=3), np.arange(2000) * 3 + 5
    store = build_hnsw(16, ids, vectors) if kind == "hnsw" else FaissStore.build(16, ids, vectors)
    assert store.kind == kind
    _, found = store.search(vectors[:5], 3)
    assert found[:, 0].tolist() == ids[:5].tolist()
    _, found = store.search(vectors[:5], 3, exclude=store.excluding(ids[:5]))
    assert not set(found.ravel().tolist()) & set(ids[:5].tolist()) and (found >= 0).all()


def test_a_search_from_any_thread_runs_faiss_on_one_openmp_thread():
    import threading

    import faiss

    store = FaissStore.build(8, np.arange(20), np.eye(20, 8, dtype=np.float32))
    seen = []

    def ask():
        faiss.omp_set_num_threads(2)  # (a fresh thread's default on a multi-core machine)
        store.search(np.eye(1, 8, dtype=np.float32), 3)
        seen.append(faiss.omp_get_max_threads())

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()
    assert seen == [1]
