"""FAISS behind the small store interface: ids, deletes, save/load, and the switch to IVF."""
import numpy as np

from rag import vectorstore
from rag.vectorstore import FaissStore, build_ivf, ivf_lists


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


def test_fit_switches_to_ivf_by_size(monkeypatch):
    monkeypatch.setattr(vectorstore, "IVF_FROM", 500)
    store = FaissStore(16)
    store.add(np.arange(400), unit(400))
    assert store.fit().kind == "flat"
    store.add(np.arange(400, 600), unit(200, seed=2))
    fitted = store.fit()
    assert fitted.kind == "ivf" and sorted(fitted.ids().tolist()) == list(range(600))


def test_ivf_lists_grow_with_sqrt_n():
    assert ivf_lists(100_000) == 1024 and ivf_lists(1_000_000) == 4096 and ivf_lists(10) == 64
