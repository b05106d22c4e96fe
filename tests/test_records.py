"""Records: a chunk's sentence vectors survive its stored form."""
import numpy as np

from rag.records import Chunk, pack_vectors, unpack_vectors


def unit(rows, dim=384, seed=0):
    v = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    v[:, 0] *= 8  # one large component, as real embeddings have: the scale is per row
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_packed_vectors_come_back_within_int8_precision():
    vectors = unit(7)
    back = unpack_vectors(pack_vectors(vectors), 7)
    assert back.shape == (7, 384) and back.dtype == np.float32
    assert (back * vectors).sum(axis=1).min() > 0.9995


def test_a_chunk_round_trips_with_and_without_sentence_vectors():
    chunk = Chunk("c1", "a.txt", "A", None, 0, 11, "One. Two.", sentences=[(0, 4), (5, 9)])
    assert "sentence_vectors" not in chunk.to_dict()
    assert Chunk.from_dict(chunk.to_dict()).sentence_vectors is None
    chunk.sentence_vectors = unit(2, 64)
    again = Chunk.from_dict(chunk.to_dict())
    assert again == chunk and again.sentences == [(0, 4), (5, 9)]
    assert np.allclose(again.sentence_vectors, chunk.sentence_vectors, atol=0.01)
