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
    return [term for _, term in content_words(text)]


def content_words(text: str) -> list[tuple[str, str]]:
    """The content words of a text as written (split before folding), each with its stem."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    kept = [(w, f) for w, f in ((w, fold(w)) for w in re.findall(r"\w\w+|\d", text))
            if f not in STOPWORDS_EN_PLUS and f not in _QUESTION_WORDS]
    return list(zip([w for w, _ in kept], _english_stemmer().stemWords([f for _, f in kept])))


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


RELATED = Path(__file__).resolve().parent / "related.tsv.gz"  # WordNet 3.0's senses by stem (rag/tools/wordnet.py)


def related(a: str, b: str) -> bool:
    """Whether two stems can mean the same: a shared WordNet sense, one's sense next to the other's
    (a broader term, a near-synonym, a derived word), or one stem a long prefix of the other
    ("threaten" and "threat")."""
    if extends(a, b, shortest=5):
        return True
    senses = _senses()
    _, own_a, near_a = senses.get(a, senses.get(_compared(a), _NONE))
    _, own_b, near_b = senses.get(b, senses.get(_compared(b), _NONE))
    return bool(own_a & own_b or own_a & near_b or near_a & own_b)


def _compared(term: str) -> str:
    """The adjective a comparative or superlative WordNet does not list is formed from ("highest":
    "high", "widest": "wide", "biggest": "big"), or the term itself."""
    senses = _senses()
    for suffix in ("est", "er"):
        root = term[:-len(suffix)]
        if term.endswith(suffix) and len(root) >= 3 and term not in senses:
            for base in (root, root + "e", root[:-1] if root[-1] == root[-2] else ""):
                if "a" in senses.get(base, _NONE)[0]:
                    return base
    return term


@functools.lru_cache(maxsize=65536)
def akin(a: str, b: str) -> bool:
    """`related`, or one stem an agent noun of the other's relative ("director" of "direct", which
    WordNet relates to "run"): "-er" and "-or" make a noun of the one who does it."""
    if a == b or a.isdigit() or b.isdigit():
        return a == b
    if related(a, b):
        return True
    return any(related(x, y) for x, y in ((a, _agent(b)), (_agent(a), b)) if x and y)


def _agent(term: str) -> str | None:
    return term[:-2] if len(term) > 6 and term.endswith(("er", "or")) else None


def extends(a: str, b: str, shortest: int) -> bool:
    """The same stem, or one a prefix of the other with both at least `shortest` long ("korea", "korean")."""
    return a == b or (min(len(a), len(b)) >= shortest and (a.startswith(b) or b.startswith(a)))


def adverb_only(term: str) -> bool:
    """WordNet knows words with this stem as adverbs only ("also", "generally"): they qualify a
    statement rather than state one."""
    return _senses().get(term, _NONE)[0] == "r"


_NONE = ("", frozenset(), frozenset())


@functools.lru_cache(maxsize=1)
def _senses() -> dict[str, tuple[str, frozenset[int], frozenset[int]]]:
    import gzip

    table = {}
    with gzip.open(RELATED, "rt", encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("#"):
                key, kinds, own, near = line.rstrip("\n").split("\t")
                table[key] = (kinds, frozenset(int(n, 16) for n in own.split()),
                              frozenset(int(n, 16) for n in near.split()))
    return table


def capitalised(text: str, first: bool = False) -> list[str]:
    """The words of `text` written with a capital, its first word left out unless `first` (a
    sentence's first word is capitalised whatever it is): the candidates for names."""
    return re.findall((r"\b" if first else r"(?<=\S\s)") + r"[A-Z][\w'’-]*", text)


_CAPITALISED = re.compile(r"[A-Z][a-z]+(?:(?:-|\s+(?:(?:of|and|for|the|de)\s+)?)[A-Z][a-z]+)+")


def spelled_out(acronym: str, context: str) -> bool:
    """Whether `context` names what `acronym` stands for, its capitalised words' initials spelling it:
    "APEC" by "Asia-Pacific Economic Cooperation", "NATO" by "North Atlantic Treaty Organization"."""
    if not (2 <= len(acronym) <= 8 and acronym.isupper() and acronym.isalpha()):
        return False
    runs = (re.sub(r"^The\s+", "", run) for run in _CAPITALISED.findall(context))
    return any(re.sub(r"\b(?:of|and|for|the|de)\b|[^A-Z]", "", run) == acronym for run in runs)
