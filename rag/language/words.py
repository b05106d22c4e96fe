"""Words as both wings compare them: folded (no case, no accents), stemmed (Snowball English),
stopwords out (bm25s's English list), and the token ids BM25 indexes, so the local store and
Milvus rank the same words. The one home of bm25s's tokenizer and PyStemmer."""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path


def tokenize_ids(texts: list[str]) -> tuple[list[list[int]], dict[str, int]]:
    import bm25s

    tokens = bm25s.tokenize(texts, stopwords="en", stemmer=_english_stemmer(), show_progress=False)
    return tokens.ids, tokens.vocab


def analyze(texts: list[str]) -> list[list[str]]:
    """The stemmed tokens the local store indexes, for an engine that runs BM25 itself (Milvus), so both
    backends rank the same words."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_english_stemmer(), show_progress=False,
                          return_ids=False)


_QUESTION_WORDS = {"tell", "told", "say", "said", "says", "according", "document", "documents",
                   "mention", "mentioned", "please", "know", "would", "could", "much", "many"}


def fold(text: str) -> str:
    """Lower case without accents, so "Hervé" and "Herve" (or "fiancée" and "fiancee") compare equal."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def function_word(word: str) -> bool:
    """An article, preposition, pronoun or auxiliary ("the", "of", "was"): no content of its own."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return fold(word) in STOPWORDS_EN_PLUS


def key_terms(text: str) -> list[str]:
    """Stemmed content words of a question or sentence (stopwords and question filler out)."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    words = [w for w in re.findall(r"\w\w+|\d", fold(text))
             if w not in STOPWORDS_EN_PLUS and w not in _QUESTION_WORDS]
    return _english_stemmer().stemWords(words)


@functools.lru_cache(maxsize=1)
def _english_stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    return _english_stemmer().stemWord(word.lower())


ANTONYMS = Path(__file__).resolve().parent / "antonyms.tsv"  # WordNet 3.0's antonym pairs (WORDNET-LICENSE)


def opposites(term: str) -> frozenset[str]:
    """The stems of the words WordNet gives as opposites of a word with this stem ("strengthen": "weaken")."""
    return _opposites().get(term, frozenset())


@functools.lru_cache(maxsize=1)
def _opposites() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    stemmer = _english_stemmer()
    for line in ANTONYMS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            a, b = (stemmer.stemWord(w) for w in line.split("\t"))
            if a != b:
                table.setdefault(a, set()).add(b)
                table.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in table.items()}
