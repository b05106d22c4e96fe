"""Upload names made safe, and the vector cache the answerer and checker share."""
import numpy as np
import pytest

from rag.ingest.files import safe_name
from rag.embedding import VectorCache
from rag.errors import UserInputError

from tests.conftest import FakeEmbedder


@pytest.mark.parametrize("given, saved", [
    ("report.PDF", "report.pdf"), ("../../etc/evil.txt", "evil.txt"), ("C:\\\\temp\\\\notes.md", "notes.md"),
    ("a\x00b.txt", "ab.txt"), (".hidden.txt", "hidden.txt"), ("my report (v2).docx", "my report (v2).docx"),
    ("naïve café.txt", "naïve café.txt"), ("semi;colon$.txt", "semi_colon_.txt"),
])
def test_safe_names(given, saved):
    assert safe_name(given) == saved


@pytest.mark.parametrize("given", ["", "noext", "song.mp3", ".txt", None])
def test_unusable_names_are_refused(given):
    with pytest.raises(UserInputError):
        safe_name(given)


def test_long_names_are_cut_keeping_the_suffix():
    name = safe_name("n" * 300 + ".txt")
    assert len(name) == 120 and name.endswith(".txt")


def test_vector_cache_embeds_each_text_once_and_evicts_the_oldest():
    embedder = FakeEmbedder()
    cache = VectorCache(embedder, max_items=2)
    first = cache.embed(["a b", "c d", "a b"])
    assert embedder.calls == [2] and np.allclose(first[0], first[2])
    cache.embed(["c d"])
    assert embedder.calls == [2]
    cache.embed(["e f"])  # evicts "a b"
    cache.embed(["a b"])
    assert embedder.calls == [2, 1, 1]
    assert cache.embed([]).shape == (0, embedder.dim)
