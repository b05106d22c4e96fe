"""An embedder (EMBEDDERS in rag/embedding): the tests' hashed bag of words, built from settings."""
from tests.conftest import FakeEmbedder


class BowEmbedder(FakeEmbedder):
    name = "bag-of-words"

    def __init__(self, model, batch_size, threads, cache_dir):
        super().__init__()
