"""FAISS behind the small store interface: ids, deletion marks, save/load, and the switch to HNSW."""
import numpy as np

from rag import vectorstore
import pytest

from rag.vectorstore import FaissStore, build_hnsw, build_ivf, ivf_lists


def unit(n, dim=16, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_add_search_delete_without_rebuild(tmp_path):
    store = FaissStore(16)
    vectors = unit(50)
    ids = np.arange(1000, 1050)
    store.add(ids, vectors)
    _, found = store.search(vectors[:1], 1)
    assert found[0][0] == 1000
    assert store.delete(np.array([1000])) == 1
    _, found = store.search(vectors[:1], 1)
    assert found[0][0] != 1000 and len(store) == 49
    store.save(tmp_path)
    loaded = FaissStore.load(tmp_path)
    assert sorted(loaded.ids().tolist()) == list(range(1001, 1050))


def test_ivf_keeps_ids_supports_deletes_and_finds_neighbours(tmp_path):
    vectors = unit(3000, seed=1)
    ids = np.arange(3000) * 7 + 11
    store = build_ivf(16, ids, vectors, nprobe=64)
    assert store.kind == "ivf" and len(store) == 3000
    _, found = store.search(vectors[:20], 1)
    assert (found[:, 0] == ids[:20]).mean() >= 0.95
    store.delete(ids[:10])
    store.save(tmp_path)
    loaded = FaissStore.load(tmp_path)
    assert loaded.kind == "ivf" and len(loaded) == 2990
    assert set(loaded.ids().tolist()) == set(ids[10:].tolist())


def test_fit_switches_to_hnsw_by_size(monkeypatch, tmp_path):
    monkeypatch.setattr(vectorstore, "HNSW_FROM", 500)
    store = FaissStore(16)
    store.add(np.arange(400), unit(400))
    assert store.fit().kind == "flat"
    store.add(np.arange(400, 600), unit(200, seed=2))
    fitted = store.fit()
    fitted.save(tmp_path)
    loaded = FaissStore.load(tmp_path)
    assert loaded.kind == "hnsw" and loaded.vectors()[0].tolist() == list(range(600))
    assert np.allclose(loaded.vectors()[1], np.vstack([unit(400), unit(200, seed=2)]))


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_search_leaves_out_the_excluded_ids(kind):
    vectors, ids = unit(2000, seed=3), np.arange(2000) * 3 + 5
    if kind == "flat":
        store = FaissStore(16)
        store.add(ids, vectors)
    else:
        store = build_hnsw(16, ids, vectors) if kind == "hnsw" else build_ivf(16, ids, vectors, nprobe=64)
    assert store.kind == kind
    _, found = store.search(vectors[:5], 3)
    assert found[:, 0].tolist() == ids[:5].tolist()
    _, found = store.search(vectors[:5], 3, exclude=ids[:5])
    assert not set(found.ravel().tolist()) & set(ids[:5].tolist()) and (found >= 0).all()


def test_ivf_lists_grow_with_sqrt_n():
    assert ivf_lists(100_000) == 1024 and ivf_lists(1_000_000) == 4096 and ivf_lists(10) == 64
