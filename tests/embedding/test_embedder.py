"""The embedding seam's conveniences, with the fake embedder."""
import numpy as np

from rag.ingest.chunker import Chunker
from rag.embedding import MAX_KEPT_SENTENCES, embed_chunks
from rag.ingest.readers import parse_document

from tests.conftest import FakeEmbedder


def chunks_of(text, chunk_tokens=40):
    emb = FakeEmbedder(max_tokens=4096)
    return emb, Chunker(emb.token_spans, chunk_tokens, 8).split(parse_document("a.txt", text.encode()))


def test_each_sentence_is_embedded_once_even_where_chunks_overlap():
    emb, chunks = chunks_of(" ".join(f"Sentence number {i} is here." for i in range(30)))
    vectors = embed_chunks(emb, chunks)
    spans = {(a, b) for c in chunks for a, b in c.sentences}
    assert len(chunks) > 1 and len(spans) < sum(len(c.sentences) for c in chunks)  # they overlap
    assert emb.calls == [len(spans)]  # one pass: the chunks' vectors come from their sentences'
    assert vectors.shape == (len(chunks), emb.dim)
    for chunk, vector in zip(chunks, vectors):
        expected = emb.embed_batch([chunk.sentence_text(a, b) for a, b in chunk.sentences])
        assert np.allclose(chunk.sentence_vectors, expected)
        weights = np.sqrt(np.array([b - a for a, b in chunk.sentences], np.float32))
        mean = weights @ expected
        assert np.allclose(vector, mean / np.linalg.norm(mean), atol=1e-6)


def test_whole_chunks_take_a_pass_of_their_own():
    emb, chunks = chunks_of(" ".join(f"Sentence number {i} is here." for i in range(30)))
    vectors = embed_chunks(emb, chunks, whole=True)
    spans = {(a, b) for c in chunks for a, b in c.sentences}
    assert emb.calls == [len(spans), len(chunks)]
    assert np.allclose(vectors, emb.embed_batch([c.text for c in chunks]))
    assert all(c.sentence_vectors is not None for c in chunks)


def test_a_chunk_of_too_many_sentences_keeps_none_and_off_means_none():
    emb, (chunk,) = chunks_of(" ".join(f"N{i}." for i in range(MAX_KEPT_SENTENCES + 1)), chunk_tokens=4000)
    assert len(chunk.sentences) > MAX_KEPT_SENTENCES
    embed_chunks(emb, [chunk])
    assert chunk.sentence_vectors is None  # its record must fit Milvus's 64 KB JSON field
    emb, chunks = chunks_of("One short sentence. And another one.")
    embed_chunks(emb, chunks, sentences=False)
    assert emb.calls == [len(chunks)] and all(c.sentence_vectors is None for c in chunks)
