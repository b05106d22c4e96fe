"""Stemmed BM25 over segments, scored as one index would."""
import numpy as np

from rag.stores.bm25 import Postings, bm25

TEXTS = ["The ferry sails hourly.", "Ferries sailed daily last year.", "Trains run at night.",
         "A fixed gear bicycle has no freewheel.", "The night ferry carries bicycles."]


def positions(query, segments, dead=None, k=5):
    return [(s, p) for s, p, _ in bm25(query, segments, dead or [None] * len(segments), k)]


def test_bm25_ranks_by_stemmed_terms_and_skips_unknown_words():
    index = Postings.build(TEXTS[:3])
    assert sorted(positions("ferry sailing", [index])) == [(0, 0), (0, 1)]
    assert positions("zeppelin", [index]) == []
    assert positions("the and of", [index]) == []


def test_an_empty_index_finds_nothing():
    assert positions("ferry", [Postings.build([])]) == []


def test_segments_scored_together_rank_as_one_index_would():
    whole = bm25("night ferry bicycle", [Postings.build(TEXTS)], [None], 5)
    split = bm25("night ferry bicycle", [Postings.build(TEXTS[:2]), Postings.build(TEXTS[2:])], [None, None], 5)
    assert [p for _, p, _ in whole] == [(2 if s else 0) + p for s, p, _ in split]
    assert np.allclose([x for _, _, x in whole], [x for _, _, x in split])


def test_dead_texts_are_never_returned():
    index = Postings.build(TEXTS)
    dead = np.array([False, False, False, False, True])
    assert (0, 4) in positions("night ferry", [index]) and (0, 4) not in positions("night ferry", [index], [dead])


def test_saved_postings_load_memory_mapped_and_rank_the_same(tmp_path):
    index = Postings.build(TEXTS)
    index.save(tmp_path, "chunks")
    loaded = Postings.load(tmp_path, "chunks")
    assert isinstance(loaded.indices, np.memmap)
    assert positions("ferry bicycle", [loaded]) == positions("ferry bicycle", [index])


def test_pruned_scoring_finds_the_same_top_k_as_scoring_everything(monkeypatch):
    from rag.stores import bm25 as lexical

    def exhaustive(query, index, dead, k):  # every text scored with every query word
        with monkeypatch.context() as patch:
            patch.setattr(lexical, "PRUNE_FROM", 10**9)
            return bm25(query, [index], [dead], k)

    rng = np.random.default_rng(7)
    common, rare = ["ferry", "harbour", "night"], [f"pier{i}" for i in range(40)]
    texts = [" ".join(rng.choice(common, 3).tolist() + rng.choice(rare, 2).tolist()) for _ in range(3000)]
    index, dead = Postings.build(texts), rng.random(3000) < 0.1
    for query in ("pier3 ferry night", "pier7 pier8 harbour ferry", "pier1 pier1 night"):
        for mask in (None, dead):
            got, want = bm25(query, [index], [mask], 10), exhaustive(query, index, mask, 10)
            assert sorted(round(s, 5) for _, _, s in got) == sorted(round(s, 5) for _, _, s in want)
            assert mask is None or not any(mask[p] for _, p, _ in got)


