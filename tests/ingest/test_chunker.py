from rag.ingest.chunker import Chunker
from rag.language.sentences import split_sentences
from rag.records import Document

from tests.conftest import FakeEmbedder


def _doc(text):
    return Document(source="d.txt", text=text, title="t")


def test_chunks_respect_the_token_budget_and_cover_every_sentence():
    emb = FakeEmbedder()
    text = " ".join(f"Sentence number {i} talks about topic {i % 7}." for i in range(60))
    chunker = Chunker(emb.token_spans, chunk_tokens=30, overlap_tokens=8)
    chunks = chunker.split(_doc(text))
    assert len(chunks) > 5
    covered = set()
    for chunk in chunks:
        assert len(emb.token_spans(chunk.text)) <= 30
        assert text[chunk.start : chunk.end] == chunk.text
        for start, end in chunk.sentences:
            assert chunk.start <= start < end <= chunk.end
            covered.add((start, end))
    assert covered == set(split_sentences(text))


def test_overlap_repeats_trailing_sentences():
    emb = FakeEmbedder()
    text = " ".join(f"Short one {i}." for i in range(20))
    chunks = Chunker(emb.token_spans, chunk_tokens=16, overlap_tokens=5).split(_doc(text))
    assert chunks[1].sentences[0] == chunks[0].sentences[-1]


def test_overlong_sentence_is_cut_at_token_edges_not_dropped():
    emb = FakeEmbedder()
    text = " ".join(f"w{i}" for i in range(100)) + "."
    chunks = Chunker(emb.token_spans, chunk_tokens=20, overlap_tokens=0).split(_doc(text))
    assert all(len(emb.token_spans(c.text)) <= 20 for c in chunks)
    assert "w0" in chunks[0].text and any("w99" in c.text for c in chunks)
    assert sum(len(emb.token_spans(c.text)) for c in chunks) == len(emb.token_spans(text))


def test_chunk_ids_are_content_hashes():
    emb = FakeEmbedder()
    chunker = Chunker(emb.token_spans, 30, 0)
    a = chunker.split(_doc("One. Two. Three."))
    b = chunker.split(_doc("One. Two. Three."))
    c = chunker.split(_doc("One. Two. Four."))
    assert [x.id for x in a] == [x.id for x in b] != [x.id for x in c]
