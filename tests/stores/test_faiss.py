"""FAISS behind the small store interface: ids, excluded ids, save/load, and the switch to an
inverted file over product codes, re-ranked on the exact vectors."""
import numpy as np

from rag.stores import faiss as faiss_index
import pytest

from rag.stores.faiss import FaissStore


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


def test_build_switches_to_an_inverted_file_by_size(monkeypatch, tmp_path):
    monkeypatch.setattr(faiss_index, "ANN_FROM", 500)
    assert FaissStore.build(16, np.arange(400), unit(400)).kind == "flat"
    vectors = np.vstack([unit(400), unit(200, seed=2)])
    FaissStore.build(16, np.arange(600), vectors).save(tmp_path)
    loaded = FaissStore.load(tmp_path)
    assert loaded.kind == "ivf" and loaded.vectors()[0].tolist() == list(range(600))
    assert np.allclose(loaded.vectors()[1], vectors)  # merging reads back the exact vectors, not codes
    _, found = loaded.search(vectors[:3], 1)
    assert found[:, 0].tolist() == [0, 1, 2]


def test_the_inverted_file_ranks_on_exact_vectors(monkeypatch):
    monkeypatch.setattr(faiss_index, "ANN_FROM", 500)
    topics = unit(200, dim=32, seed=4)  # (texts gather around topics; uniform noise would be the worst case)
    vectors = topics[np.arange(20_000) % 200] + 0.3 * unit(20_000, dim=32, seed=5)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:50] + 0.1 * unit(50, dim=32, seed=6)
    store = FaissStore.build(32, np.arange(20_000) + 7, vectors)
    store.nprobe = store.coarse.nlist // 8  # (a search of some lists, as at 1M)
    scores, found = store.search(queries, 10)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10] + 7
    recall = np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found.tolist(), exact.tolist())])
    assert store.kind == "ivf" and recall >= 0.9
    assert np.allclose(scores[:, 0], np.sum(queries * vectors[found[:, 0] - 7], axis=1), atol=1e-5)  # exact scores
    assert (np.diff(scores, axis=1) <= 1e-6).all()


def test_an_hnsw_segment_from_an_earlier_version_still_loads_and_searches(tmp_path):
    import faiss

    vectors, ids = unit(300, seed=6), np.arange(300) + 11
    graph = faiss.IndexIDMap2(faiss.IndexHNSWFlat(16, 8, faiss.METRIC_INNER_PRODUCT))
    graph.add_with_ids(vectors, ids)
    faiss.write_index(graph, str(tmp_path / FaissStore.FILENAME))
    loaded = FaissStore.load(tmp_path)
    assert loaded.kind == "hnsw" and loaded.search(vectors[:2], 1)[1][:, 0].tolist() == [11, 12]
    _, found = loaded.search(vectors[:2], 1, exclude=loaded.excluding(ids[:2]))
    assert not {11, 12} & set(found.ravel().tolist())


@pytest.mark.parametrize("kind", ["flat", "ivf"])
def test_search_leaves_out_the_excluded_ids(kind, monkeypatch):
    monkeypatch.setattr(faiss_index, "ANN_FROM", 1000 if kind == "ivf" else 10**9)
    vectors, ids = unit(2000, seed=3), np.arange(2000) * 3 + 5
    store = FaissStore.build(16, ids, vectors)
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
