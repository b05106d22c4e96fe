"""Stemmed BM25 and the key terms that measure a sentence's coverage of a question."""
from rag.lexical import BM25Index, key_terms


def test_key_terms_are_stemmed_content_words_without_question_filler():
    assert key_terms("What did Xi tell Biden about the peninsulas?") == ["xi", "biden", "peninsula"]
    assert key_terms("How many tonnes were harvested in 2023?") == ["tonn", "harvest", "2023"]


def test_bm25_ranks_by_stemmed_terms_and_skips_unknown_words():
    index = BM25Index(["The ferry sails hourly.", "Ferries sailed daily last year.", "Trains run at night."])
    positions, scores = index.search("ferry sailing", 3)
    assert sorted(positions.tolist()) == [0, 1] and all(scores > 0)
    assert index.search("zeppelin", 3)[0].tolist() == []
    assert index.search("the and of", 3)[0].tolist() == []


def test_an_empty_index_finds_nothing():
    assert BM25Index([]).search("ferry", 5)[0].tolist() == []


def test_a_one_word_query_finds_its_document():
    index = BM25Index(["Tea is steamed.", "A fixed gear bicycle has no freewheel."])
    assert index.search("freewheel", 5)[0].tolist() == [1]
