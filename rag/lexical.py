"""Stemmed BM25 over chunk texts (bm25s + Snowball English stemmer)."""
from __future__ import annotations

import functools
import re

import numpy as np


class BM25Index:
    def __init__(self, texts: list[str]):
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        self.size = len(texts)
        self.retriever = bm25s.BM25()
        if texts:
            self.retriever.index(self._tokenize(texts), show_progress=False)

    def _tokenize(self, texts: list[str]):
        return self._bm25s.tokenize(
            texts, stopwords="en", stemmer=self.stemmer, show_progress=False
        )

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the best k texts with a positive score."""
        k = min(k, self.size)
        tokens = self._tokenize([query])
        if k <= 0 or not len(tokens.ids[0]) or not self._known(tokens):  # (a lone word's id is 0)
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        docs, scores = self.retriever.retrieve(tokens, k=k, show_progress=False, n_threads=0)  # 0: no thread pool
        keep = scores[0] > 0
        return docs[0][keep].astype(np.int64), scores[0][keep]

    def _known(self, tokens) -> bool:
        vocab = self.retriever.vocab_dict or {}
        inverse = {i: t for t, i in tokens.vocab.items()}
        return any(inverse.get(i) in vocab for i in tokens.ids[0])


def analyze(texts: list[str]) -> list[list[str]]:
    """The stemmed tokens BM25Index indexes, for an engine that runs BM25 itself (Milvus), so both
    backends rank the same words."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_english_stemmer(), show_progress=False,
                          return_ids=False)


LEXICAL: dict[str, type] = {"bm25s": BM25Index}  # store.lexical names one; the manifest records it


def lexical_class(name: str) -> type:
    from .errors import ConfigError

    if name not in LEXICAL:
        raise ConfigError(f"store.lexical '{name}' is unknown; choose one of: {', '.join(LEXICAL)}.")
    return LEXICAL[name]


_QUESTION_WORDS = {"tell", "told", "say", "said", "says", "according", "document", "documents",
                   "mention", "mentioned", "please", "know", "would", "could", "much", "many"}


def key_terms(text: str) -> list[str]:
    """Stemmed content words of a question or sentence (stopwords and question filler out)."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    words = [w for w in re.findall(r"\w\w+|\d", text.lower())
             if w not in STOPWORDS_EN_PLUS and w not in _QUESTION_WORDS]
    return _english_stemmer().stemWords(words)


@functools.lru_cache(maxsize=1)
def _english_stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    return _english_stemmer().stemWord(word.lower())
