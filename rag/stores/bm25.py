"""The local backend's lexical index (`store.local.lexical: bm25s`): stemmed BM25 (bm25s's tokens,
rag/language/words.py) over immutable segments of texts, scored together; common words are pruned (MaxScore) once they cannot change
the top k."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np

from rag.language.words import analyze, tokenize_ids


K1, B = 1.5, 0.75  # bm25s's defaults (Lucene's BM25)
BUILD_BATCH = 20_000  # texts tokenized at a time


class Postings:
    """One segment's term frequencies (a terms x texts CSR matrix) and text lengths.

    Immutable once built, so a segment is never re-indexed; `bm25` scores several segments with
    statistics summed over all of them (as one index would), so adding a small segment does not
    skew the ranking. Saved as .npy files that load memory-mapped: a serving process touches only
    the rows a query names.
    """

    FILES = ("indptr", "indices", "tf", "lengths")

    def __init__(self, vocab: dict[str, int], indptr, indices, tf, lengths):
        self.vocab, self.indptr, self.indices, self.tf, self.lengths = vocab, indptr, indices, tf, lengths
        self.n = len(lengths)
        self.total = float(np.sum(lengths, dtype=np.float64))
        self._norms: tuple[float, np.ndarray] | None = None

    @classmethod
    def build(cls, texts: list[str]) -> "Postings":
        vocab: dict[str, int] = {}
        parts, sizes = [], []
        for lo in range(0, len(texts), BUILD_BATCH):  # token lists are Python ints: keep them few
            ids, local = tokenize_ids(texts[lo : lo + BUILD_BATCH])
            to_vocab = np.array([vocab.setdefault(t, len(vocab)) for t in sorted(local, key=local.get)], dtype=np.int64)
            counts = [len(t) for t in ids]
            flat = np.fromiter((i for t in ids for i in t), dtype=np.int64, count=sum(counts))
            parts.append(to_vocab[flat] if len(flat) else flat)
            sizes += counts
        n = max(len(texts), 1)
        lengths = np.array(sizes, dtype=np.float32)
        terms = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        texts_of = np.repeat(np.arange(len(sizes), dtype=np.int64), np.array(sizes, dtype=np.int64))
        keys, tf = np.unique(terms * n + texts_of, return_counts=True)
        rows, cols = np.divmod(keys, n)
        indptr = np.cumsum(np.bincount(rows + 1, minlength=len(vocab) + 1))
        return cls(vocab, indptr, cols.astype(np.int32), tf.astype(np.float32), lengths)

    def norms(self, avgdl: float) -> np.ndarray:
        """BM25's length normalisation of each text, for the collection's mean length (kept until
        that changes: it does only when segments come or go)."""
        if self._norms is None or self._norms[0] != avgdl:
            self._norms = (avgdl, (K1 * (1 - B + B * np.asarray(self.lengths) / avgdl)).astype(np.float32))
        return self._norms[1]

    def df(self, term: str) -> int:
        row = self.vocab.get(term)
        return 0 if row is None else int(self.indptr[row + 1] - self.indptr[row])

    def save(self, folder: Path, stem: str) -> list[Path]:
        paths = [folder / f"{stem}.vocab.json"]
        paths[0].write_text(json.dumps(sorted(self.vocab, key=self.vocab.get)), encoding="utf-8")
        for name in self.FILES:
            paths.append(folder / f"{stem}.{name}.npy")
            np.save(paths[-1], getattr(self, name))
        return paths

    @classmethod
    def load(cls, folder: Path, stem: str) -> "Postings":
        words = json.loads((folder / f"{stem}.vocab.json").read_text(encoding="utf-8"))
        arrays = [np.load(folder / f"{stem}.{name}.npy", mmap_mode="r") for name in cls.FILES]
        return cls({w: i for i, w in enumerate(words)}, *arrays)


def bm25(query: str, segments: list[Postings], dead: list[np.ndarray | None], k: int
         ) -> list[tuple[int, int, float]]:
    """(segment, position, score) of the best k live texts across the segments; `dead` masks
    texts that no longer count (their statistics still do until a merge, as in Lucene)."""
    terms = analyze([query])[0]
    n = sum(s.n for s in segments)
    if not terms or not n or k <= 0:
        return []
    avgdl = sum(s.total for s in segments) / n
    idf = {t: float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
           for t in set(terms) if (df := sum(s.df(t) for s in segments))}
    weights = {t: idf[t] * c for t, c in Counter(terms).items() if t in idf}  # (a repeated word counts again)
    found = []
    for i, (seg, mask) in enumerate(zip(segments, dead)):
        positions, scores = _segment_top(seg, mask, weights, avgdl, k)
        found += [(i, int(p), float(s)) for p, s in zip(positions, scores)]
    return sorted(found, key=lambda f: -f[2])[:k]


def _segment_top(seg: Postings, mask: np.ndarray | None, weights: dict[str, float], avgdl: float, k: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The best k live texts of one segment and their scores (float32, as bm25s), by MaxScore: a
    word adds less than its weight to any text, so once the words left could not lift a text that
    has none of the words scored so far into the top k, those words are added only to the texts
    still in the running, found by binary search in their postings."""
    norm = seg.norms(avgdl)
    rows = sorted(((w, seg.indptr[r], seg.indptr[r + 1]) for t, w in weights.items()
                   if (r := seg.vocab.get(t)) is not None), key=lambda r: -r[0])
    scores = np.zeros(seg.n, dtype=np.float32)
    left, scored = sum(w for w, _, _ in rows), []
    for j, (weight, lo, hi) in enumerate(rows):
        if hi - lo > seg.n // PRUNE_FROM and scored and (floor := _floor(scores, scored, mask, k)) > left:
            running = np.zeros(seg.n, dtype=bool)
            for idx in scored:
                running[idx[scores[idx] > floor - left]] = True
            running = np.flatnonzero(running)
            for weight, lo, hi in rows[j:]:
                _add(seg, norm, scores, weight, lo, hi, running)
            return _best(running, scores, mask, k)
        scored.append(_add(seg, norm, scores, weight, lo, hi))
        left -= weight
    return _best(np.flatnonzero(scores), scores, mask, k)


PRUNE_FROM = 64  # a word in more than 1/64 of a segment's texts is worth pruning for


def _add(seg: Postings, norm, scores, weight: float, lo: int, hi: int, only: np.ndarray | None = None) -> np.ndarray:
    """Add one word's weight to the scores of its texts (of `only`, when given); its texts."""
    idx, tf = np.asarray(seg.indices[lo:hi]), np.asarray(seg.tf[lo:hi])
    if only is not None and len(only) * np.log2(len(idx) + 1) < len(idx):
        at = np.minimum(np.searchsorted(idx, only), len(idx) - 1)
        hit = idx[at] == only
        idx, tf = only[hit], tf[at[hit]]
    scores[idx] += weight * tf / (tf + norm[idx])  # a word's texts are distinct: one scatter adds up
    return idx


def _floor(scores: np.ndarray, scored: list[np.ndarray], mask, k: int) -> float:
    """A floor for the final k-th best live score: the k-th best so far among the texts of any one
    word scored (each word's texts are distinct), so no pass over the whole segment."""
    floor = 0.0
    for idx in scored:
        values = scores[idx if mask is None else idx[~mask[idx]]]
        if len(values) >= k:
            floor = max(floor, float(np.partition(values, len(values) - k)[len(values) - k]))
    return floor * (1 - 1e-6)


def _best(candidates: np.ndarray, scores: np.ndarray, mask, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The top k of `candidates` that are live, with their scores."""
    if mask is not None:
        candidates = candidates[~mask[candidates]]
    values = scores[candidates]
    if len(candidates) > k:
        top = np.argpartition(-values, k - 1)[:k]
        candidates, values = candidates[top], values[top]
    return candidates, values
