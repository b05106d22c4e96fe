"""The embedded default answerer: no LLM, only the exact sentences that answer.

Candidate sentences come from the retrieved chunks only, so a citation can never point
outside what was retrieved. A sentence answers when it is semantically close to the
question, or close enough while sharing the question's key terms; otherwise the
service says the documents do not hold the answer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import config
from .embedding import Embedder, VectorCache, embed_one
from .lexical import key_terms
from .records import Answer, AnswerPart, Chunk, Citation, Hit

NOT_FOUND = "The documents do not contain an answer to this question."
DUPLICATE_SIMILARITY = 0.92


@dataclass
class Candidate:
    chunk: Chunk
    start: int
    end: int
    text: str
    similarity: float = 0.0
    coverage: float = 0.0
    score: float = 0.0
    vector: np.ndarray | None = None


def candidates(hits: list[Hit]) -> list[Candidate]:
    """Every statement of the retrieved chunks once, in retrieval order (titles and
    datelines are headings, not statements, and never answer)."""
    seen, found = set(), []
    for hit in hits:
        for start, end in hit.chunk.sentences:
            key = (hit.chunk.source, start, end)
            text = hit.chunk.sentence_text(start, end)
            if key not in seen and not hit.chunk.is_heading(start, end):
                seen.add(key)
                found.append(Candidate(hit.chunk, start, end, text))
    return found


def score_candidates(embedder: Embedder, question: str, found: list[Candidate],
                     coverage_weight: float = 0.35, cache: VectorCache | None = None) -> None:
    if not found:
        return
    texts = [c.text for c in found]
    vectors = cache.embed(texts) if cache else embedder.embed_batch(texts, query=True)
    q = embed_one(embedder, question)
    weights = _idf(key_terms(question), [set(key_terms(c.text)) for c in found])
    total = sum(weights.values())
    for cand, vector in zip(found, vectors):
        cand.vector = vector
        cand.similarity = float(vector @ q)
        terms = set(key_terms(cand.text))
        cand.coverage = sum(w for t, w in weights.items() if t in terms) / total if total else 0.0
        cand.score = cand.similarity + coverage_weight * cand.coverage


def _idf(terms: list[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    n = len(sentence_terms)
    return {t: math.log(1 + n / (1 + sum(t in s for s in sentence_terms))) for t in set(terms)}


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder: Embedder, settings: config.Answer, cache: VectorCache | None = None):
        self.embedder = embedder
        self.settings = settings
        self.cache = cache or VectorCache(embedder)

    def supports(self, cand: Candidate) -> bool:
        s = self.settings
        return cand.score >= s.min_score and cand.similarity >= s.min_similarity

    def answer(self, question: str, hits: list[Hit]) -> Answer:
        found = candidates(hits)
        score_candidates(self.embedder, question, found, self.settings.coverage_weight, self.cache)
        chosen = self.select(found)
        if not chosen:
            return not_found_answer(question)
        return compose(chosen, question)

    def select(self, found: list[Candidate]) -> list[Candidate]:
        ranked = sorted((c for c in found if self.supports(c)), key=lambda c: -c.score)
        chosen: list[Candidate] = []
        for cand in ranked:
            if len(chosen) == self.settings.max_sentences or cand.score < ranked[0].score - self.settings.margin:
                break
            if all(float(cand.vector @ c.vector) < DUPLICATE_SIMILARITY for c in chosen):
                chosen.append(cand)
        return chosen


def not_found_answer(question: str) -> Answer:
    return Answer(answer=NOT_FOUND, not_found=True, citations=[], query=question)


def compose(chosen: list[Candidate], query: str) -> Answer:
    """Sentences in document order, each followed by its [n] marker."""
    order = {}
    for cand in chosen:
        order.setdefault(cand.chunk.source, len(order))
    chosen = sorted(chosen, key=lambda c: (order[c.chunk.source], c.start))
    citations = [to_citation(i, c) for i, c in enumerate(chosen, start=1)]
    parts = [AnswerPart(text=c.text, citations=[i]) for i, c in enumerate(chosen, start=1)]
    text = " ".join(f"{p.text} [{p.citations[0]}]" for p in parts)
    return Answer(answer=text, not_found=False, citations=citations, query=query, parts=parts)


def to_citation(number: int, cand: Candidate) -> Citation:
    chunk = cand.chunk
    return Citation(
        id=number, source=chunk.source, title=chunk.title, date=chunk.date, quote=cand.text,
        start=cand.start, end=cand.end, chunk_id=chunk.id, text=chunk.text,
        score=round(cand.similarity, 4), page=chunk.page_at(cand.start), section=chunk.section_at(cand.start),
    )
