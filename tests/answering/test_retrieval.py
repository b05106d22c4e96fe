"""Fusion and ranking on a hand-built index whose right answers are known."""
import pytest

from rag.ingest.readers import parse_document
from rag.answering.retrieval import RERANKERS, rrf
from rag.service import build_service

from tests.conftest import FakeEmbedder, make_settings


def test_rrf_adds_weight_over_k_plus_rank():
    scores = rrf([(["a", "b", "c"], 1.0), (["c", "a"], 2.0)], k=10)
    assert scores["a"] == pytest.approx(1 / 11 + 2 / 12)
    assert scores["b"] == pytest.approx(1 / 12)
    assert scores["c"] == pytest.approx(1 / 13 + 2 / 11)
    assert max(scores, key=scores.get) == "c"


def test_a_zero_weight_ranking_changes_nothing():
    assert rrf([(["a", "b"], 1.0), (["b", "a"], 0.0)], k=10) == rrf([(["a", "b"], 1.0)], k=10)


DOCS = {
    "tea.txt": "Tea notes\nGreen tea is steamed soon after picking. Black tea is fully oxidised before drying.",
    "coffee.txt": "Coffee notes\nArabica coffee grows at altitude. Robusta coffee has more caffeine than arabica.",
    "bikes.txt": "Bicycle notes\nA fixed gear bicycle has no freewheel. Disc brakes stop well in the rain.",
}


@pytest.fixture
def service(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in DOCS.items():
        (seeds / name).write_text(text)
    svc = build_service(make_settings(seeds, tmp_path / "index", retrieval__top_k=3), FakeEmbedder())
    svc.index.run()
    return svc


@pytest.mark.parametrize("question, source", [
    ("Which coffee has more caffeine?", "coffee.txt"),
    ("Is black tea oxidised?", "tea.txt"),
    ("What stops well in the rain?", "bikes.txt"),
])
def test_the_document_that_answers_ranks_first(service, question, source):
    hits = service.answers.search(question)
    assert hits[0].chunk.source == source


def test_hits_keep_their_fused_scores_best_first(service):
    hits = service.answers.search("Which coffee has more caffeine than arabica?")
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] > 0
    assert scores[0] != 1.0  # a fused score, not 1 / (rank + 1)
    snapshot = service.index.snapshot()
    expected = dict(service.answers.retriever.scored(snapshot, "Which coffee has more caffeine than arabica?"))
    assert [round(h.score, 9) for h in hits] == [round(expected[h.chunk.vector_id], 9) for h in hits]


class Reverse:
    seen: list = []

    def __init__(self, embedder):
        pass

    def rerank(self, query, hits):
        self.seen.append([h.chunk.source for h in hits])
        return list(reversed(hits))


def test_the_rerank_stage_sees_the_fused_hits_and_its_order_stands(service, monkeypatch):
    monkeypatch.setitem(RERANKERS, "reverse", f"{__name__}:Reverse")
    reranked = service.reconfigured(retrieval__rerank="reverse")
    hits = reranked.answers.search("Which coffee has more caffeine?")
    seen = Reverse.seen
    assert [h.chunk.source for h in hits] == list(reversed(seen[0])) and seen[0][0] == "coffee.txt"


def test_whole_document_bm25_finds_a_document_dense_search_misses(service):
    docs = service.index.snapshot().lexical_documents("freewheel", 10)
    assert docs == ["bikes.txt"]


def test_labels_are_not_statements():
    doc = parse_document("tea.txt", DOCS["tea.txt"].encode())
    assert [doc.text[a:b] for a, b in doc.headings] == ["Tea notes"]
